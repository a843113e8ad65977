// The artisan's app: sign in, then my jobs. Works without a service worker (online); with
// one, starts without a network and offers an update instead of reloading by surprise.

import { api, ApiError, setToken, token } from "./api.js";
import { forgetAll, remember, remembered } from "./db.js";
import { h, notify } from "./dom.js";
import { load, locale, preferredLocale, t } from "./i18n.js";
import { queued } from "./outbox.js";
import { signIn } from "./sign-in.js";
import { myJobs } from "./jobs-controller.js";
import { myPayouts } from "./views/payouts.js";

const view = /** @type {HTMLElement} */ (document.getElementById("view"));
let shown = 0; // the latest start: an older one still loading must not overwrite it
const WORKERS = ["artisan", "leader"];

async function start() {
  notify("");
  if (!token()) return signIn(view, start);
  try {
    const me = /** @type {Wire.Me} */ (await api("GET", "/me", { language: locale }));
    if (!WORKERS.includes(me.role)) {
      notify(t("This app is for artisans and village leaders; coordinators use the console."));
      setToken(null);
      return signIn(view, start);
    }
    if ((await remembered("who")) !== me.id) {
      await forgetPerson(); // another person used this phone before: nothing of theirs shows or goes
      await remember("who", me.id);
    }
    await remember("role", me.role);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      // Signed out elsewhere (a coordinator, a lost phone, months unused): what she left
      // here is as private as when she signs out herself.
      setToken(null);
      await forgetPerson();
      return signIn(view, start);
    }
    // offline: go on with what was saved
  }
  const mine = ++shown;
  const page = h("div");
  const [jobsPart, payoutsPart] = [h("div"), h("div")];
  page.append(jobsPart, payoutsPart);
  // A village leader submits for neighbours and is paid nothing here: no payments section.
  const isLeader = (await remembered("role")) === "leader";
  await Promise.all([myJobs.show(jobsPart), isLeader ? null : myPayouts(payoutsPart)]); // on 2G each round trip counts
  page.append(h("button", { type: "button", class: "quiet", "data-action": "sign-out", onclick: signOut }, t("Sign out")));
  if (mine === shown) view.replaceChildren(page);
}

async function signOut() {
  const waiting = (await queued()).length;
  if (waiting && !confirm(t("{count} actions have not been sent yet. Sign out and drop them?", { count: waiting }))) return;
  try {
    await api("DELETE", "/auth/token");
  } catch {
    // forgotten here either way
  }
  setToken(null);
  await forgetPerson(); // another person may use this phone
  start();
}

/** Forget everything of the person who used this phone, for whoever uses it next: her queued
actions, saved jobs and photos (IndexedDB), and what the service worker keeps of hers (her
profile, payments and photos): every cache but the app's own files ("shell-…" in sw.js).
One function for signing out, a token refused (401) and another person's sign-in. */
async function forgetPerson() {
  myJobs.forget();
  await forgetAll();
  if (!("caches" in window)) return;
  const names = await caches.keys();
  await Promise.all(names.filter((name) => !name.startsWith("shell-")).map((name) => caches.delete(name)));
}

/** Register the service worker where there is one; show "update ready" when a new one waits. */
async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    /** @param {ServiceWorker} worker */
    const offer = (worker) => {
      const prompt = /** @type {HTMLElement} */ (document.querySelector("[data-update]"));
      prompt.replaceChildren(
        t("A new version is ready."),
        " ",
        h("button", { type: "button", "data-action": "update", onclick: () => worker.postMessage("update") }, t("Update")),
      );
      prompt.hidden = false;
    };
    if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
    registration.addEventListener("updatefound", () => {
      const installing = registration.installing;
      installing?.addEventListener("statechange", () => {
        if (installing.state === "installed" && navigator.serviceWorker.controller) offer(installing);
      });
    });
    let reloading = false;
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (reloading) return;
      reloading = true;
      location.reload();
    });
  } catch {
    // blocked (some WebViews): the app works online without it
  }
}

async function boot() {
  try {
    await load(preferredLocale());
  } catch {
    // offline before the catalog was ever saved: the texts show as written
  }
  const picker = /** @type {HTMLSelectElement} */ (document.querySelector("select[name=locale]"));
  picker.value = locale;
  picker.addEventListener("change", async () => {
    await load(picker.value);
    start();
  });
  registerWorker();
  start();
}

boot();
