// My jobs: offers first, each with its pattern photo and what it will earn; finished work
// sent with photos. Kept on the phone and brought up to date by the feed's cursor, so a
// visit shows them at once, with or without a signal. Hooks of CONTRACT.md on every job.

import { api } from "../api.js";
import { inStore, remember, remembered } from "../db.js";
import { h, notify, oneTap, photo } from "../dom.js";
import { formatDay, formatMoney, locale, statusWord, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import * as photos from "../photos.js";

const FEED_PAGE = 200; // the server's page: a full one means there may be more
const jobs = new Map(); // id → the job as the server last told it
const drawn = new Map(); // id → {job, element}: the card on screen and the job it shows
const SYNC_MS = 60_000; // while the app is seen: new offers show without a reload (a 304 costs 151 bytes)
let waiting = new Set(); // ids of jobs with an action not yet through
let myself = null; // my member id: a village leader's list holds the neighbours' jobs
let list = null;
let listening = false;

// Offers first (they wait for an answer), then work in hand, then the rest, newest first.
const ORDER = ["offered", "rework", "accepted", "submitted", "approved", "paid", "disputed", "confirmed"];

/** What to do after the server refused a queued action, by the action and the refusal's code. */
function nextStep(path, code) {
  if (path.endsWith("/submissions")) {
    if (code === "invalid_transition") return t("Someone already sent this work; the list shows where it stands.");
    return t("Check the pieces and photos, then send again.");
  }
  if (code === "order_full") return t("Try fewer pieces, or wait for new offers.");
  if (["offer_expired", "order_closed", "invalid_transition", "not_found"].includes(code)) {
    return t("This offer is closed; new offers will show here.");
  }
  return t("Please check and try again.");
}

/** @param {any} job */
function answer(job) {
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
    h("button", { type: "button", "data-action": "accept", onclick: oneTap(accept), disabled: busy }, t("Accept")),
    h("button", { type: "button", class: "quiet", "data-action": "decline", onclick: oneTap(decline), disabled: busy }, t("Decline")),
    busy ? h("p", { class: "hint" }, t("Waiting to send: it goes out as soon as there is a signal.")) : null,
  );
}

/** Finished pieces with photos: made small here, then queued until they are all up. */
function submission(job) {
  const quantity = h("input", {
    name: "quantity", type: "number", inputmode: "numeric", min: "1", max: String(job.quantity_accepted),
    value: String(job.quantity_reported || job.quantity_accepted), "aria-label": t("Finished pieces"), // what was reported by SMS
  });
  const files = h("input", { type: "file", accept: "image/*", multiple: true, "aria-label": t("Photos of the finished pieces") });
  const busy = waiting.has(job.id);
  async function submit() {
    notify("");
    if (!files.files?.length) {
      notify(t("Add at least one photo of the finished pieces."));
      return false;
    }
    let kept;
    try {
      kept = await photos.keep(await Promise.all([...files.files].slice(0, 20).map(photos.downscale)));
    } catch {
      notify(t("One of these files is not a photo. Please choose photos only."));
      return false;
    }
    await outbox.send(`/jobs/${job.id}/submissions`, { quantity: Number(quantity.value) }, { job: job.id, code: job.code, sync: true }, kept);
  }
  return h(
    "div",
    { class: "actions submit" },
    job.review_reason ? h("p", { class: "rework" }, t("To redo: {reason}", { reason: job.review_reason })) : null,
    h("label", {}, t("Finished pieces"), quantity),
    h("label", {}, t("Photos of the finished pieces"), files),
    h("button", { type: "button", "data-action": "submit", onclick: oneTap(submit), disabled: busy }, t("Send for review")),
    busy ? h("p", { class: "hint" }, t("Waiting to send: the photos go up as soon as there is a signal.")) : null,
  );
}

/** The order's pattern photo. */
function pattern(job) {
  const [first] = job.reference_photo_ids || [];
  return first ? photo(first, "list", { class: "pattern", alt: t("The pattern to follow"), width: "96", height: "96" }) : null;
}

const ACTIONS = { offered: answer, accepted: submission, rework: submission };
const EARNED = ["approved", "paid", "confirmed", "disputed"]; // the work is done and approved

/** @param {any} job */
function card(job) {
  const pieces = job.status === "offered" ? job.quantity_offered : job.quantity_accepted;
  return h(
    "li",
    { class: `job ${job.status}`, "data-job-id": String(job.id), "data-status": job.status },
    pattern(job),
    h("h2", {}, `${job.code} · ${job.title}`),
    myself !== null && job.artisan_id !== myself ? h("p", { class: "whose" }, t("For {name}", { name: job.artisan_name })) : null,
    h("p", { class: "status" }, statusWord(job.status)),
    h("p", {}, t("{quantity} pieces × {price}", { quantity: pieces, price: formatMoney(job.unit_price_fen) })),
    h("p", { class: "earns" }, EARNED.includes(job.status)
      ? t("Earned {amount}", { amount: formatMoney(job.quantity_approved * job.unit_price_fen) })
      : t("Earns {amount}", { amount: formatMoney(pieces * job.unit_price_fen) })),
    h("p", {}, t("Due {day}", { day: formatDay(job.due_date) })),
    job.quality_notes ? h("p", { class: "notes" }, job.quality_notes) : null,
    job.quantity_reported ? h("p", {}, t("{count} reported done, waiting for photos", { count: job.quantity_reported })) : null,
    ACTIONS[job.status]?.(job),
  );
}

function rank(job) {
  const found = ORDER.indexOf(job.status);
  return found === -1 ? ORDER.length : found;
}

/** The card of a job as it is now: the one on screen while the job is unchanged (what the
artisan typed or chose there stays), a new one when it changed. */
function cardOf(job) {
  const kept = drawn.get(job.id);
  if (kept && kept.job === job) return kept.element;
  const element = card(job);
  drawn.set(job.id, { job, element });
  return element;
}

function render() {
  if (!list) return;
  const sorted = [...jobs.values()].sort((a, b) => rank(a) - rank(b) || b.id - a.id);
  list.replaceChildren(...sorted.map(cardOf));
  if (!sorted.length) list.append(h("li", { class: "empty" }, t("No jobs yet. New offers will show here.")));
}

/** Redraw one job's card only: what the artisan is typing in another card stays. */
function refresh(jobId) {
  const job = jobs.get(jobId);
  const shown = list?.querySelector(`[data-job-id="${jobId}"]`);
  if (!job || !shown) return;
  drawn.delete(jobId);
  shown.replaceWith(cardOf(job));
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

/** Keep what the server said about these jobs, here and on the phone. */
async function keepJobs(changed) {
  for (const job of changed) jobs.set(job.id, { ...jobs.get(job.id), ...job });
  await inStore("jobs", "readwrite", (store) => changed.forEach((job) => store.put(jobs.get(job.id))));
}

/** The jobs saved on the phone: shown at once, before any network. */
async function loadSaved() {
  jobs.clear();
  for (const job of (await inStore("jobs", "readonly", (store) => store.getAll())) || []) jobs.set(job.id, job);
}

/** What changed since the last visit, page by page from the saved cursor. When nothing did,
the server answers 304 to the browser's If-None-Match and no job is sent again. */
async function sync() {
  let cursor = (await remembered("cursor")) || "0";
  for (;;) {
    const page = await api("GET", "/jobs", { query: { since: cursor }, language: locale });
    await keepJobs(page.jobs);
    cursor = page.cursor || cursor;
    await remember("cursor", cursor);
    if (page.jobs.length < FEED_PAGE) return;
  }
}

function listen() {
  if (listening) return;
  listening = true;
  // New offers and changes show while the app is open: when it is seen again, when the
  // network returns, and every minute while it is on screen.
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && syncAndShow());
  window.addEventListener("online", () => syncAndShow());
  setInterval(() => document.visibilityState === "visible" && navigator.onLine && list?.isConnected && syncAndShow(), SYNC_MS);
  outbox.on("change", showPending);
  outbox.on("done", async (entry, job) => {
    if (!entry.about?.job) return;
    if (entry.about.sync) await syncAndShow(); // a submission answers with itself: ask the feed
    else if (job?.id) {
      await keepJobs([job]);
      refresh(job.id);
    }
  });
  outbox.on("refused", async (entry, error) => {
    const next = entry.about?.job ? nextStep(entry.path, error.code) : t("Please check and try again.");
    notify(`${entry.about?.code || ""} ${error.message} ${next}`.trim());
    await syncAndShow(); // where things stand now
  });
}

async function syncAndShow() {
  try {
    await sync();
  } catch {
    return false; // offline again: what is shown stays
  }
  render();
  return true;
}

/** @param {HTMLElement} view */
export async function myJobs(view) {
  list = h("ol", { class: "jobs" });
  view.replaceChildren(h("h1", {}, t("My jobs")), list);
  listen();
  drawn.clear();
  myself = (await remembered("who")) ?? null;
  await loadSaved();
  render();
  await showPending();
  if (!(await syncAndShow()) && !navigator.onLine) notify(t("No connection. Showing what was saved."));
  outbox.keepTrying();
}
