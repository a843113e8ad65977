// My jobs on screen: offers first, each with its pattern photo and what it will earn; finished
// work sent with photos. Drawn from the controller's state (jobs-controller.js); what the
// artisan asks (accept, decline, submit) goes back to it as events. Hooks of CONTRACT.md on
// every job.

import { namesBrands } from "../brands.js";
import { h, notify, oneTap, photo } from "../dom.js";
import { formatDay, formatMoney, statusWord, t } from "../i18n.js";
import * as photos from "../photos.js";

/** What a card asks of the controller. @typedef {{job: Wire.Job, quantity?: number, pictures?: Blob[], price?: number | null}} Ask */
/** What the view reads. @typedef {{jobs: Map<number, Wire.Job>, waiting: Set<number>, pending: number, mine: Set<number>}} State */

// Offers first (they wait for an answer), then work in hand, then the rest, newest first.
/** A job takes an advance from its acceptance until its payout (backend/payouts/advances.py). */
const ADVANCEABLE = ["accepted", "submitted", "rework", "approved"];
const ORDER = ["offered", "rework", "accepted", "submitted", "approved", "paid", "disputed", "confirmed"];
const EARNED = ["approved", "paid", "confirmed", "disputed"]; // the work is done and approved
/** She may say the piece rate is too low (价低) while the work is still to do (backend/jobs/price_feedback.py). */
const PRICE_OPEN = ["offered", "accepted"];

/** The order's pattern photo. @param {Wire.Job} job */
function pattern(job) {
  const [first] = job.reference_photo_ids || [];
  return first ? photo(first, "list", { class: "pattern", alt: t("The pattern to follow"), width: "96", height: "96" }) : null;
}

/** Pieces × the piece rate, and beside it the hourly rate the order's estimated hours imply.
@param {Wire.Job} job @param {number} pieces */
function rate(job, pieces) {
  const line = h("p", {}, t("{quantity} pieces × {price}", { quantity: pieces, price: formatMoney(job.unit_price_fen) }));
  if (job.hourly_rate_fen) {
    line.append(" · ", h("span", { class: "hourly", "data-hourly": String(job.hourly_rate_fen) }, t("about {rate} an hour", { rate: formatMoney(job.hourly_rate_fen) })));
  }
  return line;
}

/** @param {Wire.Job} job */
function rank(job) {
  const found = ORDER.indexOf(job.status);
  return found === -1 ? ORDER.length : found;
}

export class JobsView extends EventTarget {
  /** @param {HTMLElement} element where the list goes @param {State} state */
  constructor(element, state) {
    super();
    this.state = state;
    this.list = h("ol", { class: "jobs" });
    /** @type {Map<number, {job: Wire.Job, element: HTMLElement}>} the card on screen and the job it shows */
    this.drawn = new Map();
    this.several = false; // she works with several brands: each card names its own
    /** @type {((job: Wire.Job) => HTMLElement | null) | null} more of a card, drawn by a view loaded later (on-demand/kits.js) */
    this.extra = null;
    element.replaceChildren(h("h1", {}, t("My jobs")), this.list);
  }

  isShown() {
    return this.list.isConnected;
  }

  /** Cards are drawn anew next time (what they show besides their job changed). */
  forgetCards() {
    this.drawn.clear();
  }

  /** Every job, in order. An unchanged job keeps its card: what the artisan typed there stays. */
  render() {
    const several = namesBrands();
    if (several !== this.several) this.forgetCards();
    this.several = several;
    const sorted = [...this.state.jobs.values()].sort((a, b) => rank(a) - rank(b) || b.id - a.id);
    this.list.replaceChildren(...sorted.map((job) => this.cardOf(job)));
    if (!sorted.length) this.list.append(h("li", { class: "empty" }, t("No jobs yet. New offers will show here.")));
  }

  /** Redraw one job's card only: what the artisan is typing in another card stays. @param {number} jobId */
  refresh(jobId) {
    const job = this.state.jobs.get(jobId);
    const shown = this.list.querySelector(`[data-job-id="${jobId}"]`);
    if (!job || !shown) return;
    this.drawn.delete(jobId);
    shown.replaceWith(this.cardOf(job));
  }

  /** How many actions wait to be sent (CONTRACT.md's [data-sync]). */
  showPending() {
    const sync = /** @type {HTMLElement} */ (document.querySelector("[data-sync]"));
    const count = this.state.pending;
    sync.dataset.pending = String(count);
    sync.textContent = count ? t("{count} waiting to send", { count }) : "";
  }

  /** The card on screen while its job is unchanged, a new one when it changed. @param {Wire.Job} job */
  cardOf(job) {
    const kept = this.drawn.get(job.id);
    if (kept && kept.job === job) return kept.element;
    const element = this.card(job);
    this.drawn.set(job.id, { job, element });
    return element;
  }

  /** @param {"accept" | "decline" | "submit" | "advance" | "price-low"} name @param {Ask} ask */
  ask(name, ask) {
    this.dispatchEvent(new CustomEvent(name, { detail: ask }));
  }

  /** @param {Wire.Job} job */
  card(job) {
    const pieces = job.status === "offered" ? job.quantity_offered : job.quantity_accepted;
    const forOther = this.state.mine.size > 0 && !this.state.mine.has(job.artisan_id);
    return h(
      "li",
      { class: `job ${job.status}`, "data-job-id": String(job.id), "data-status": job.status },
      pattern(job),
      h("h2", {}, `${job.code} · ${job.title}`),
      this.several && job.brand_name ? h("p", { class: "brand" }, t("Work for {brand}", { brand: job.brand_name })) : null,
      forOther ? h("p", { class: "whose" }, t("For {name}", { name: job.artisan_name })) : null,
      h("p", { class: "status" }, statusWord(job.status)),
      rate(job, pieces),
      h("p", { class: "earns" }, EARNED.includes(job.status)
        ? t("Earned {amount}", { amount: formatMoney(job.quantity_approved * job.unit_price_fen) })
        : t("Earns {amount}", { amount: formatMoney(pieces * job.unit_price_fen) })),
      h("p", {}, t("Due {day}", { day: formatDay(job.due_date) })),
      job.quality_notes ? h("p", { class: "notes" }, job.quality_notes) : null,
      job.quantity_reported ? h("p", {}, t("{count} reported done, waiting for photos", { count: job.quantity_reported })) : null,
      this.actions(job, this.state.waiting.has(job.id)),
      this.priceLow(job, forOther),
      this.advance(job, forOther),
      this.more(job),
    );
  }

  /** "Price too low" (价低), with the piece rate she would take if she says one; the offer stays
  open. Once sent, the card says so. @param {Wire.Job} job @param {boolean} forOther */
  priceLow(job, forOther) {
    if (forOther || !PRICE_OPEN.includes(job.status)) return null;
    if (job.price_feedback) {
      const said = job.price_asked_fen
        ? t("Sent: the price is too low; you would take {price} a piece.", { price: formatMoney(job.price_asked_fen) })
        : t("Sent: the price is too low. Your coordinator will see it.");
      return h("p", { class: "hint", "data-price-feedback": "sent" }, said);
    }
    const busy = this.state.waiting.has(job.id);
    const price = h("input", { name: "price_asked", inputmode: "decimal", placeholder: t("Optional"), "aria-label": t("Price you would take a piece (yuan)") });
    const send = () => {
      const yuan = price.value.trim() ? Number(price.value.trim()) : null;
      if (yuan !== null && !(yuan > 0)) {
        notify(t("Write the price in yuan, e.g. 45 or 45.50."));
        return false;
      }
      this.ask("price-low", { job, price: yuan === null ? null : Math.round(yuan * 100) });
      return true;
    };
    return h(
      "details",
      { class: "actions price-low" },
      h("summary", { "data-action": "price-too-low" }, t("Price too low")),
      h("label", {}, t("Price you would take a piece (yuan)"), price),
      h("button", { type: "button", class: "quiet", "data-action": "send-price", onclick: oneTap(send), disabled: busy }, t("Tell the coordinator")),
    );
  }

  /** What a view loaded later adds to the card (her kits). @param {Wire.Job} job */
  more(job) {
    return this.extra ? this.extra(job) : null;
  }

  /** Ask for an advance (预支) on work in hand: the most the brand allows; the coordinator answers.
  Not on a neighbour's job (a leader's list), nor before acceptance or after payment.
  @param {Wire.Job} job @param {boolean} forOther */
  advance(job, forOther) {
    if (forOther || !ADVANCEABLE.includes(job.status)) return null;
    const busy = this.state.waiting.has(job.id);
    return h(
      "div",
      { class: "actions advance" },
      h("button", { type: "button", class: "quiet", "data-action": "advance", onclick: oneTap(() => this.ask("advance", { job })), disabled: busy }, t("Ask for an advance")),
    );
  }

  /** What the artisan may do with the job now. @param {Wire.Job} job @param {boolean} busy an action waits */
  actions(job, busy) {
    if (job.status === "offered") return this.answer(job, busy);
    return job.status === "accepted" || job.status === "rework" ? this.submission(job, busy) : null;
  }

  /** An offer: all or some of its pieces accepted, or declined. @param {Wire.Job} job @param {boolean} busy */
  answer(job, busy) {
    const quantity = h("input", {
      name: "quantity", type: "number", inputmode: "numeric", min: "1", max: String(job.quantity_offered),
      value: String(job.quantity_offered), "aria-label": t("Pieces"),
    });
    const accept = () => this.ask("accept", { job, quantity: Number(quantity.value) });
    return h(
      "div",
      { class: "actions" },
      h("label", {}, t("Pieces"), quantity),
      h("button", { type: "button", "data-action": "accept", onclick: oneTap(accept), disabled: busy }, t("Accept")),
      h("button", { type: "button", class: "quiet", "data-action": "decline", onclick: oneTap(() => this.ask("decline", { job })), disabled: busy }, t("Decline")),
      busy ? h("p", { class: "hint" }, t("Waiting to send: it goes out as soon as there is a signal.")) : null,
    );
  }

  /** Finished pieces with photos, made small here. @param {Wire.Job} job @param {boolean} busy */
  submission(job, busy) {
    const quantity = h("input", {
      name: "quantity", type: "number", inputmode: "numeric", min: "1", max: String(job.quantity_accepted),
      value: String(job.quantity_reported || job.quantity_accepted), "aria-label": t("Finished pieces"), // what was reported by SMS
    });
    const files = h("input", { type: "file", accept: "image/*", multiple: true, "aria-label": t("Photos of the finished pieces") });
    const submit = async () => {
      notify("");
      if (!files.files?.length) {
        notify(t("Add at least one photo of the finished pieces."));
        return false;
      }
      try {
        const pictures = await Promise.all([...files.files].slice(0, 20).map(photos.downscale));
        this.ask("submit", { job, quantity: Number(quantity.value), pictures });
        return true;
      } catch {
        notify(t("One of these files is not a photo. Please choose photos only."));
        return false;
      }
    };
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
}
