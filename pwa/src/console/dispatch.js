// Dispatching an order: choose villages and a craft, get a suggested split of the pieces
// (GET /orders/{id}/suggestion: by craft, recent on-time rate and open load), change it, send
// it; then the order's offers, acceptances and declines show as they happen.

import { api, messageOf, newKey } from "../api.js";
import { h, notify } from "../dom.js";
import { locale, statusWord, t } from "../i18n.js";
import { field, table, whileShown } from "./ui.js";

const LIVE_MS = 4000;

/** An offer row: whose, how to read what it offers now, and its cells.
@typedef {{artisanId: number, read: () => {artisan_id: number, quantity: number} | null, row: {attrs: Record<string, string>, cells: (Node | string)[]}}} OfferRow */

/** @param {number | null | undefined} rate */
function percent(rate) {
  return rate === null || rate === undefined ? "–" : `${Math.round(rate * 100)}%`;
}

/** The facts beside an artisan's name: village, on-time rate, pieces in hand, channel. @param {Wire.SuggestedOffer} offer */
function facts(offer) {
  return [offer.village, percent(offer.on_time_rate), String(offer.open_load), offer.sms_only ? t("SMS") : t("app")];
}

/** An offer as an editable row: its pieces (0 leaves it out), and a button to drop it.
@param {Wire.SuggestedOffer} offer @param {() => void} onChange @param {() => void} onRemove @returns {OfferRow} */
function offerRow(offer, onChange, onRemove) {
  const quantity = h("input", { type: "number", min: "0", name: "offer_quantity", value: String(offer.quantity), class: "narrow" });
  quantity.addEventListener("input", onChange);
  const remove = h("button", { type: "button", "data-action": "remove-offer", "aria-label": t("Remove"), onclick: onRemove }, "×");
  return {
    artisanId: offer.artisan_id,
    read: () => (Number(quantity.value) > 0 ? { artisan_id: offer.artisan_id, quantity: Number(quantity.value) } : null),
    row: { attrs: { "data-offer-artisan-id": String(offer.artisan_id) }, cells: [offer.name, quantity, ...facts(offer), remove] },
  };
}

/** The order's jobs, refreshed while shown: offers, acceptances and declines as they happen
(and the order's progress with them).
@param {Wire.Order} order @param {Map<number, string>} names artisans' names by id @param {() => void} changed */
function liveJobs(order, names, changed) {
  let seen = "";
  const box = h("div", { class: "jobs-live", "data-jobs-of": String(order.id) });
  const withdraw = async (/** @type {Wire.Job} */ job) => {
    try {
      await api("POST", `/jobs/${job.id}/withdraw`, { language: locale });
      await show();
    } catch (error) {
      notify(messageOf(error));
    }
  };
  async function show() {
    try {
      const { jobs } = /** @type {{jobs: Wire.Job[]}} */ (await api("GET", `/orders/${order.id}/jobs`, { language: locale }));
      const now = jobs.map((job) => `${job.id}:${job.status}`).join();
      if (seen && now !== seen) changed();
      seen = now;
      box.replaceChildren(
        h("h4", {}, t("Offers and answers ({count})", { count: jobs.length })),
        table(
          [t("Artisan"), t("Job code"), t("Status"), t("Offered"), t("Accepted"), ""],
          jobs.map((job) => ({
            attrs: { "data-job-id": String(job.id), "data-status": job.status },
            cells: [names.get(job.artisan_id) || `#${job.artisan_id}`, job.code, statusWord(job.status),
              String(job.quantity_offered), String(job.quantity_accepted),
              job.status === "offered" ? h("button", { type: "button", "data-action": "withdraw", onclick: () => withdraw(job) }, t("Withdraw")) : ""],
          })),
        ),
      );
    } catch (error) {
      notify(messageOf(error));
    }
  }
  show();
  whileShown(box, LIVE_MS, show);
  return box;
}

/** The dispatch panel of one order. @param {Wire.Order} order @param {() => void} changed
@param {{code: string, name: string}[]} crafts the brand's crafts, to offer another than the order's @returns {HTMLElement} */
export function dispatchPanel(order, changed, crafts) {
  const box = h("div", { class: "dispatch card" });
  const villageBox = h("fieldset", { class: "choices" }, h("legend", {}, t("Villages (none ticked: all)")));
  const craft = h("select", { name: "craft" },
    ...crafts.map((c) => h("option", { value: c.code, selected: c.code === order.craft }, c.name)));
  const wanted = h("input", { type: "number", min: "1", name: "wanted", class: "narrow", placeholder: t("what remains") });
  const suggested = h("div", { class: "suggested" });
  const total = h("p", { class: "total" });
  const send = h("button", { type: "button", "data-action": "send-offers", disabled: true }, t("Send offers"));
  /** @type {Map<number, string>} */
  const names = new Map();
  /** @type {Map<number, Wire.Member>} id → artisan, for adding one by name or phone */
  const people = new Map();
  const picker = h("input", { name: "add_artisan", list: `artisans-${order.id}`, autocomplete: "off", placeholder: t("Name or phone") });
  const choices = h("datalist", { id: `artisans-${order.id}` });
  let hint = "";
  /** @type {OfferRow[]} */
  let rows = [];
  /** @type {Wire.SuggestedOffer[]} */
  let others = []; // candidates given no piece: shown apart, added with a click
  let key = newKey();

  const offers = () => rows.flatMap((row) => row.read() ?? []);
  const recount = () => {
    const chosen = offers();
    total.textContent = t("{count} offers, {pieces} pieces", { count: chosen.length, pieces: chosen.reduce((sum, o) => sum + o.quantity, 0) });
    send.disabled = !chosen.length;
    key = newKey(); // a changed list is a new dispatch
  };

  async function suggest() {
    notify("");
    const villages = [...villageBox.querySelectorAll("input:checked")].map((input) => /** @type {HTMLInputElement} */ (input).value);
    const query = { village_id: villages, craft: craft.value || order.craft, ...(wanted.value ? { quantity: wanted.value } : {}) };
    try {
      const answer = /** @type {Wire.Suggestion} */ (await api("GET", `/orders/${order.id}/suggestion`, { query, language: locale }));
      rows = [];
      for (const offer of answer.offers) place(offer);
      others = answer.others;
      const { remaining, candidates } = answer;
      hint = t("{remaining} pieces still to offer; {candidates} artisans can do this craft there.", { remaining, candidates });
      showRows();
    } catch (error) {
      notify(messageOf(error));
    }
  }

  /** An offer row for this artisan (once), with ``quantity`` pieces. @param {Wire.SuggestedOffer} offer */
  function place(offer) {
    if (rows.some((row) => row.artisanId === offer.artisan_id)) return;
    const row = offerRow(offer, recount, () => {
      rows = rows.filter((kept) => kept !== row);
      showRows();
    });
    rows.push(row);
  }

  function showRows() {
    const offered = new Set(rows.map((row) => row.artisanId));
    const waiting = others.filter((other) => !offered.has(other.artisan_id));
    suggested.replaceChildren(
      h("p", { class: "hint" }, hint),
      table([t("Artisan"), t("Pieces"), t("Village"), t("On time"), t("Pieces in hand"), t("Reached by"), ""], rows.map((r) => r.row)),
      waiting.length ? h("details", { class: "more" },
        h("summary", {}, t("{count} more who could do it", { count: waiting.length })),
        table([t("Artisan"), t("Village"), t("On time"), t("Pieces in hand"), t("Reached by"), ""], waiting.map((other) => ({
          attrs: { "data-candidate-artisan-id": String(other.artisan_id) },
          cells: [other.name, ...facts(other), h("button", { type: "button", "data-action": "add-candidate",
            onclick: () => { place({ ...other, quantity: 1 }); showRows(); } }, t("Add"))],
        })))) : "", // not null: replaceChildren would write "null"
    );
    recount();
  }

  /** One more artisan, chosen by name or phone: the server checks they can take this order. */
  async function addArtisan() {
    const typed = picker.value.trim();
    const found = [...people.values()].find((a) => `${a.name} ${a.phone}` === typed || a.phone === typed || a.name === typed);
    if (!found) return;
    picker.value = "";
    if (rows.some((row) => row.artisanId === found.id)) return;
    try {
      const query = { artisan_id: found.id, craft: craft.value || order.craft, quantity: wanted.value || "10" };
      const answer = /** @type {Wire.Suggestion} */ (await api("GET", `/orders/${order.id}/suggestion`, { query, language: locale }));
      if (!answer.offers.length) return notify(t("{name} cannot be offered this order: another craft, inactive, or already offered it.", { name: found.name }));
      place(answer.offers[0]);
      showRows();
    } catch (error) {
      notify(messageOf(error));
    }
  }

  async function dispatch() {
    notify("");
    send.disabled = true;
    try {
      await api("POST", `/orders/${order.id}/dispatch`, { body: { offers: offers() }, language: locale, headers: { "Idempotency-Key": key } });
      suggested.replaceChildren(h("p", { class: "done" }, t("Offers sent. Answers show below as they come.")));
      rows = [];
      others = [];
      recount();
      changed();
    } catch (error) {
      notify(messageOf(error));
      send.disabled = false;
    }
  }

  send.addEventListener("click", dispatch);
  box.append(
    h("h4", {}, t("Dispatch {title}", { title: order.title })),
    villageBox,
    h("div", { class: "row" }, field(t("Craft"), craft), field(t("Pieces to offer"), wanted),
      h("button", { type: "button", "data-action": "suggest", onclick: suggest }, t("Suggest offers"))),
    suggested,
    h("div", { class: "row" }, field(t("Add an artisan"), picker), choices,
      h("button", { type: "button", "data-action": "add-artisan", onclick: addArtisan }, t("Add"))),
    total, send,
  );
  picker.addEventListener("change", addArtisan);
  (async () => {
    try {
      const [{ villages }, { artisans }] = /** @type {[{villages: Wire.Village[]}, {artisans: Wire.Member[]}]} */ (await Promise.all([
        api("GET", "/villages", { language: locale }),
        api("GET", "/artisans", { language: locale }),
      ]));
      for (const artisan of artisans) {
        names.set(artisan.id, artisan.name);
        if (artisan.active) people.set(artisan.id, artisan);
      }
      choices.append(...[...people.values()].map((a) => h("option", { value: `${a.name} ${a.phone}` })));
      villageBox.append(...villages.filter((v) => v.active !== false).map((v) =>
        h("label", { class: "choice" }, h("input", { type: "checkbox", value: String(v.id), name: "village" }), v.name)));
      box.append(liveJobs(order, names, changed));
      await suggest();
    } catch (error) {
      notify(messageOf(error));
    }
  })();
  return box;
}
