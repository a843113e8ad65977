// The review queue: each submission's photos large, beside the order's pattern and notes;
// approve, or send back for rework with a reason (the artisan is told in the app and by SMS).
// Keys for going fast: j/k (or ↓/↑) move, a approves, r asks for rework, f shows the photos at
// full size, Esc closes the reason or the photo.

import { api, messageOf, newKey } from "../api.js";
import { h, notify, photo } from "../dom.js";
import { formatTime, locale, t } from "../i18n.js";
import { whileShown } from "./ui.js";

const REFRESH_MS = 15_000;
/** @type {HTMLElement | null} the submission element the keys act on */
let current = null;

/** @param {HTMLElement | null} item */
function select(item) {
  current?.classList.remove("current");
  current = item;
  if (!item) return;
  item.classList.add("current");
  item.scrollIntoView({ block: "nearest" });
}

/** @param {HTMLElement | null} item @returns {HTMLElement | null} */
function next(item) {
  const after = /** @type {HTMLElement | null | undefined} */ (item?.nextElementSibling);
  return after?.matches("[data-submission-id]") ? after : null;
}

/** @param {HTMLElement | null} item @returns {HTMLElement | null} */
function previous(item) {
  const before = /** @type {HTMLElement | null | undefined} */ (item?.previousElementSibling);
  return before?.matches("[data-submission-id]") ? before : null;
}

/** @param {HTMLElement} item @param {Wire.ReviewItem} submission @param {{decision: "approve" | "rework", reason?: string}} body */
async function decide(item, submission, body) {
  try {
    const key = /** @type {string} */ (item.dataset.key); // made with the item (entry): a retry decides once
    await api("POST", `/submissions/${submission.id}/review`, { body, language: locale, headers: { "Idempotency-Key": key } });
    const after = next(item) || previous(item);
    const list = /** @type {HTMLElement} */ (item.parentElement);
    item.remove();
    select(after);
    counted(list);
  } catch (error) {
    notify(messageOf(error));
  }
}

/** @param {HTMLElement} item @param {Wire.ReviewItem} submission */
function askReason(item, submission) {
  const box = /** @type {HTMLElement} */ (item.querySelector(".rework-box"));
  if (box.childElementCount) return box.querySelector("textarea")?.focus();
  const reason = h("textarea", { name: "reason", rows: "2", maxlength: "200", placeholder: t("What must change? The artisan reads this.") });
  const send = () => (reason.value.trim() ? decide(item, submission, { decision: "rework", reason: reason.value.trim() }) : reason.focus());
  reason.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) send();
    if (event.key === "Escape") box.replaceChildren();
    event.stopPropagation(); // typing "a" in the reason approves nothing
  });
  box.replaceChildren(reason, h("button", { type: "button", "data-action": "send-rework", onclick: send }, t("Send back for rework")));
  reason.focus();
}

/** A photo at its full size (2,000 px), over the page; a click or Esc closes it. @param {number} photoId */
function fullSize(photoId) {
  const viewer = h("dialog", { class: "viewer", "data-viewer": true }, photo(photoId, "full"));
  viewer.addEventListener("click", () => viewer.close());
  viewer.addEventListener("close", () => viewer.remove());
  document.body.append(viewer);
  viewer.showModal();
}

/** The count of what waits, and a word when nothing does. @param {HTMLElement} list */
function counted(list) {
  const waiting = list.querySelectorAll("[data-submission-id]").length;
  /** @type {HTMLElement} */ (document.querySelector("[data-queue-count]")).textContent = String(waiting);
  list.querySelector(".empty")?.remove();
  if (!waiting) list.append(h("li", { class: "empty" }, t("Nothing to review. New submissions show here.")));
}

/** @param {Wire.ReviewItem} submission */
function entry(submission) {
  const item = h("li", { class: "submission card", "data-submission-id": String(submission.id), "data-key": newKey(), tabindex: "-1" });
  const approve = () => decide(item, submission, { decision: "approve" });
  item.append(
    h("div", { class: "photos" }, ...submission.photo_ids.map((id) => {
      const shown = photo(id, "review", { class: "work", title: t("Click for the full size") });
      shown.addEventListener("click", () => fullSize(id));
      return shown;
    })),
    h("div", { class: "facts" },
      h("h3", {}, `${submission.order_title} · ${submission.job_code}`),
      h("p", {}, t("{name}, {village}", { name: submission.artisan_name, village: submission.village })),
      h("p", { class: "big" }, t("{quantity} of {accepted} pieces", { quantity: submission.quantity, accepted: submission.quantity_accepted })),
      h("p", { class: "hint" }, formatTime(submission.created_at), submission.channel === "on-behalf" ? ` · ${t("sent by the village leader")}` : ""),
      submission.note ? h("p", {}, t("Note: {note}", { note: submission.note })) : null,
      submission.lots?.length ? h("p", { class: "lots", "data-lots": "" }, t("Lots: {lots}", { lots: submission.lots.map((l) => `${l.material} ${l.lot}`).join("、") })) : null,
      submission.quality_notes ? h("p", { class: "notes" }, t("Quality notes: {notes}", { notes: submission.quality_notes })) : null,
      submission.reference_photo_ids.length ? h("div", { class: "reference" }, h("small", {}, t("Pattern")), photo(submission.reference_photo_ids[0], "list")) : null,
      h("div", { class: "buttons" },
        h("button", { type: "button", "data-action": "approve", onclick: approve, title: "a" }, t("Approve")),
        h("button", { type: "button", class: "danger", "data-action": "rework", onclick: () => askReason(item, submission), title: "r" }, t("Rework"))),
      h("div", { class: "rework-box" })),
  );
  item.addEventListener("click", () => select(item));
  item.addEventListener("approve", approve);
  item.addEventListener("rework", () => askReason(item, submission));
  return item;
}

/** @type {Record<string, (item: HTMLElement | null) => HTMLElement | null>} */
const MOVES = { j: next, ArrowDown: next, k: previous, ArrowUp: previous };

/** Whether a key is the queue's: the queue on screen, no photo over it, nothing being typed. @param {KeyboardEvent} event */
function isForQueue(event) {
  if (!document.querySelector("[data-queue]") || document.querySelector("[data-viewer]")) return false;
  return !(/** @type {Element} */ (event.target).closest?.("input, textarea, select"));
}

/** @param {KeyboardEvent} event */
function onKey(event) {
  if (!isForQueue(event)) return;
  const move = MOVES[event.key];
  if (move) {
    select(move(current) || current);
    event.preventDefault();
  } else if (current) {
    onItemKey(current, event);
  }
}

/** The current submission's keys: f its first photo at full size, a approve, r rework.
@param {HTMLElement} item @param {KeyboardEvent} event */
function onItemKey(item, event) {
  if (event.key === "f") {
    const first = /** @type {HTMLElement | null} */ (item.querySelector("img.work"));
    if (first) fullSize(Number(first.dataset.photoId));
  } else if (event.key === "a" || event.key === "r") {
    item.dispatchEvent(new Event(event.key === "a" ? "approve" : "rework"));
    event.preventDefault();
  }
}

/** @param {HTMLElement} view @returns {Promise<void>} */
export async function review(view) {
  const list = h("ol", { class: "queue", "data-queue": true });
  const count = h("span", { "data-queue-count": true }, "0");
  async function load() {
    try {
      const { submissions } = /** @type {{submissions: Wire.ReviewItem[]}} */ (
        await api("GET", "/submissions", { query: { status: "submitted" }, language: locale })
      );
      const shown = new Set([...list.querySelectorAll("[data-submission-id]")].map((item) => /** @type {HTMLElement} */ (item).dataset.submissionId));
      list.append(...submissions.filter((s) => !shown.has(String(s.id))).map(entry)); // new ones below; nothing moves
      counted(list);
      if (!current?.isConnected) select(list.querySelector("[data-submission-id]"));
    } catch (error) {
      notify(messageOf(error));
    }
  }
  view.replaceChildren(
    h("div", { class: "section-head" }, h("h1", {}, t("Review")), h("p", {}, t("Waiting: "), count)),
    h("p", { class: "hint" }, t("Keys: j/k next and previous, a approve, r rework (Ctrl+Enter sends, Esc closes), f full size.")),
    list,
  );
  document.removeEventListener("keydown", onKey);
  document.addEventListener("keydown", onKey);
  await load();
  whileShown(list, REFRESH_MS, load);
}
