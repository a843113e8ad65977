// The one owner of queued writes. Every action is stored with a client-made Idempotency-Key
// before it is sent, and deleted only when the server answers 2xx or a final 4xx; a network
// error or a 5xx keeps it for the next try. Tries come on start, when the network returns,
// when the app is seen again, and on a timer (Background Sync is missing in WebViews and most
// Chinese browsers). The server's exactly-once keys make a repeat harmless.

import { api, ApiError } from "./api.js";
import { inStore } from "./db.js";
import { locale } from "./i18n.js";

const RETRY_MS = 30_000;
const listeners = { done: [], refused: [], change: [] };
let flushing = null;
let again = false; // asked to flush while a flush was under way (the network came back meanwhile)
let trying = false;

function key() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** @param {"done" | "refused" | "change"} event @param {Function} listener */
export function on(event, listener) {
  listeners[event].push(listener);
}

function emit(event, ...args) {
  for (const listener of listeners[event]) {
    try {
      listener(...args);
    } catch (error) {
      console.error(error); // one view's trouble must not keep the others from hearing
    }
  }
}

/** The queued actions, oldest first. */
export async function queued() {
  const all = await inStore("outbox", "readonly", (store) => store.index("made").getAll());
  return all || [];
}

/** Queue a POST (the action of a job: accept, decline…) and try to send it now. */
export async function send(path, body, about) {
  const entry = { key: key(), path, body, about, made: Date.now() };
  await inStore("outbox", "readwrite", (store) => store.put(entry));
  emit("change");
  return flush();
}

/** Send what waits, in order; stop at the first that cannot get through (the network is
down). Asked again meanwhile, it goes round once more when done. */
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

async function deliver(entry) {
  try {
    const answer = await api("POST", entry.path, { body: entry.body, language: locale, headers: { "Idempotency-Key": entry.key } });
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

async function forget(entry) {
  await inStore("outbox", "readwrite", (store) => store.delete(entry.key));
  emit("change");
}

/** Try again whenever there is a chance the network is back. */
export function keepTrying() {
  if (trying) return flush();
  trying = true;
  window.addEventListener("online", () => flush());
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && flush());
  setInterval(() => navigator.onLine && flush(), RETRY_MS);
  flush();
}
