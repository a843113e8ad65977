// Building elements without innerHTML: text stays text, whatever a villager typed.

import { photoUrl } from "./api.js";

/** @typedef {Node | string | null | undefined | false} Child nothing is drawn for null, undefined and false */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | boolean | ((event: Event) => unknown)>} [props] attributes; "on…" are listeners
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else if (value !== false) element.setAttribute(name, String(value));
  }
  element.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

/** Show a notice (an error in the user's language), or hide it with an empty text. @param {string} text @returns {void} */
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
 * @returns {(event: Event) => Promise<void>}
 */
export function oneTap(work) {
  return async (event) => {
    const tapped = /** @type {HTMLElement} */ (event.currentTarget);
    const card = tapped.closest("[data-job-id], [data-payout-id]") || /** @type {HTMLElement} */ (tapped.parentElement);
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
"missing" when it cannot be had (offline and never seen).
@param {number} photoId @param {"list" | "review" | "full"} [size] @param {Record<string, string>} [attrs] @returns {HTMLImageElement} */
export function photo(photoId, size = "list", attrs = {}) {
  const image = h("img", { alt: "", loading: "lazy", "data-photo-id": String(photoId), ...attrs });
  photoUrl(photoId, size).then((url) => (image.src = url)).catch(() => image.classList.add("missing"));
  return image;
}
