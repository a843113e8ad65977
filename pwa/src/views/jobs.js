// My jobs: offers first, each with what it will earn; hooks of CONTRACT.md on every job.

import { api } from "../api.js";
import { h, notify } from "../dom.js";
import { locale, t } from "../i18n.js";

// Offers first (they wait for an answer), then work in hand, then the rest, newest first.
const ORDER = ["offered", "rework", "accepted", "submitted", "approved", "paid", "disputed", "confirmed"];

// The words for a job's state, written out so that the catalogs carry them for the app.
const STATUS_WORDS = {
  offered: () => t("offered"),
  accepted: () => t("accepted"),
  declined: () => t("declined"),
  expired: () => t("expired"),
  withdrawn: () => t("withdrawn"),
  submitted: () => t("submitted"),
  rework: () => t("rework"),
  approved: () => t("approved"),
  paid: () => t("paid"),
  confirmed: () => t("confirmed"),
  disputed: () => t("disputed"),
};

/** @param {number} fen */
function money(fen) {
  const tag = locale === "en" ? "en" : "zh-CN";
  return new Intl.NumberFormat(tag, { style: "currency", currency: "CNY" }).format(fen / 100);
}

/** @param {string} day an ISO date */
function formatDay(day) {
  const tag = locale === "en" ? "en" : "zh-CN";
  return new Intl.DateTimeFormat(tag, { month: "long", day: "numeric" }).format(new Date(`${day}T00:00:00+08:00`));
}

/** @param {any} job */
function card(job) {
  const pieces = job.status === "offered" ? job.quantity_offered : job.quantity_accepted;
  return h(
    "li",
    { class: `job ${job.status}`, "data-job-id": String(job.id), "data-status": job.status },
    h("h2", {}, `${job.code} · ${job.title}`),
    h("p", { class: "status" }, (STATUS_WORDS[job.status] || (() => job.status))()),
    h("p", {}, t("{quantity} pieces × {price}", { quantity: pieces, price: money(job.unit_price_fen) })),
    h("p", { class: "earns" }, t("Earns {amount}", { amount: money(pieces * job.unit_price_fen) })),
    h("p", {}, t("Due {day}", { day: formatDay(job.due_date) })),
    job.quantity_reported ? h("p", {}, t("{count} reported done, waiting for photos", { count: job.quantity_reported })) : null,
  );
}

/** @param {HTMLElement} view */
export async function myJobs(view) {
  const list = h("ol", { class: "jobs" });
  view.replaceChildren(h("h1", {}, t("My jobs")), list);
  try {
    const { jobs } = await api("GET", "/jobs", { query: { since: "0" }, language: locale });
    const rank = (job) => ORDER.indexOf(job.status) === -1 ? ORDER.length : ORDER.indexOf(job.status);
    jobs.sort((a, b) => rank(a) - rank(b) || b.id - a.id);
    list.replaceChildren(...jobs.map(card));
    if (!jobs.length) list.append(h("li", { class: "empty" }, t("No jobs yet. New offers will show here.")));
  } catch (error) {
    notify(error.status ? error.message : t("No connection. Showing what was saved."));
  }
}
