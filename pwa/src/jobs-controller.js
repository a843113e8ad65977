// My jobs' controller, after svgomg's main controller: the one holder of their state (the jobs
// as the server last told them, the feed's cursor, which wait in the outbox, her member id in
// each of her brands), kept on the phone so that a visit shows them at once, with or without
// a signal. It
// wires the feed (sync.js), the outbox and the view (views/jobs.js): the view asks by events,
// and is told what to draw.

import { myMemberIds, myMemberships } from "./brands.js";
import { inStore, remember, remembered } from "./db.js";
import { notify } from "./dom.js";
import { formatMoney, t } from "./i18n.js";
import * as outbox from "./outbox.js";
import * as photos from "./photos.js";
import { pull, whenDue } from "./sync.js";
import { JobsView } from "./views/jobs.js";

/** @typedef {import("./views/jobs.js").Ask} Ask */

/** What to do after the server refused a queued action, by the action and the refusal's code.
@param {string} path @param {string} code @returns {string} */
function nextStep(path, code) {
  if (path.endsWith("/advance")) return ""; // the refusal says it all: one waits already, or how much is left
  if (path.endsWith("/price-feedback")) return code === "invalid" ? t("Please check and try again.") : "";
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

export class JobsController {
  /** @type {Map<number, Wire.Job>} id → the job as the server last told it */
  jobs = new Map();
  cursor = "0"; // the feed's: what the jobs here are up to date with
  /** @type {Set<number>} ids of jobs with an action not yet through */
  waiting = new Set();
  pending = 0; // actions not yet through, any of them
  /** @type {Set<number>} my member ids, one per brand: a village leader's list holds the neighbours' jobs */
  mine = new Set();
  /** @type {JobsView | null} */
  view = null;
  listening = false;

  /** Show my jobs in ``element``: the saved ones at once, then what changed. @param {HTMLElement} element */
  async show(element) {
    const view = new JobsView(element, this);
    this.view = view;
    view.addEventListener("accept", (event) => this.accept(/** @type {CustomEvent<Ask>} */ (event).detail));
    view.addEventListener("decline", (event) => this.decline(/** @type {CustomEvent<Ask>} */ (event).detail));
    view.addEventListener("submit", (event) => this.submit(/** @type {CustomEvent<Ask>} */ (event).detail));
    view.addEventListener("advance", (event) => this.advance(/** @type {CustomEvent<Ask>} */ (event).detail));
    view.addEventListener("price-low", (event) => this.priceLow(/** @type {CustomEvent<Ask>} */ (event).detail));
    this.listen();
    this.mine = myMemberIds();
    await this.restore();
    view.render();
    await this.showPending();
    if (!(await this.refresh()) && !navigator.onLine) notify(t("No connection. Showing what was saved."));
    outbox.keepTrying();
  }

  /** The jobs and the cursor saved on the phone; those of a brand she has left are forgotten
  (the feed no longer tells of them, so they would stay as they were). */
  async restore() {
    this.jobs.clear();
    const brands = new Set(myMemberships().map((m) => m.brand.id));
    /** @type {number[]} */
    const gone = [];
    for (const job of (await inStore("jobs", "readonly", (store) => store.getAll())) || []) {
      if (brands.size && job.brand_id !== undefined && !brands.has(job.brand_id)) gone.push(job.id);
      else this.jobs.set(job.id, job);
    }
    if (gone.length) await inStore("jobs", "readwrite", (store) => gone.forEach((id) => store.delete(id)));
    this.cursor = (await remembered("cursor")) || "0";
  }

  /** Another person may use this phone next: nothing of hers stays in memory either. */
  forget() {
    this.jobs.clear();
    this.cursor = "0";
    this.waiting.clear();
    this.mine = new Set();
  }

  /** Keep what the server said about these jobs, here and on the phone, and the cursor after them.
  @param {Wire.Job[]} changed @param {string} [cursor] */
  async keep(changed, cursor) {
    for (const job of changed) this.jobs.set(job.id, { ...this.jobs.get(job.id), ...job });
    await inStore("jobs", "readwrite", (store) => changed.forEach((job) => store.put(this.jobs.get(job.id))));
    if (cursor === undefined) return;
    this.cursor = cursor;
    await remember("cursor", cursor);
  }

  /** Bring the jobs up to date and draw them; false when the network is not there. */
  async refresh() {
    try {
      await pull(this);
    } catch {
      return false; // offline again: what is shown stays
    }
    this.view?.render();
    return true;
  }

  /** What waits in the outbox: counted, and the cards whose action started or ended redrawn. */
  async showPending() {
    const queued = await outbox.queued();
    const before = this.waiting;
    const jobIds = queued.map((entry) => entry.about?.job);
    this.waiting = new Set(jobIds.filter((id) => id !== undefined));
    this.pending = queued.length;
    this.view?.showPending();
    for (const id of new Set([...before, ...this.waiting])) {
      if (before.has(id) !== this.waiting.has(id)) this.view?.refresh(id);
    }
  }

  /** Once per page: the outbox's news and the feed's moments come here. */
  listen() {
    if (this.listening) return;
    this.listening = true;
    whenDue(() => this.refresh(), () => Boolean(this.view?.isShown()));
    outbox.on("change", () => this.showPending());
    outbox.on("done", async (entry, answer) => {
      if (entry.about?.advance) {
        const advance = /** @type {Wire.Advance} */ (answer);
        notify(t("{code}: advance of {amount} asked. Your coordinator will reply.", { code: advance.code, amount: formatMoney(advance.amount_fen) }));
        return;
      }
      if (!entry.about?.job) return;
      const job = /** @type {Wire.Job | null} */ (answer);
      if (entry.about.sync) await this.refresh(); // a submission answers with itself: ask the feed
      else if (job?.id) {
        await this.keep([job]);
        this.view?.refresh(job.id);
      }
    });
    outbox.on("refused", async (entry, error) => {
      const next = entry.about?.job ? nextStep(entry.path, error.code) : t("Please check and try again.");
      notify(`${entry.about?.code || ""} ${error.message} ${next}`.trim());
      await this.refresh(); // where things stand now
    });
  }

  /** @param {Ask} ask */
  accept({ job, quantity }) {
    return outbox.send(`/jobs/${job.id}/accept`, { quantity }, { job: job.id, code: job.code });
  }

  /** @param {Ask} ask */
  decline({ job }) {
    return outbox.send(`/jobs/${job.id}/decline`, {}, { job: job.id, code: job.code });
  }

  /** An advance on work in hand, the most allowed (the server counts it). @param {Ask} ask */
  advance({ job }) {
    return outbox.send(`/jobs/${job.id}/advance`, {}, { job: job.id, code: job.code, advance: true });
  }

  /** The piece rate is too low, perhaps with the rate she would take (fen); the feed then shows it sent. @param {Ask} ask */
  priceLow({ job, price }) {
    return outbox.send(`/jobs/${job.id}/price-feedback`, price ? { price_fen: price } : {}, { job: job.id, code: job.code, sync: true });
  }

  /** Finished pieces: their photos kept on the phone, the submission queued until they are up. @param {Ask} ask */
  async submit({ job, quantity, pictures = [] }) {
    const kept = await photos.keep(pictures);
    await outbox.send(`/jobs/${job.id}/submissions`, { quantity }, { job: job.id, code: job.code, sync: true }, kept);
  }
}

/** The page's one controller of my jobs. */
export const myJobs = new JobsController();
