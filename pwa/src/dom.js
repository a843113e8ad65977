// Building elements without innerHTML: text stays text, whatever a villager typed.

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
