// The artisan's app: sign in, then invitations from brands, my jobs and my payments. Works
// without a service worker (online); with one, starts without a network and offers an update
// instead of reloading by surprise. What few people see (an invitation, "My brands", "My
// income", "What buyers may see", "Take calls") is loaded when needed (on-demand/), so the
// first visit does not pay for it.

import { api, ApiError, setToken, token } from "./api.js";
import { forgetMemberships, keepMemberships, restoreMemberships } from "./brands.js";
import { forgetAll, remember, remembered } from "./db.js";
import { h, notify } from "./dom.js";
import { load, locale, preferredLocale, t } from "./i18n.js";
import { queued } from "./outbox.js";
import { signIn } from "./sign-in.js";
import { myJobs } from "./jobs-controller.js";
import { myPayouts } from "./views/payouts.js";

const view = /** @type {HTMLElement} */ (document.getElementById("view"));
/** @type {typeof import("./on-demand/invitations.js") | null} once an invitation was shown */
let invitationCards = null;
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
    if (!isSamePerson(me, await remembered("who"))) {
      await forgetPerson(); // another person used this phone before: nothing of theirs shows or goes
      await remember("who", me.phone);
    }
    await remember("role", me.role);
    await keepMemberships(me.memberships || []);
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
  await restoreMemberships(); // offline: as the last visit knew them
  const mine = ++shown;
  const page = h("div");
  const [invitationsPart, jobsPart, payoutsPart] = [h("div"), h("div"), h("div")];
  page.append(invitationsPart, jobsPart, payoutsPart);
  // A village leader submits for neighbours and is paid nothing here: no payments section.
  const isLeader = (await remembered("role")) === "leader";
  // Invitations are rare: her jobs do not wait for that answer, the card shows when it comes.
  showInvitations(invitationsPart);
  await Promise.all([myJobs.show(jobsPart), isLeader ? null : myPayouts(payoutsPart)]); // on 2G each round trip counts
  showKits(isLeader); // her job cards do not wait for it
  page.append(
    h("button", { type: "button", class: "quiet", "data-action": "my-income", onclick: showIncome }, t("My income")),
    h("button", { type: "button", class: "quiet", "data-action": "my-brands", onclick: showBrands }, t("My brands")),
    h("button", { type: "button", class: "quiet", "data-action": "my-consent", onclick: showConsent }, t("What buyers may see")),
    h("button", { type: "button", class: "quiet", "data-action": "my-calls", onclick: showCalls }, t("Take calls")),
    h("button", { type: "button", class: "quiet", "data-action": "sign-out", onclick: signOut }, t("Sign out")),
  );
  if (mine === shown) view.replaceChildren(page);
}

/** Whether the person signed in is the one whose things this phone keeps: one person per phone
number, whichever of her brands she acts as. An app from before she could work with several
brands kept a member id: one of hers is the same person. @param {Wire.Me} me @param {unknown} who */
function isSamePerson(me, who) {
  if (typeof who === "string") return who === me.phone;
  return [me.id, ...(me.memberships || []).map((m) => m.id)].includes(Number(who));
}

/** Invitations from other brands, if she has any: their card's code is loaded only then.
@param {HTMLElement} element @returns {Promise<void>} */
async function showInvitations(element) {
  let found = (await remembered("invitations")) || [];
  try {
    found = /** @type {Wire.MyInvitationList} */ (await api("GET", "/me/invitations", { language: locale })).invitations;
    await remember("invitations", found);
  } catch {
    // offline: as the last visit knew them
  }
  if (!found.length) return;
  try {
    invitationCards = await import("./on-demand/invitations.js");
  } catch {
    return; // offline and never loaded: the card shows once there is a signal
  }
  await invitationCards.myInvitations(element, found, answered);
}

/** Materials handed out for her jobs (发料), if she has any: their part of the job cards is
loaded only then; a village leader is given none. @param {boolean} isLeader @returns {Promise<void>} */
async function showKits(isLeader) {
  if (isLeader) return;
  let found = (await remembered("kits")) || [];
  try {
    found = /** @type {Wire.KitList} */ (await api("GET", "/me/kits", { language: locale })).kits;
    await remember("kits", found);
  } catch {
    // offline: as the last visit knew them
  }
  if (!found.length) return;
  try {
    const module = await import("./on-demand/kits.js");
    await module.onJobCards(myJobs, found);
  } catch {
    // offline and never loaded: the kits show once there is a signal
  }
}

/** Her answer to an invitation went through: her brands as they are now, everything drawn again
(the cards name their brand when there are several). @param {Wire.Me} me */
async function answered(me) {
  if (!me?.memberships) return;
  await keepMemberships(me.memberships);
  start();
}

/** "My brands", loaded now (it is not part of the first visit): the brands she works with, and
leaving one. */
async function showBrands() {
  const module = await onDemand(() => import("./on-demand/memberships.js"));
  await module?.myBrands(view, start);
}

/** "My income" (收入明细), loaded now: what she earned and was paid, month by month, and a
page to print. */
async function showIncome() {
  const module = await onDemand(() => import("./on-demand/statement.js"));
  await module?.myIncome(view, start);
}

/** A view of on-demand/, loaded now; null (and a notice) without a signal.
@template T @param {() => Promise<T>} load @returns {Promise<T | null>} */
async function onDemand(load) {
  notify("");
  try {
    const module = await load();
    ++shown; // a start still loading must not draw over it
    return module;
  } catch {
    notify(t("This needs a connection. Please try again when there is a signal."));
    return null;
  }
}

/** "What buyers may see", loaded now: her switches and the words waiting for her approval. */
async function showConsent() {
  const module = await onDemand(() => import("./on-demand/consent.js"));
  await module?.whatBuyersSee(view, start);
}

/** "Take calls", loaded now: her switch for a call after an SMS question left unanswered. */
async function showCalls() {
  const module = await onDemand(() => import("./on-demand/calls.js"));
  await module?.takeCalls(view, start);
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
  forgetMemberships();
  invitationCards?.forgetInvitations();
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
