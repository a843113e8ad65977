// Building elements without innerHTML: text stays text, whatever a villager typed.

import { photoUrl } from "./api.js";

/**
 * @param {string} tag
 * @param {Record<string, string | boolean | EventListener>} [props] attributes; "on…" are listeners
 * @param {...(Node | string | null | undefined | false)} children
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else if (value !== false) element.setAttribute(name, String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** Show a notice (an error in the user's language), or hide it with an empty text. */
export function notify(text) {
  const notice = /** @type {HTMLElement} */ (document.querySelector("[data-notice]"));
  notice.textContent = text;
  notice.hidden = !text;
}

/**
 * A listener for a card's action: its buttons wait until ``work`` has queued the action, so a
 * double tap on a slow phone queues it once. ``work`` returning false (nothing queued: the
 * person must fix something first) gives the buttons back.
 * @param {() => Promise<unknown> | unknown} work
 */
export function oneTap(work) {
  return async (event) => {
    const card = event.currentTarget.closest("[data-job-id], [data-payout-id]") || event.currentTarget.parentElement;
    const buttons = [...card.querySelectorAll("button")];
    for (const button of buttons) button.disabled = true;
    let queued = false;
    try {
      queued = (await work()) !== false;
    } finally {
      if (!queued) for (const button of buttons) button.disabled = false;
    }
  };
}

/** A stored photo in an <img>, fetched with the token (an <img> cannot send it); marked
"missing" when it cannot be had (offline and never seen). */
export function photo(photoId, size = "list", attrs = {}) {
  const image = h("img", { alt: "", loading: "lazy", "data-photo-id": String(photoId), ...attrs });
  photoUrl(photoId, size).then((url) => (image.src = url)).catch(() => image.classList.add("missing"));
  return image;
}
