// Piece passports of an order: one per approved batch, with its scans and a flag when a label
// is scanned far more often than its pieces could be (a likely copy); withdraw one with a
// reason; print a sheet of QR labels.

import { api, messageOf, newKey, raw } from "../api.js";
import { h, notify } from "../dom.js";
import { formatDay, locale, t } from "../i18n.js";
import { table } from "./ui.js";

/** A passport's QR label as an <img> (the SVG needs the token, which an <img> cannot send).
@param {string} id @returns {HTMLImageElement} */
function qrImage(id) {
  const image = h("img", { alt: t("QR code"), class: "qr", "data-qr-for": id });
  raw("GET", `/passports/${encodeURIComponent(id)}/qr.svg`)
    .then(async (answer) => (image.src = URL.createObjectURL(await answer.blob())))
    .catch(() => image.classList.add("missing"));
  return image;
}

/** Ask for the reason, then withdraw. @param {Wire.Passport} passport @param {() => void} done */
function withdrawForm(passport, done) {
  const reason = h("input", { name: "withdraw_reason", required: true, maxlength: "500" });
  const key = newKey(); // a double click withdraws once
  /** @param {Event} event */
  async function send(event) {
    event.preventDefault();
    try {
      const body = { reason: reason.value };
      await api("POST", `/passports/${encodeURIComponent(passport.id)}/withdraw`, { body, language: locale, headers: { "Idempotency-Key": key } });
      done();
    } catch (error) {
      notify(messageOf(error));
    }
  }
  return h("form", { class: "inline", onsubmit: send },
    h("label", {}, t("Reason"), " ", reason),
    h("button", { type: "submit", class: "danger", "data-action": "send-withdraw" }, t("Withdraw")));
}

/** @param {Wire.Passport} passport @param {() => void} refresh */
function passportRow(passport, refresh) {
  const actions = h("td", { class: "actions" });
  if (passport.status === "valid") {
    actions.append(h("button", { type: "button", "data-action": "withdraw-passport",
      onclick: () => actions.replaceChildren(withdrawForm(passport, refresh)) }, t("Withdraw")));
  } else {
    actions.append(h("span", { class: "withdrawn" }, t("Withdrawn: {reason}", { reason: passport.withdrawn_reason })));
  }
  const scans = t("{total} ({recent} in 30 days)", { total: passport.scans_total, recent: passport.scans_last_30_days });
  return h("tr", { "data-passport-id": passport.id, "data-status": passport.status },
    h("td", {}, h("a", { href: passport.url, target: "_blank", rel: "noopener" }, passport.job_code)),
    h("td", {}, passport.artisan_name),
    h("td", {}, String(passport.quantity)),
    h("td", {}, formatDay(passport.approved_at.slice(0, 10))),
    h("td", {}, scans, passport.flagged
      ? h("strong", { class: "flag", "data-flagged": "", title: t("Scanned more often in one day than its pieces explain: a copied label?") }, " ⚑ ", t("copy?"))
      : null),
    actions);
}

/** The label sheet: the order's valid passports as QR labels in a grid, ready to print.
@param {Wire.PassportList} list @param {() => void} back @returns {HTMLElement} */
function labelSheet(list, back) {
  const labels = list.passports.filter((p) => p.status === "valid").map((p) =>
    h("figure", { class: "label", "data-label": p.id },
      qrImage(p.id),
      h("figcaption", {}, h("strong", {}, list.order_title), h("br"), p.job_code, " · ", t("{quantity} pieces", { quantity: p.quantity }))));
  return h("section", { class: "label-sheet", "data-label-sheet": "" },
    h("div", { class: "buttons no-print" },
      h("button", { type: "button", "data-action": "print", onclick: () => window.print() }, t("Print")),
      h("button", { type: "button", onclick: back }, t("Close"))),
    h("div", { class: "labels" }, ...labels));
}

/** The passports panel of one order. @param {Wire.Order} order @returns {HTMLElement} */
export function passportsPanel(order) {
  const panel = h("div", { class: "passports card", "data-passports": String(order.id) });
  async function load() {
    try {
      const list = /** @type {Wire.PassportList} */ (await api("GET", "/passports", { query: { order_id: order.id }, language: locale }));
      const summary = t("Scans of this product: {total} ({recent} in 30 days) · flagged labels: {flagged}",
        { total: list.scans_total, recent: list.scans_last_30_days, flagged: list.flagged });
      const sheet = () => panel.replaceChildren(labelSheet(list, load));
      const printable = list.passports.some((p) => p.status === "valid");
      panel.replaceChildren(
        h("h3", {}, t("Piece passports")),
        h("p", { "data-scans": String(list.scans_total) }, summary),
        list.passports.length
          ? table([t("Job"), t("Artisan"), t("Pieces"), t("Approved"), t("Scans"), ""], h("tbody", {}, ...list.passports.map((p) => passportRow(p, load))))
          : h("p", { class: "empty" }, t("No passports yet: each approved batch gets one.")),
        h("button", { type: "button", "data-action": "label-sheet", onclick: sheet, hidden: !printable }, t("Label sheet")));
    } catch (error) {
      notify(messageOf(error));
    }
  }
  load();
  return panel;
}
