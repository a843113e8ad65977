// The one owner of queued writes. Every action is stored with a client-made Idempotency-Key
// before it is sent, and deleted only when the server answers 2xx or a final 4xx; a network
// error or a 5xx keeps it for the next try. Tries come on start, when the network returns,
// when the app is seen again, and on a timer (Background Sync is missing in WebViews and most
// Chinese browsers). The server's exactly-once keys make a repeat harmless. A submission
// waits until its photos are up (each resumes where it stopped), then goes with their ids.

import { api, ApiError, newKey } from "./api.js";
import { inStore } from "./db.js";
import { locale } from "./i18n.js";
import * as photos from "./photos.js";

/**
 * An action waiting for the server, as kept in IndexedDB's "outbox" (key: its Idempotency-Key).
 * @typedef {object} OutboxEntry
 * @property {string} key @property {string} path under /api/v1 @property {object} body
 * @property {About} about what the views need to know of it @property {string[]} photos photos.keep's keys
 * @property {number} made when it was queued (ms): the order of sending
 */
/** @typedef {{job?: number, code?: string, sync?: boolean, payout?: number, invitation?: number, advance?: boolean, kit?: number}} About whose action (a job's, a payout's, an invitation's answer, an advance asked on a job, a kit's answer) */
/**
 * What the outbox tells: an action through (with the server's answer), refused for good (and
 * why), or the queue changed.
 * @typedef {{done: (entry: OutboxEntry, answer: unknown) => unknown, refused: (entry: OutboxEntry, error: ApiError) => unknown, change: () => unknown}} Events
 */

const RETRY_MS = 30_000;
/** @type {{[E in keyof Events]: Events[E][]}} */
const listeners = { done: [], refused: [], change: [] };
/** @type {Promise<void> | null} */
let flushing = null;
let again = false; // asked to flush while a flush was under way (the network came back meanwhile)
let trying = false;

/** @template {keyof Events} E @param {E} event @param {Events[E]} listener @returns {void} */
export function on(event, listener) {
  listeners[event].push(listener);
}

/** @template {keyof Events} E @param {E} event @param {Parameters<Events[E]>} args */
function emit(event, ...args) {
  for (const listener of listeners[event]) {
    try {
      /** @type {(...args: Parameters<Events[E]>) => unknown} */ (listener)(...args);
    } catch (error) {
      console.error(error); // one view's trouble must not keep the others from hearing
    }
  }
}

/** The queued actions, oldest first. @returns {Promise<OutboxEntry[]>} */
export async function queued() {
  const all = await inStore("outbox", "readonly", (store) => store.index("made").getAll());
  return all || [];
}

/** Queue a POST (the action of a job: accept, decline…) and try to send it now. With
``photoKeys`` (photos kept by photos.keep) it goes once they are up, their ids in ``photo_ids``.
@param {string} path @param {object} body @param {About} about @param {string[]} [photoKeys] @returns {Promise<void>} */
export async function send(path, body, about, photoKeys = []) {
  /** @type {OutboxEntry} */
  const entry = { key: newKey(), path, body, about, photos: photoKeys, made: Date.now() };
  await inStore("outbox", "readwrite", (store) => store.put(entry));
  emit("change");
  return flush();
}

/** Send what waits, in order; stop at the first that cannot get through (the network is
down). Asked again meanwhile, it goes round once more when done. @returns {Promise<void>} */
export function flush() {
  if (flushing) {
    again = true;
    return flushing;
  }
  flushing = (async () => {
    try {
      for (const entry of await queued()) {
        if (!(await deliver(entry))) break;
      }
    } finally {
      flushing = null;
      emit("change");
    }
    if (again) {
      again = false;
      await flush();
    }
  })();
  return flushing;
}

/** @param {OutboxEntry} entry @returns {Promise<object>} */
async function bodyOf(entry) {
  if (!entry.photos?.length) return entry.body;
  const ids = [];
  for (const photoKey of entry.photos) ids.push(await photos.photoId(photoKey, locale));
  return { ...entry.body, photo_ids: ids };
}

/** Whether the queue may go on: sent, or refused for good. @param {OutboxEntry} entry @returns {Promise<boolean>} */
async function deliver(entry) {
  try {
    const body = await bodyOf(entry);
    const answer = await api("POST", entry.path, { body, language: locale, headers: { "Idempotency-Key": entry.key } });
    await forget(entry);
    emit("done", entry, answer);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 429) {
      await forget(entry); // final: the server said no, and why
      emit("refused", entry, error);
      return true;
    }
    return false; // offline, a 5xx, signed out or rate-limited: kept, tried again later
  }
}

/** @param {OutboxEntry} entry */
async function forget(entry) {
  await inStore("outbox", "readwrite", (store) => store.delete(entry.key));
  if (entry.photos?.length) await photos.drop(entry.photos);
  emit("change");
}

/** Try again whenever there is a chance the network is back. @returns {Promise<void>} */
export function keepTrying() {
  if (trying) return flush();
  trying = true;
  window.addEventListener("online", () => flush());
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && flush());
  setInterval(() => navigator.onLine && flush(), RETRY_MS);
  return flush();
}
