// Materials handed out for her jobs (发料): on each job's card, what she was given (material,
// quantity, unit, lot) with "Received" and "Something's missing" (and what is missing). Her
// answer goes through the outbox like every action, so a lost signal loses nothing. Loaded
// only when she has a kit (app.js): the first visit does not pay for it.

import { api } from "../api.js";
import { remember } from "../db.js";
import { h, oneTap } from "../dom.js";
import { formatMoney, loadOnDemand, locale, t } from "../i18n.js";
import * as outbox from "../outbox.js";

/** @typedef {import("../jobs-controller.js").JobsController} JobsController */

/** @type {Map<number, Wire.Kit[]>} job id → its kits, newest first */
const byJob = new Map();
/** @type {Set<number>} ids of kits with an answer not yet through */
let waiting = new Set();
/** @type {JobsController | null} */
let jobs = null;
let listening = false;

/** A kit's state in her words. @param {Wire.KitStatus} status */
function statusOf(status) {
  const words = {
    handed_out: () => t("Please check what you were given"),
    received: () => t("You received it"),
    short: () => t("You said something is missing; your coordinator will call you"),
    adjusted: () => t("Settled: nothing is taken off your pay"),
    deducted: () => t("Settled: some is taken off this job's pay"),
  };
  return words[status]();
}

/** @param {Wire.KitLine} line */
function lineText(line) {
  const text = `${line.material} ${line.quantity} ${line.unit}`;
  return line.lot ? t("{line}, lot {lot}", { line: text, lot: line.lot }) : text;
}

/** @param {Wire.Kit} kit */
function decisionOf(kit) {
  const decision = kit.decision;
  if (!decision) return null;
  const text = decision.decision === "deduct"
    ? t("{amount} comes off this job's pay: {reason}", { amount: formatMoney(decision.amount_fen), reason: decision.reason })
    : t("Nothing is taken off your pay: {reason}", { reason: decision.reason });
  return h("p", { class: "notes" }, text);
}

/** @param {Wire.Kit} kit */
function kitBlock(kit) {
  const busy = waiting.has(kit.id);
  const note = h("textarea", { name: "kit-note", rows: "2", maxlength: "500", "aria-label": t("What is missing?") });
  const about = { kit: kit.id, code: kit.code };
  const receive = () => outbox.send(`/kits/${kit.id}/receive`, {}, about);
  const short = () => outbox.send(`/kits/${kit.id}/short`, { note: note.value.trim() }, about);
  const open = kit.status === "handed_out" && !busy;
  return h(
    "div",
    { class: `kit ${kit.status}`, "data-kit-id": String(kit.id), "data-status": kit.status },
    h("ul", {}, ...kit.lines.map((line) => h("li", {}, lineText(line)))),
    h("p", { class: "status" }, statusOf(kit.status)),
    kit.note ? h("p", {}, t("You said: {note}", { note: kit.note })) : null,
    decisionOf(kit),
    open
      ? h(
          "div",
          { class: "actions" },
          h("button", { type: "button", "data-action": "kit-received", onclick: oneTap(receive) }, t("Received")),
          h("label", {}, t("What is missing?"), note),
          h("button", { type: "button", class: "quiet", "data-action": "kit-short", onclick: oneTap(short) }, t("Something's missing")),
        )
      : null,
    busy ? h("p", { class: "hint" }, t("Waiting to send: it goes out as soon as there is a signal.")) : null,
  );
}

/** The kits part of a job's card (the jobs view asks for it). @param {Wire.Job} job @returns {HTMLElement | null} */
function section(job) {
  const kits = byJob.get(job.id);
  if (!kits?.length) return null;
  return h("div", { class: "kits" }, h("h3", {}, t("Materials")), ...kits.map(kitBlock));
}

/** @param {Wire.Kit[]} found */
function keep(found) {
  byJob.clear();
  for (const kit of found) byJob.set(kit.job_id, [...(byJob.get(kit.job_id) || []), kit]);
}

/** Kits whose answer waits in the outbox. @returns {Promise<Set<number>>} */
async function waitingIds() {
  const ids = (await outbox.queued()).map((entry) => entry.about?.kit);
  return new Set(ids.filter((id) => id !== undefined));
}

/** Redraw the cards of these jobs. @param {Iterable<number>} jobIds */
function redraw(jobIds) {
  for (const id of new Set(jobIds)) jobs?.view?.refresh(id);
}

function listen() {
  if (listening) return;
  listening = true;
  outbox.on("change", async () => {
    const before = waiting;
    waiting = await waitingIds();
    const changed = [...before, ...waiting].filter((id) => before.has(id) !== waiting.has(id));
    redraw([...byJob.values()].flat().filter((kit) => changed.includes(kit.id)).map((kit) => kit.job_id));
  });
  outbox.on("done", async (entry, answered) => {
    const kit = /** @type {Wire.Kit | null} */ (answered);
    if (!entry.about?.kit || !kit?.id) return;
    const all = [...byJob.values()].flat().map((k) => (k.id === kit.id ? kit : k));
    keep(all);
    await remember("kits", all);
    redraw([kit.job_id]);
  });
  // Refused (answered meanwhile by SMS, say): the jobs controller tells her why; the kits are asked again.
  outbox.on("refused", async (entry) => {
    if (!entry.about?.kit) return;
    try {
      const found = /** @type {Wire.KitList} */ (await api("GET", "/me/kits", { language: locale })).kits;
      keep(found);
      await remember("kits", found);
      redraw(found.map((kit) => kit.job_id));
    } catch {
      // offline: the next start asks again
    }
  });
}

/** Show the kits on her job cards, now and whenever a card is drawn again.
@param {JobsController} controller @param {Wire.Kit[]} found */
export async function onJobCards(controller, found) {
  await loadOnDemand();
  jobs = controller;
  keep(found);
  listen();
  waiting = await waitingIds();
  if (!controller.view) return;
  controller.view.extra = section;
  controller.view.forgetCards();
  controller.view.render();
}
