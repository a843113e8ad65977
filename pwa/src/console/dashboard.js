// The dashboard: where every order stands, how each village keeps its dates and what it
// earns month by month, the SMS sent and what they cost, and the voice calls month by month. Pictures first; the numbers are
// in each shape's tooltip.

import { api, messageOf } from "../api.js";
import { h, notify } from "../dom.js";
import { formatMoney, formatMonth, locale, statusWord, t } from "../i18n.js";
import { dayColumns, figure, heatMap, stackedBars } from "./charts.js";

const STAGES = ["#1b5e20", "#43a047", "#f9a825", "#5c7cbd", "#c9d6ea"]; // paid → offered

/** @param {Wire.OrdersBoard} board */
function orderProgress(board) {
  const names = ["paid", "approved", "submitted", "accepted", "offered"].map(statusWord);
  const rows = board.orders.slice(0, 20).map((o) => ({
    label: o.late ? `${o.title} ⚠` : o.title,
    total: o.quantity,
    flag: o.late,
    parts: [o.paid, o.approved - o.paid, o.submitted - o.approved, o.accepted - o.submitted, o.offered_open],
  }));
  const chart = rows.length ? stackedBars(rows, STAGES, names) : h("p", { class: "empty" }, t("No open orders."));
  const legend = names.map((name, i) => /** @type {[string, string]} */ ([name, STAGES[i]]));
  return figure("orders", t("Open orders: pieces at each stage (⚠ late)"), chart, legend);
}

/** @param {Wire.VillagesBoard} board */
function villageMaps(board) {
  const months = board.months.map(formatMonth);
  const names = board.villages.map((v) => v.village);
  const onTime = board.villages.map((v) => v.months.map((m) => (m.on_time_rate === null ? null : m.on_time_rate)));
  const earnings = board.villages.map((v) => v.months.map((m) => m.earnings_fen));
  return [
    figure("on-time", t("On-time rate per village and month"), heatMap(names, months, onTime, (rate) => `${Math.round(rate * 100)}%`, 140)),
    figure("earnings", t("Earnings per village and month"), heatMap(names, months, earnings, (fen) => formatMoney(fen).replace(/\.00$/, ""), 35)),
  ];
}

/** @param {Wire.SmsDays} usage */
function smsUse(usage) {
  const days = usage.days.map((d) => d.day.slice(5).replace("-", "/"));
  const sent = usage.days.map((d) => d.messages);
  const segments = usage.days.map((d) => d.segments);
  const held = usage.days.reduce((sum, d) => sum + d.by_status.held, 0);
  const total = segments.reduce((a, b) => a + b, 0);
  /** @type {[string, string]} */
  const names = [t("SMS sent"), t("segments (what is paid)")];
  return figure(
    "sms",
    t("SMS in the last 30 days: {messages} sent, {segments} segments paid, {held} held back now", {
      messages: sent.reduce((a, b) => a + b, 0), segments: total, held,
    }),
    dayColumns(days, sent, segments, names),
    [[names[0], "#5c7cbd"], [names[1], "#b3261e"]],
  );
}

/** @param {Wire.CallMonths} usage */
function callUse(usage) {
  const months = usage.months.map((m) => formatMonth(m.month));
  const calls = usage.months.map((m) => m.calls);
  const answered = usage.months.map((m) => m.answered);
  const sum = (/** @type {(m: Wire.CallMonth) => number} */ pick) => usage.months.reduce((total, m) => total + pick(m), 0);
  /** @type {[string, string]} */
  const names = [t("calls made"), t("answered")];
  const estimated = sum((m) => m.cost_estimated_fen);
  const said = t("Voice calls in the last 6 months: {calls} made, {answered} answered, keys pressed in {keys}, costing {cost}", {
    calls: sum((m) => m.calls), answered: sum((m) => m.answered), keys: sum((m) => m.keys_pressed),
    cost: formatMoney(sum((m) => m.cost_fen)),
  });
  const guessed = t("({estimated} of it estimated from the calls' minutes: the provider reported no cost)", {
    estimated: formatMoney(estimated),
  });
  return figure(
    "calls",
    estimated ? `${said} ${guessed}` : said,
    dayColumns(months, calls, answered, names),
    [[names[0], "#5c7cbd"], [names[1], "#b3261e"]],
  );
}

/** @param {HTMLElement} view @returns {Promise<void>} */
export async function dashboard(view) {
  view.replaceChildren(h("h1", {}, t("Dashboard")));
  try {
    const [orders, villages, sms, calls] = /** @type {[Wire.OrdersBoard, Wire.VillagesBoard, Wire.SmsDays, Wire.CallMonths]} */ (
      await Promise.all([
        api("GET", "/dashboard/orders", { query: { status: "open" }, language: locale }),
        api("GET", "/dashboard/villages", { query: { months: "6" }, language: locale }),
        api("GET", "/dashboard/sms", { query: { days: "30" }, language: locale }),
        api("GET", "/dashboard/calls", { query: { months: "6" }, language: locale }),
      ])
    );
    view.append(h("div", { class: "charts" }, orderProgress(orders), ...villageMaps(villages), smsUse(sms), callUse(calls)));
  } catch (error) {
    notify(messageOf(error));
  }
}
