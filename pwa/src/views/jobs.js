// My jobs: offers first, each with what it will earn; hooks of CONTRACT.md on every job.

import { api } from "../api.js";
import { h, notify } from "../dom.js";
import { formatDay, formatMoney, locale, t } from "../i18n.js";
import * as outbox from "../outbox.js";

const jobs = new Map(); // id → the job as the server last told it
let waiting = new Set(); // ids of jobs with an action not yet through
let list = null;
let listening = false;

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

/** What to do after the server refused a queued action, by its code. */
function nextStep(code) {
  if (code === "order_full") return t("Try fewer pieces, or wait for new offers.");
  if (["offer_expired", "order_closed", "invalid_transition", "not_found"].includes(code)) {
    return t("This offer is closed; new offers will show here.");
  }
  return t("Please check and try again.");
}

/** @param {any} job */
function actions(job) {
  if (job.status !== "offered") return null;
  const quantity = h("input", {
    name: "quantity", type: "number", inputmode: "numeric", min: "1", max: String(job.quantity_offered),
    value: String(job.quantity_offered), "aria-label": t("Pieces"),
  });
  const busy = waiting.has(job.id);
  const accept = () => outbox.send(`/jobs/${job.id}/accept`, { quantity: Number(quantity.value) }, { job: job.id, code: job.code });
  const decline = () => outbox.send(`/jobs/${job.id}/decline`, {}, { job: job.id, code: job.code });
  return h(
    "div",
    { class: "actions" },
    h("label", {}, t("Pieces"), quantity),
    h("button", { type: "button", "data-action": "accept", onclick: accept, disabled: busy }, t("Accept")),
    h("button", { type: "button", class: "quiet", "data-action": "decline", onclick: decline, disabled: busy }, t("Decline")),
    busy ? h("p", { class: "hint" }, t("Waiting to send: it goes out as soon as there is a signal.")) : null,
  );
}

/** @param {any} job */
function card(job) {
  const pieces = job.status === "offered" ? job.quantity_offered : job.quantity_accepted;
  return h(
    "li",
    { class: `job ${job.status}`, "data-job-id": String(job.id), "data-status": job.status },
    h("h2", {}, `${job.code} · ${job.title}`),
    h("p", { class: "status" }, (STATUS_WORDS[job.status] || (() => job.status))()),
    h("p", {}, t("{quantity} pieces × {price}", { quantity: pieces, price: formatMoney(job.unit_price_fen) })),
    h("p", { class: "earns" }, t("Earns {amount}", { amount: formatMoney(pieces * job.unit_price_fen) })),
    h("p", {}, t("Due {day}", { day: formatDay(job.due_date) })),
    job.quantity_reported ? h("p", {}, t("{count} reported done, waiting for photos", { count: job.quantity_reported })) : null,
    actions(job),
  );
}

function rank(job) {
  const found = ORDER.indexOf(job.status);
  return found === -1 ? ORDER.length : found;
}

function render() {
  if (!list) return;
  const sorted = [...jobs.values()].sort((a, b) => rank(a) - rank(b) || b.id - a.id);
  list.replaceChildren(...sorted.map(card));
  if (!sorted.length) list.append(h("li", { class: "empty" }, t("No jobs yet. New offers will show here.")));
}

/** Redraw one job's card only: what the artisan is typing in another card stays. */
function refresh(jobId) {
  const job = jobs.get(jobId);
  const shown = list?.querySelector(`[data-job-id="${jobId}"]`);
  if (job && shown) shown.replaceWith(card(job));
}

async function showPending() {
  const queued = await outbox.queued();
  const before = waiting;
  waiting = new Set(queued.map((entry) => entry.about?.job).filter(Boolean));
  const sync = /** @type {HTMLElement} */ (document.querySelector("[data-sync]"));
  sync.dataset.pending = String(queued.length);
  sync.textContent = queued.length ? t("{count} waiting to send", { count: queued.length }) : "";
  for (const jobId of new Set([...before, ...waiting])) {
    if (before.has(jobId) !== waiting.has(jobId)) refresh(jobId);
  }
}

async function load() {
  const answer = await api("GET", "/jobs", { query: { since: "0" }, language: locale });
  jobs.clear();
  for (const job of answer.jobs) jobs.set(job.id, job);
}

function listen() {
  if (listening) return;
  listening = true;
  outbox.on("change", showPending);
  outbox.on("done", (entry, job) => {
    if (!entry.about?.job || !job?.id) return;
    jobs.set(job.id, { ...jobs.get(job.id), ...job });
    refresh(job.id);
  });
  outbox.on("refused", async (entry, error) => {
    const next = entry.about?.job ? nextStep(error.code) : t("Please check and try again.");
    notify(`${entry.about?.code || ""} ${error.message} ${next}`.trim());
    try {
      await load(); // where things stand now
    } catch {
      // offline again: the notice says enough
    }
    render();
  });
}

/** @param {HTMLElement} view */
export async function myJobs(view) {
  list = h("ol", { class: "jobs" });
  view.replaceChildren(h("h1", {}, t("My jobs")), list);
  listen();
  try {
    await load();
  } catch (error) {
    notify(error.status ? error.message : t("No connection. Showing what was saved."));
  }
  render();
  await showPending();
  outbox.keepTrying();
}
