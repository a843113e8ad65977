// My income (收入明细), loaded only when she asks for it (not in the service worker's shell,
// so the first visit does not pay for it; its styles come with it). A month at a time, China
// time: per brand and job what it earned and what was paid, confirmed or disputed, with the
// totals; a printable page for a loan officer or the village committee, with the brand's
// name, her name, the month and the day it was printed. Amounts are written by the server,
// in her language (Babel).

import { api, ApiError } from "../api.js";
import { h, notify } from "../dom.js";
import { loadOnDemand, locale, t } from "../i18n.js";

const STYLES = "/pwa/styles/on-demand/statement.css";
/** @type {Array<[keyof Wire.StatementTotals, () => string]>} the totals, in the order shown */
const TOTALS = [
  ["earned", () => t("Earned")],
  ["paid", () => t("Paid to you")],
  ["confirmed", () => t("Confirmed received")],
  ["disputed", () => t("Disputed")],
  ["awaiting", () => t("Awaiting your confirmation")],
  ["advanced", () => t("Advances paid to you")],
  ["deducted", () => t("Advances deducted")],
  ["kit", () => t("Materials deducted")], // shown only when there is some: most months have none
];

/** Her statement, month by month. @param {HTMLElement} view @param {() => unknown} back draws the main page again
@returns {Promise<void>} */
export async function myIncome(view, back) {
  addStyles();
  await loadOnDemand();
  const picker = h("select", { name: "month", "aria-label": t("Month") });
  const page = h("div", { "data-statement-page": true });
  const controls = h(
    "div",
    { class: "statement-controls no-print" },
    h("label", {}, t("Month"), picker),
    h("button", { type: "button", "data-action": "printable", onclick: () => printable(true) }, t("Printable page")),
    h("button", { type: "button", class: "quiet", "data-action": "back", onclick: back }, t("Back to my jobs")),
  );
  const section = h("section", { class: "statement" }, h("h1", { class: "no-print" }, t("My income")), controls, page);
  view.replaceChildren(section);
  /** @type {Wire.Statement | null} */
  let shown = null;

  /** The printable page, or back to the screen. @param {boolean} on */
  function printable(on) {
    if (!shown) return;
    section.classList.toggle("printable", on);
    controls.hidden = on;
    page.replaceChildren(on ? printPage(shown, () => printable(false)) : screen(shown));
  }

  /** @param {string | undefined} month @returns {Promise<Wire.Statement | null>} */
  async function showMonth(month) {
    notify("");
    try {
      shown = /** @type {Wire.Statement} */ (await api("GET", "/me/statement", { query: month ? { month } : {}, language: locale }));
    } catch (error) {
      notify(error instanceof ApiError && error.status < 500 ? error.message : t("This needs a connection. Please try again when there is a signal."));
      return null;
    }
    printable(false);
    return shown;
  }

  picker.addEventListener("change", () => showMonth(picker.value));
  const first = await showMonth(undefined);
  if (first) await fillMonths(picker, first.month);
}

/** Link the view's styles once (print rules included). */
function addStyles() {
  if (document.querySelector(`link[href="${STYLES}"]`)) return;
  document.head.append(h("link", { rel: "stylesheet", href: STYLES }));
}

/** The months she has anything in, newest first, the one shown selected.
@param {HTMLSelectElement} picker @param {string} current @returns {Promise<void>} */
async function fillMonths(picker, current) {
  let months = [current];
  try {
    months = /** @type {Wire.StatementMonths} */ (await api("GET", "/me/statement/months", { language: locale })).months;
  } catch {
    // offline: the month shown only
  }
  const all = [...new Set([current, ...months])].sort().reverse();
  picker.replaceChildren(...all.map((month) => h("option", { value: month }, monthName(month))));
  picker.value = current;
}

/** "2026-11" as the reader writes it with its year (2026年11月, November 2026). @param {string} month */
function monthName(month) {
  const tag = locale === "en" ? "en" : "zh-CN";
  return new Intl.DateTimeFormat(tag, { year: "numeric", month: "long", timeZone: "Asia/Shanghai" }).format(new Date(`${month}-15T12:00:00+08:00`));
}

/** A calendar day in China with its year. @param {string} day */
function dayName(day) {
  const tag = locale === "en" ? "en" : "zh-CN";
  return new Intl.DateTimeFormat(tag, { dateStyle: "long", timeZone: "Asia/Shanghai" }).format(new Date(`${day}T12:00:00+08:00`));
}

/** A line's day without its year (the month is named above it). @param {string} day */
function dayInMonth(day) {
  const tag = locale === "en" ? "en" : "zh-CN";
  return new Intl.DateTimeFormat(tag, { month: "short", day: "numeric", timeZone: "Asia/Shanghai" }).format(new Date(`${day}T12:00:00+08:00`));
}

/** The month on the screen: each brand, its jobs and lines, totals. @param {Wire.Statement} statement */
function screen(statement) {
  if (!statement.brands.length) return h("p", { class: "empty", "data-empty": true }, t("Nothing earned or paid in {month}.", { month: monthName(statement.month) }));
  return h(
    "div",
    {},
    ...statement.brands.map((brand) => brandPart(brand)),
    statement.brands.length > 1 ? totals(statement.totals, t("All brands"), "all") : null,
  );
}

/** @param {Wire.StatementBrand} brand */
function brandPart(brand) {
  return h(
    "section",
    { class: "statement-brand", "data-brand-id": String(brand.brand_id) },
    h("h2", {}, brand.brand_name),
    h("ul", { class: "statement-jobs" }, ...brand.jobs.map(jobPart)),
    totals(brand.totals, t("Total at {brand}", { brand: brand.brand_name }), String(brand.brand_id)),
  );
}

/** @param {Wire.StatementJob} job */
function jobPart(job) {
  return h(
    "li",
    { class: "statement-job", "data-statement-job": String(job.job_id) },
    h("h3", {}, `${job.code} · ${job.order_title}`),
    h("table", {}, h("tbody", {}, ...job.lines.map(linePart))),
  );
}

/** A line: its day, what it is, its amount. @param {Wire.StatementLine} line */
function linePart(line) {
  return h(
    "tr",
    { "data-line-kind": line.kind },
    h("td", { class: "day" }, dayInMonth(line.day)),
    h("td", {}, ...lineWords(line).map((words) => h("div", {}, words))),
    h("td", { class: "amount" }, ["deducted", "kit"].includes(line.kind) ? `−${line.amount.text}` : line.amount.text),
  );
}

/** What each kind of line says, in words. @type {Record<string, (line: Wire.StatementLine) => string[]>} */
const LINE_WORDS = {
  earned: (line) => [t("Earned: {quantity} pieces approved × {rate}", { quantity: line.quantity ?? 0, rate: line.unit_price?.text ?? "" })],
  paid: paidWords,
  advanced: advanceWords,
  deducted: () => [t("Advance deducted from this job's payment")],
  kit: () => [t("Materials short, deducted from this job's payment by the coordinator's decision")],
};

/** What a line says, in words. @param {Wire.StatementLine} line @returns {string[]} */
function lineWords(line) {
  return (LINE_WORDS[line.kind] || ((/** @type {Wire.StatementLine} */ other) => [other.kind]))(line);
}

/** A payout (its net), and her word on it. @param {Wire.StatementLine} line @returns {string[]} */
function paidWords(line) {
  const status = line.status === "paid" ? t("Awaiting your confirmation") : line.status_label;
  const words = [t("Paid by {method}", { method: line.method_label }) + (line.reference ? ` (${line.reference})` : ""), status];
  if (line.dispute_reason) words.push(t("Disputed: {reason}", { reason: line.dispute_reason }));
  if (line.resolution_note) words.push(t("Resolved: {note}", { note: line.resolution_note }));
  return words;
}

/** An advance paid on the job, and her word on it. @param {Wire.StatementLine} line @returns {string[]} */
function advanceWords(line) {
  const words = [t("Advance paid by {method}", { method: line.method_label }) + (line.reference ? ` (${line.reference})` : "")];
  words.push(line.status === "paid" ? t("Awaiting your confirmation") : line.status_label);
  if (line.dispute_reason) words.push(t("Disputed: {reason}", { reason: line.dispute_reason }));
  if (line.resolution_note) words.push(t("Resolved: {note}", { note: line.resolution_note }));
  return words;
}

/** @param {Wire.StatementTotals} sums @param {string} title @param {string} whose a brand's id, or "all" */
function totals(sums, title, whose) {
  return h(
    "div",
    { class: "statement-totals", "data-totals": whose },
    h("h3", {}, title),
    h("dl", {}, ...TOTALS.filter(([name]) => name !== "kit" || sums.kit?.fen).flatMap(([name, label]) => [
      h("dt", {}, label()), h("dd", { "data-total": name, "data-fen": String(sums[name].fen) }, sums[name].text)])),
  );
}

/** The page to print: who, which month, every line and total, the day printed, and a Print
button that is not printed. @param {Wire.Statement} statement @param {() => void} close */
function printPage(statement, close) {
  const brands = statement.brands.map((brand) => brand.brand_name).join("、");
  return h(
    "article",
    { class: "statement-print", "data-printable": true },
    h("h1", {}, brands ? t("{brand}: income statement", { brand: brands }) : t("Income statement")),
    h("p", { class: "who" }, t("Artisan: {name}", { name: statement.name }), h("br"), t("Month: {month}", { month: monthName(statement.month) })),
    screen(statement),
    h("p", { class: "printed-on" }, t("Printed on {day}", { day: dayName(statement.generated_on) })),
    h(
      "div",
      { class: "no-print" },
      h("button", { type: "button", "data-action": "print", onclick: () => window.print() }, t("Print")),
      h("button", { type: "button", class: "quiet", "data-action": "close-printable", onclick: close }, t("Back")),
    ),
  );
}
