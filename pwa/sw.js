// The service worker, served by the backend at /sw.js with VERSION and SHELL filled in from
// the content hashes of the app's files (never a list kept by hand): a new file or a changed
// one is a new version, installed beside the old one and used once the person says so.

const VERSION = "__VERSION__";
const SHELL = __SHELL__;
const SHELL_CACHE = `shell-${VERSION}`;
// The other caches hold a person's own answers and photos: the app deletes every cache not
// named "shell-…" when she signs out or another person signs in (app.js, forgetPerson).
const DATA_CACHE = "data";
const PHOTO_CACHE = "photos";
// Read-only API answers kept for starting without a network (network first, cache if offline).
// Jobs are not among them: the app keeps those itself and asks only for what changed.
const DATA = ["/api/v1/me", "/api/v1/i18n/", "/api/v1/payouts"];
// Views loaded when needed (an invitation, My brands, My income) and their styles: not in the shell, so a first visit does
// not pay for them; kept once fetched (network first, in the data cache, so forgotten with her
// answers and fetched again when needed), so they open without a network after.
const ON_DEMAND = ["/pwa/src/on-demand/", "/pwa/styles/on-demand/"];
// A stored photo never changes (its address names its content): cache first.
const PHOTOS = /^\/api\/v1\/photos\/\d+\/(list|review|full)$/;
// `self` as what it is here, a service worker's scope (the checker's lib knows any worker's).
const worker = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

worker.addEventListener("install", (event) => {
  // Revalidated, never taken from the HTTP cache: a new version must not keep an old file
  // (an unchanged one costs a 304).
  const fresh = SHELL.map((url) => new Request(url, { cache: "no-cache" }));
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(fresh)));
});

worker.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((names) =>
      Promise.all(names.filter((name) => name.startsWith("shell-") && name !== SHELL_CACHE).map((name) => caches.delete(name))),
    ),
  );
});

worker.addEventListener("message", (event) => {
  if (event.data === "update") worker.skipWaiting();
});

worker.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(caches.match("/", { cacheName: SHELL_CACHE }).then((hit) => hit || fetch(request)));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(request, { cacheName: SHELL_CACHE }).then((hit) => hit || fetch(request)));
  } else if (DATA.some((prefix) => url.pathname.startsWith(prefix)) || ON_DEMAND.some((prefix) => url.pathname.startsWith(prefix))) {
    event.respondWith(networkFirst(request));
  } else if (PHOTOS.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});

/** @param {Request} request */
async function cacheFirst(request) {
  const cache = await caches.open(PHOTO_CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const answer = await fetch(request);
  if (answer.ok) await cache.put(request, answer.clone());
  return answer;
}

/** @param {Request} request */
async function networkFirst(request) {
  const cache = await caches.open(DATA_CACHE);
  try {
    const answer = await fetch(request);
    if (answer.ok) await cache.put(request, answer.clone());
    return answer;
  } catch (error) {
    const kept = await cache.match(request);
    if (kept) return kept;
    throw error;
  }
}
