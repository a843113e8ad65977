// Invitations from brands she does not work with yet: which brand asks and what it would see
// of her (the server's list, the one its SMS question is made from), with her yes or no. The
// answer goes through the outbox like every action, so a lost signal loses nothing. Loaded
// only when there is an invitation (app.js): most artisans never get one, and the first visit
// does not pay for it; once loaded the service worker keeps it for starting without a network.

import { api } from "../api.js";
import { remember } from "../db.js";
import { h, oneTap } from "../dom.js";
import { loadOnDemand, locale, t } from "../i18n.js";
import * as outbox from "../outbox.js";

/** @type {Wire.MyInvitation[]} */
let invitations = [];
/** @type {Set<number>} ids of invitations with an answer not yet through */
let waiting = new Set();
/** @type {HTMLElement | null} */
let list = null;
let listening = false;
/** @type {(me: Wire.Me) => unknown} */
let answered = () => null;

/** @param {Wire.MyInvitation} invitation */
function card(invitation) {
  const busy = waiting.has(invitation.id);
  /** @param {boolean} accept */
  const answer = (accept) => () =>
    outbox.send(`/me/invitations/${invitation.id}/answer`, { accept }, { invitation: invitation.id });
  return h(
    "li",
    { class: "invitation", "data-invitation-id": String(invitation.id) },
    h("h2", {}, t("{brand} asks to work with you", { brand: invitation.brand.name })),
    h("p", {}, t("If you agree, it would see:")),
    h("ul", {}, ...invitation.sees.map((seen) => h("li", {}, seen))),
    busy
      ? h("p", { class: "hint" }, t("Waiting to send: it goes out as soon as there is a signal."))
      : h(
          "div",
          { class: "actions" },
          h("button", { type: "button", "data-action": "agree-invitation", onclick: oneTap(answer(true)) }, t("Agree")),
          h("button", { type: "button", class: "quiet", "data-action": "refuse-invitation", onclick: oneTap(answer(false)) }, t("Do not agree")),
        ),
  );
}

function render() {
  list?.replaceChildren(...invitations.map(card));
}

/** The invitations with an answer in the outbox. @returns {Promise<Set<number>>} */
async function waitingIds() {
  const ids = (await outbox.queued()).map((entry) => entry.about?.invitation);
  return new Set(ids.filter((id) => id !== undefined));
}

/** Keep the list, here and on the phone (a start without a network shows it too). @param {Wire.MyInvitation[]} found */
async function keep(found) {
  invitations = found;
  await remember("invitations", found);
  render();
}

/** Ask the server again (an answer refused: answered elsewhere, by SMS). */
async function reload() {
  try {
    const answer = /** @type {Wire.MyInvitationList} */ (await api("GET", "/me/invitations", { language: locale }));
    await keep(answer.invitations);
  } catch {
    // offline: what is shown stays
  }
}

function listen() {
  if (listening) return;
  listening = true;
  outbox.on("change", async () => {
    const before = waiting;
    waiting = await waitingIds();
    if ([...before].some((id) => !waiting.has(id)) || [...waiting].some((id) => !before.has(id))) render();
  });
  outbox.on("done", async (entry, me) => {
    const id = entry.about?.invitation;
    if (id === undefined) return;
    await keep(invitations.filter((invitation) => invitation.id !== id));
    answered(/** @type {Wire.Me} */ (me));
  });
  outbox.on("refused", (entry) => entry.about?.invitation !== undefined && reload());
}

/** Her open invitations, above her jobs.
@param {HTMLElement} element @param {Wire.MyInvitation[]} found as the server (or, offline, the last visit) said
@param {(me: Wire.Me) => unknown} onAnswer told the server's answer (GET /me as it is now)
@returns {Promise<void>} */
export async function myInvitations(element, found, onAnswer) {
  answered = onAnswer;
  invitations = found;
  list = h("ol", { class: "invitations" });
  element.replaceChildren(list);
  listen();
  await loadOnDemand();
  waiting = await waitingIds();
  render();
}

/** Another person may use this phone next. */
export function forgetInvitations() {
  invitations = [];
  waiting = new Set();
}
