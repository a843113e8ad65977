// What the panels of the "artisans" section share: selects, buttons, the server's word on a
// form's fields, and the small words (yes, active, a language's name). Fields and tables are
// the whole console's (ui.js).

import { ApiError, messageOf } from "../api.js";
import { h, notify } from "../dom.js";
import { locale, t } from "../i18n.js";

/** What the section's tabs share: the signed-in person and the brand's lists, kept as the server answers.
@typedef {{me: Wire.Me, villages: Wire.Village[], crafts: Wire.Craft[], artisans: Wire.Member[], voiceLanguages: string[]}} Context */

// Languages are named in themselves, as the locale picker names them.
/** @type {Record<string, string>} */
export const LANGUAGES = { zh_Hans: "中文", en: "English" };

/** A <select> of [value, text] pairs. @param {string} name @param {[string, string][]} options @param {string} [value] @returns {HTMLSelectElement} */
export function select(name, options, value = "") {
  const control = h("select", { name }, ...options.map(([v, text]) => h("option", { value: v }, text)));
  control.value = value;
  return control;
}

/** Villages as a <select>'s options. @param {Wire.Village[]} villages @returns {[string, string][]} */
export function villageOptions(villages) {
  return villages.map((v) => [String(v.id), v.name]);
}

/** The language of a person, as a <select>. @param {string} [value] @returns {HTMLSelectElement} */
export function languageSelect(value = "zh_Hans") {
  return select("locale", Object.entries(LANGUAGES), value);
}

/** A button of a row or a toolbar. @param {string} action @param {string} text @param {() => void} onclick @returns {HTMLButtonElement} */
export function button(action, text, onclick) {
  return h("button", { type: "button", "data-action": action, onclick }, text);
}

/** @param {HTMLFormElement} form */
function clearRefusal(form) {
  notify("");
  for (const slot of /** @type {NodeListOf<HTMLElement>} */ (form.querySelectorAll("[data-error-for]"))) {
    slot.textContent = "";
    slot.hidden = true;
  }
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
}

/**
 * Say what the server refused: in the notice (its message is in the reader's language), and
 * next to each field its ``fields`` names.
 * @param {HTMLFormElement} form @param {unknown} error an ApiError, or the network's
 */
function showRefusal(form, error) {
  notify(messageOf(error));
  /** @type {HTMLElement | null} */
  let first = null;
  const fields = error instanceof ApiError ? error.fields : {};
  for (const name of Object.keys(fields)) {
    const slot = /** @type {HTMLElement | null} */ (form.querySelector(`[data-error-for="${CSS.escape(name)}"]`));
    if (!slot) continue;
    slot.textContent = messageOf(error);
    slot.hidden = false;
    const control = /** @type {HTMLElement | null} */ (form.querySelector(`[name="${CSS.escape(name)}"]`));
    control?.setAttribute("aria-invalid", "true");
    first = first || control;
  }
  first?.focus();
}

/**
 * Send a form's request with its button held down, then clear or show the refusal.
 * @param {HTMLFormElement} form @param {() => Promise<void>} send
 * @returns {Promise<void>}
 */
export async function submitting(form, send) {
  clearRefusal(form);
  const buttons = [...form.querySelectorAll("button")];
  for (const b of buttons) b.disabled = true;
  try {
    await send();
  } catch (error) {
    showRefusal(form, error);
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

/** An empty table's only row. @param {number} columns @param {string} text @returns {HTMLTableRowElement} */
export function emptyRow(columns, text) {
  return h("tr", { class: "empty-row" }, h("td", { colspan: String(columns) }, text));
}

/** The words for a person's or a place's state. @param {boolean} active @returns {string} */
export function activeWord(active) {
  return active ? t("Active") : t("Inactive");
}

/** A short line that says something went well (errors go to the notice). @returns {HTMLElement} */
export function statusLine() {
  return h("p", { class: "saved", role: "status", "data-status": true });
}

/** The name of a village of the brand, by id. @param {Context} ctx @param {number | null} id @returns {string} */
export function villageName(ctx, id) {
  return ctx.villages.find((v) => v.id === id)?.name ?? "";
}

/** A craft in the reader's language (names per language, else the server's pick).
@param {{code: string, name?: string, names: Record<string, string>}} craft @returns {string} */
export function craftLabel(craft) {
  return craft.names[locale] || craft.name || craft.code;
}
