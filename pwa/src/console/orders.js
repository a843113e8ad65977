// Orders: what the brand needs made. Create one with its reference photos (the brand's own
// pattern) and notes, change it until its first offer, cancel it, and dispatch it (dispatch.js).
// Progress shows as a bar; it refreshes by itself while the page is open.

import { api, messageOf, newKey, raw } from "../api.js";
import { h, notify, photo } from "../dom.js";
import { formatDay, formatMoney, locale, t } from "../i18n.js";
import { dispatchPanel } from "./dispatch.js";
import { kitsPanel } from "./kits.js";
import { passportsPanel } from "./passports.js";
import { fenOf, field, whileShown, yuanOf } from "./ui.js";

const REFRESH_MS = 10_000;
/** @type {Map<number, {count: number, shown: HTMLElement}>} the price feedback drawn per order, fetched again when its count moves */
const priceSections = new Map();
/** @type {Wire.Craft[]} the brand's active crafts */
let crafts = [];

/** The order's progress: approved, submitted, accepted and offered pieces against its quantity.
@param {Wire.Order} order @returns {HTMLElement} */
export function progressBar(order) {
  // A copy: its fields fill in the texts' placeholders.
  const p = { ...(order.progress || { quantity: order.quantity, accepted: 0, submitted: 0, approved: 0, paid: 0, offered_open: 0 }) };
  const share = (/** @type {number} */ n) => `${Math.min(100, (100 * n) / Math.max(p.quantity, 1)).toFixed(1)}%`;
  /** @type {[string, number][]} */
  const parts = [
    ["paid", p.paid],
    ["approved", p.approved - p.paid],
    ["submitted", p.submitted - p.approved],
    ["accepted", p.accepted - p.submitted],
  ];
  return h(
    "div",
    { class: "progress", role: "img", "aria-label": t("{accepted} of {quantity} accepted, {approved} approved", p) },
    h("div", { class: "track" }, ...parts.map(([name, n]) => {
      const part = h("span", { class: name });
      part.style.width = share(Math.max(n, 0)); // through the CSSOM: the page's CSP refuses style attributes
      return part;
    })),
    h("small", {}, t("{accepted}/{quantity} accepted · {submitted} submitted · {approved} approved · {paid} paid · {offered_open} offered", p)),
  );
}

/** Reference photos: uploaded at once, their ids kept in the form. @param {number[]} ids */
function photoPicker(ids) {
  const shown = h("div", { class: "thumbs" }, ...ids.map((id) => photo(id)));
  const input = h("input", { type: "file", accept: "image/*", multiple: true, name: "reference_photos" });
  input.addEventListener("change", async () => {
    for (const file of input.files || []) {
      const body = new FormData();
      body.append("file", file);
      try {
        const answer = /** @type {Wire.Photo} */ (await (await raw("POST", "/photos", { body, language: locale })).json());
        ids.push(answer.id);
        shown.append(photo(answer.id));
      } catch (error) {
        notify(messageOf(error));
      }
    }
    input.value = "";
  });
  return h("div", {}, field(t("Reference photos (the brand's own pattern)"), input), shown);
}

/** The order form: new (no ``order``) or an edit before the first offer.
@param {Wire.Order | null} order @param {() => void} done */
function orderForm(order, done) {
  const v = order || { title: "", craft: crafts[0]?.code || "", quantity: 100, unit_price_fen: 0, hours_per_piece: null, due_date: "", description: "", quality_notes: "" };
  const title = h("input", { name: "title", required: true, maxlength: "200", value: v.title });
  const craft = h("select", { name: "craft" }, ...crafts.map((c) => h("option", { value: c.code, selected: c.code === v.craft }, c.name)));
  const quantity = h("input", { name: "order_quantity", type: "number", min: "1", required: true, value: String(v.quantity) });
  const price = h("input", { name: "unit_price", inputmode: "decimal", required: true, value: v.unit_price_fen ? yuanOf(v.unit_price_fen) : "" });
  const hours = h("input", { name: "hours_per_piece", type: "number", min: "0.1", max: "1000", step: "0.1", value: v.hours_per_piece ? String(v.hours_per_piece) : "" });
  const due = h("input", { name: "due_date", type: "date", required: true, value: v.due_date });
  const description = h("textarea", { name: "description", rows: "2" }, v.description);
  const notes = h("textarea", { name: "quality_notes", rows: "3" }, v.quality_notes);
  const photoIds = [...(order?.photo_ids || [])];
  const key = newKey(); // a double click or a retry makes one order
  /** @param {Event} event */
  async function submit(event) {
    event.preventDefault();
    notify("");
    const fen = fenOf(price.value);
    if (Number.isNaN(fen)) return notify(t("Write the piece rate in yuan, e.g. 45 or 45.50."));
    const body = {
      title: title.value, craft: craft.value, quantity: Number(quantity.value), unit_price_fen: fen,
      hours_per_piece: hours.value ? Number(hours.value) : null, due_date: due.value, description: description.value, quality_notes: notes.value, photo_ids: photoIds,
    };
    try {
      if (order) await api("PATCH", `/orders/${order.id}`, { body, language: locale });
      else await api("POST", "/orders", { body, language: locale, headers: { "Idempotency-Key": key } });
      done();
    } catch (error) {
      notify(messageOf(error));
    }
  }
  return h(
    "form",
    { class: "card form-grid", onsubmit: submit, "data-form": order ? "edit-order" : "new-order" },
    h("h2", {}, order ? t("Change order") : t("New order")),
    field(t("Product"), title),
    field(t("Craft"), craft),
    field(t("Pieces"), quantity),
    field(t("Piece rate (yuan)"), price),
    field(t("Estimated hours per piece (optional)"), hours),
    field(t("Due date"), due),
    field(t("Description"), description),
    field(t("Quality notes (what the pieces must look like)"), notes),
    photoPicker(photoIds),
    h("div", { class: "buttons" },
      h("button", { type: "submit", "data-action": "save-order" }, t("Save")),
      h("button", { type: "button", onclick: done }, t("Close"))),
  );
}

/** An open order's buttons: dispatch it, change it until its first offer, cancel it.
@param {Wire.Order} order @param {HTMLElement} panel where dispatch and change open @param {() => void} refresh */
function orderButtons(order, panel, refresh) {
  const offered = order.progress && order.progress.accepted + order.progress.offered_open > 0; // changes end with the first offer
  const cancel = async () => {
    if (!confirm(t("Cancel order {title}? Offers not yet accepted are withdrawn; pieces reported done are approved for payment.", { title: order.title }))) return;
    try {
      await api("POST", `/orders/${order.id}/cancel`, { language: locale });
      refresh();
    } catch (error) {
      notify(messageOf(error));
    }
  };
  const toggle = (/** @type {() => HTMLElement} */ make) => () => (panel.childElementCount ? panel.replaceChildren() : panel.replaceChildren(make()));
  return [
    h("button", { type: "button", "data-action": "dispatch", onclick: toggle(() => dispatchPanel(order, refresh, crafts)) }, t("Dispatch")),
    offered ? null : h("button", { type: "button", "data-action": "edit-order", onclick: toggle(() => orderForm(order, refresh)) }, t("Change")),
    h("button", { type: "button", "data-action": "kits", onclick: toggle(() => kitsPanel(order)) }, t("Materials")),
    h("button", { type: "button", "data-action": "passports", onclick: toggle(() => passportsPanel(order)) }, t("Passports")),
    h("button", { type: "button", class: "danger", "data-action": "cancel-order", onclick: cancel }, t("Cancel order")),
  ];
}

/** Where an answer came from, in the reader's language. @param {string} channel @returns {string} */
function channelName(channel) {
  /** @type {Record<string, string>} */
  const names = { app: t("app"), sms: t("SMS"), voice: t("call"), simulator: t("SMS simulator") };
  return names[channel] || channel;
}

/** 价低反馈: how many artisans said the piece rate is too low and the prices they asked, shown
before the order's controls, fetched only when there is some. @param {Wire.Order} order @returns {HTMLElement | null} */
function priceFeedback(order) {
  const count = order.progress?.price_low || 0;
  if (!count) return null;
  const kept = priceSections.get(order.id);
  if (kept && kept.count === count) return kept.shown;
  const shown = h("section", { class: "price-feedback", "data-price-feedback": String(count) }, h("h4", {}, t("Price too low: {count}", { count })));
  priceSections.set(order.id, { count, shown });
  api("GET", `/orders/${order.id}/price-feedback`, { language: locale }).then((answer) => {
    const summary = /** @type {Wire.PriceFeedbackSummary} */ (answer);
    const asked = summary.answers.filter((a) => a.price_fen !== null).map((a) => formatMoney(/** @type {number} */ (a.price_fen)));
    shown.append(h("p", {}, t("{count} said the price is too low; {open} offers still open.", { count: summary.count, open: summary.offers_open })));
    if (asked.length) {
      shown.append(h("p", { "data-prices": "" }, t("Asked: {prices} (median {median})", { prices: asked.join(", "), median: formatMoney(/** @type {number} */ (summary.median_price_fen)) })));
    }
    shown.append(h("ul", {}, ...summary.answers.map((a) => h("li", {}, [a.name, a.village, a.price_fen === null ? t("no price named") : formatMoney(a.price_fen), channelName(a.channel)].filter(Boolean).join(" · ")))));
  }, (error) => notify(messageOf(error)));
  return shown;
}

/** @param {Wire.Order} order @param {() => void} refresh */
function orderCard(order, refresh) {
  const panel = h("div", { class: "panel" });
  const open = order.status === "open";
  return h(
    "li",
    { class: `order card ${order.status}`, "data-order-id": String(order.id), "data-status": order.status },
    h("div", { class: "order-head" },
      order.photo_ids?.length ? photo(order.photo_ids[0], "list", { class: "pattern" }) : null,
      h("div", {},
        h("h3", {}, order.title),
        h("p", {}, [crafts.find((c) => c.code === order.craft)?.name || order.craft, t("{price} a piece", { price: formatMoney(order.unit_price_fen) }),
          order.hourly_rate_fen ? t("about {rate} an hour", { rate: formatMoney(order.hourly_rate_fen) }) : "",
          t("due {day}", { day: formatDay(order.due_date) }), open ? "" : t("cancelled")].filter(Boolean).join(" · ")),
        progressBar(order),
        priceFeedback(order)),
      h("div", { class: "buttons" }, ...(open ? orderButtons(order, panel, refresh) : []))),
    panel,
  );
}

/** @param {HTMLElement} view @returns {Promise<void>} */
export async function orders(view) {
  const list = h("ol", { class: "orders" });
  const creating = h("div");
  const status = h("select", { name: "status" },
    h("option", { value: "open" }, t("Open")), h("option", { value: "cancelled" }, t("Cancelled")), h("option", { value: "" }, t("All")));
  const more = h("button", { type: "button", hidden: true, "data-action": "more" }, t("More"));
  /** @type {string | null} */
  let cursor = null;
  const openIds = () =>
    new Set([...list.querySelectorAll(".order .panel:not(:empty)")].map((p) => /** @type {HTMLElement} */ (p.closest("[data-order-id]")).dataset.orderId));

  async function load(append = false) {
    try {
      const query = { ...(status.value ? { status: status.value } : {}), ...(append && cursor ? { cursor } : {}) };
      const page = /** @type {Wire.OrderPage} */ (await api("GET", "/orders", { query, language: locale }));
      const keep = openIds(); // a panel being worked in stays as it is
      const cards = page.orders.map((order) => {
        if (!keep.has(String(order.id))) return orderCard(order, () => load());
        const card = /** @type {HTMLElement} */ (list.querySelector(`[data-order-id="${order.id}"]`));
        card.querySelector(".progress")?.replaceWith(progressBar(order)); // the panel stays, the numbers move
        return card;
      });
      if (append) list.append(...cards);
      else list.replaceChildren(...cards);
      if (!list.childElementCount) list.append(h("li", { class: "empty" }, t("No orders yet.")));
      cursor = page.cursor;
      more.hidden = !cursor;
    } catch (error) {
      notify(messageOf(error));
    }
  }
  const newOrder = () => creating.replaceChildren(orderForm(null, () => { creating.replaceChildren(); load(); }));
  crafts = /** @type {{crafts: Wire.Craft[]}} */ (await api("GET", "/crafts", { language: locale })).crafts.filter((c) => c.active);
  status.addEventListener("change", () => load());
  more.addEventListener("click", () => load(true));
  view.replaceChildren(
    h("div", { class: "section-head" }, h("h1", {}, t("Orders")), field(t("Show"), status),
      h("button", { type: "button", "data-action": "new-order", onclick: newOrder }, t("New order"))),
    creating, list, more,
  );
  await load();
  whileShown(list, REFRESH_MS, () => load());
}
