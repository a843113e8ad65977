// Small pieces the console's sections share: labelled fields, tables, money typed in yuan,
// and waiting on a timer only while a section is on screen.

import { h } from "../dom.js";

/**
 * A labelled control, with room for what the server says is wrong with it (by ``name``).
 * @param {string} label @param {HTMLElement} control @param {string} [name]
 * @returns {HTMLLabelElement}
 */
export function field(label, control, name = control.getAttribute("name") || "") {
  return h(
    "label",
    { class: "field" },
    h("span", {}, label),
    control,
    h("small", { class: "field-error", "data-error-for": name, hidden: true }),
  );
}

/**
 * A table with zebra rows: header texts, then a <tbody>, or rows of cells (strings or
 * elements), each row with its attributes.
 * @param {string[]} headers
 * @param {HTMLElement | Array<{cells: Array<Node | string | null>, attrs?: Record<string, string>}>} rows
 * @returns {HTMLTableElement}
 */
export function table(headers, rows) {
  const body = Array.isArray(rows)
    ? h("tbody", {}, ...rows.map(({ cells, attrs }) => h("tr", attrs || {}, ...cells.map((cell) => h("td", {}, cell ?? "")))))
    : rows;
  return h("table", { class: "grid" }, h("thead", {}, h("tr", {}, ...headers.map((text) => h("th", {}, text)))), body);
}

/** Yuan as typed ("45", "45.5") → integer fen; NaN when it is not an amount. @param {string} text @returns {number} */
export function fenOf(text) {
  const cleaned = text.trim().replace(/[¥,，\s]/g, "");
  return /^\d+(\.\d{1,2})?$/.test(cleaned) ? Math.round(Number(cleaned) * 100) : Number.NaN;
}

/** Fen as the yuan a person types back ("45.00"). @param {number} fen @returns {string} */
export function yuanOf(fen) {
  return (fen / 100).toFixed(2);
}

/** Call ``work`` every ``ms`` while ``element`` is in the page (a section left stops it), and
at once when the page is seen again: a coordinator back from another tab sees what changed.
@param {Element} element @param {number} ms @param {() => unknown} work @returns {void} */
export function whileShown(element, ms, work) {
  const again = () => {
    if (!element.isConnected) {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", again);
    } else if (document.visibilityState === "visible") work();
  };
  const timer = setInterval(again, ms);
  document.addEventListener("visibilitychange", again);
}
