// My payouts: each payment recorded for my work, to confirm or to say it did not arrive.

import { api, ApiError } from "../api.js";
import { brandName, namesBrands } from "../brands.js";
import { h, notify, oneTap } from "../dom.js";
import { formatMoney, locale, statusWord, t } from "../i18n.js";
import * as outbox from "../outbox.js";

/** @type {Map<number, Wire.Payout>} */
const payouts = new Map();
/** @type {Set<number>} */
let waiting = new Set(); // ids of payouts with an answer not yet through
/** @type {HTMLOListElement | null} */
let list = null;
let listening = false;


/** @param {Wire.Payout} payout */
function card(payout) {
  const reason = h("textarea", { name: "reason", rows: "2", maxlength: "500", "aria-label": t("What is wrong?") });
  const confirm = () => outbox.send(`/payouts/${payout.id}/confirm`, {}, { payout: payout.id });
  const dispute = () =>
    outbox.send(`/payouts/${payout.id}/dispute`, { reason: reason.value.trim() || t("Not received") }, { payout: payout.id });
  const open = payout.status === "paid" && !waiting.has(payout.id);
  const brand = namesBrands() ? brandName(payout.brand_id) : "";
  return h(
    "li",
    { class: `payout ${payout.status}`, "data-payout-id": String(payout.id), "data-status": payout.status },
    h("h3", {}, t("Payment {amount}", { amount: formatMoney(payout.amount_fen) })),
    brand ? h("p", { class: "brand" }, t("Paid by {brand}", { brand })) : null,
    h("p", { class: "status" }, statusWord(payout.status)),
    open ? h("button", { type: "button", "data-action": "confirm", onclick: oneTap(confirm) }, t("I received it")) : null,
    open ? h("label", {}, t("What is wrong?"), reason) : null,
    open ? h("button", { type: "button", class: "quiet", "data-action": "dispute", onclick: oneTap(dispute) }, t("Not received")) : null,
    waiting.has(payout.id) ? h("p", { class: "hint" }, t("Waiting to send: it goes out as soon as there is a signal.")) : null,
  );
}

/** The payouts with an answer waiting in the outbox. @returns {Promise<Set<number>>} */
async function waitingIds() {
  const ids = (await outbox.queued()).map((entry) => entry.about?.payout);
  return new Set(ids.filter((id) => id !== undefined));
}

/** Cards of payouts whose answer waits in the outbox say so, and ask nothing twice. */
async function showWaiting() {
  const before = waiting;
  waiting = await waitingIds();
  for (const id of new Set([...before, ...waiting])) {
    const payout = payouts.get(id);
    if (payout && before.has(id) !== waiting.has(id)) list?.querySelector(`[data-payout-id="${id}"]`)?.replaceWith(card(payout));
  }
}

function render() {
  if (!list) return;
  const sorted = [...payouts.values()].sort((a, b) => (a.status === "paid" ? 0 : 1) - (b.status === "paid" ? 0 : 1) || b.id - a.id);
  list.replaceChildren(...sorted.map(card));
  if (!sorted.length) list.append(h("li", { class: "empty" }, t("No payments yet.")));
}

function listen() {
  if (listening) return;
  listening = true;
  outbox.on("change", showWaiting);
  outbox.on("done", (entry, answered) => {
    const answer = /** @type {Wire.Payout | null} */ (answered);
    if (!entry.about?.payout || !answer?.id) return;
    payouts.set(answer.id, answer);
    // Only this card: what the artisan is typing in another one stays.
    list?.querySelector(`[data-payout-id="${answer.id}"]`)?.replaceWith(card(answer));
  });
}

/** @param {HTMLElement} view the element the list goes into (below my jobs) @returns {Promise<void>} */
export async function myPayouts(view) {
  list = h("ol", { class: "payouts" });
  view.append(h("h2", { class: "section" }, t("My payments")), list);
  listen();
  try {
    const answer = /** @type {Wire.PayoutList} */ (await api("GET", "/payouts", { language: locale }));
    payouts.clear();
    for (const payout of answer.payouts) payouts.set(payout.id, payout);
  } catch (error) {
    if (error instanceof ApiError) notify(error.message);
  }
  waiting = await waitingIds();
  render();
}
