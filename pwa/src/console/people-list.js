// A list the brand keeps up to date (artisans, villages, staff, crafts): a table, a form above
// it that adds an item or changes one (sending only what changed), and a button per row that
// deactivates or reactivates it. Nothing is ever deleted: history keeps pointing at it.

import { api, messageOf } from "../api.js";
import { h, notify } from "../dom.js";
import { locale, t } from "../i18n.js";
import { activeWord, button, emptyRow, statusLine, submitting } from "./people-ui.js";
import { table } from "./ui.js";

/** What every kept item has. @typedef {{id: number, name: string, active: boolean}} Item */
/** A form's controls and how to read what they say. @typedef {{controls: HTMLElement[], values: () => Record<string, unknown>}} Form */

/**
 * @template {Item} T
 * @typedef {object} ListSpec
 * @property {string} kind hooks: rows [data-KIND-id=ID], the form form[data-form=KIND]
 * @property {string} path POST path; PATCH path/ID
 * @property {string[]} headings the columns before "Active" and the buttons
 * @property {(item: T) => (Node | string)[]} cells
 * @property {(item: T | null) => Form} form
 * @property {string} addLabel
 * @property {(item: T) => string} changeLabel
 * @property {string} empty what an empty list says
 * @property {(item: T) => boolean} [canToggle] whether a row may be (de)activated (not oneself)
 * @property {boolean} [signsOut] people: a button signs one out of every device (path/ID/sign-out)
 * @property {(item: T) => boolean} [shows] the filter of the moment
 * @property {(items: T[]) => void} [changed] told after every change
 * @property {(answer: unknown) => string | null} [notAdded] what an answer to "add" says when it
 *   is not the new item (an invitation sent to someone who works with another brand), else null
 * @property {(item: T) => HTMLElement} [more] shown under the form of an item being changed (an
 *   artisan: what buyers may see of her)
 */

/** Only the values that differ from the item's: a PATCH never writes back what it did not mean to.
@param {Record<string, unknown>} values @param {Item} item */
function changes(values, item) {
  const was = /** @type {Record<string, unknown>} */ (item);
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(was[k])));
}

/**
 * The list's table, its form and its "add" button; ``render`` draws it again (a filter changed).
 * @template {Item} T @param {ListSpec<T>} spec @param {T[]} items kept up to date in place
 * @returns {{element: HTMLElement, add: HTMLButtonElement, render: () => void}}
 */
export function keptList(spec, items) {
  const body = h("tbody");
  const slot = h("div");
  const status = statusLine();
  const count = h("p", { class: "hint", "data-count": true });
  const columns = spec.headings.length + 2;

  /** @param {T} item */
  function row(item) {
    const toggle = item.active
      ? button("deactivate", t("Deactivate"), () => setActive(item, false))
      : button("reactivate", t("Reactivate"), () => setActive(item, true));
    const hooks = { [`data-${spec.kind}-id`]: String(item.id), "data-active": String(item.active) };
    return h(
      "tr",
      { ...hooks, class: item.active ? "" : "inactive" },
      ...spec.cells(item).map((cell) => h("td", {}, cell)),
      h("td", {}, activeWord(item.active)),
      h(
        "td",
        { class: "actions" },
        button("edit", t("Change"), () => open(item)),
        spec.canToggle?.(item) === false ? null : toggle,
        spec.signsOut && item.active ? button("sign-out", t("Sign out everywhere"), () => signOut(item)) : null,
      ),
    );
  }

  function render() {
    const shown = spec.shows ? items.filter(spec.shows) : items;
    body.replaceChildren(...shown.map(row));
    if (!shown.length) body.append(emptyRow(columns, items.length ? t("Nothing matches.") : spec.empty));
    count.textContent = t("Showing {shown} of {total}.", { shown: shown.length, total: items.length });
  }

  /** Keep the server's answer in place of the item (or as a new one), and say so. @param {T} saved @param {string} said */
  function keep(saved, said) {
    const at = items.findIndex((item) => item.id === saved.id);
    if (at < 0) items.push(saved);
    else items[at] = saved;
    status.textContent = said;
    spec.changed?.(items);
    render();
  }

  /** @param {T} item @param {boolean} active */
  async function setActive(item, active) {
    notify("");
    status.textContent = "";
    try {
      const saved = /** @type {T} */ (await api("PATCH", `${spec.path}/${item.id}`, { body: { active }, language: locale }));
      keep(saved, active ? t("Reactivated: {name}", { name: saved.name }) : t("Deactivated: {name}", { name: saved.name }));
    } catch (error) {
      notify(messageOf(error));
    }
  }

  /** A lost or shared phone: every device of the person asks for a new sign-in code. @param {T} item */
  async function signOut(item) {
    notify("");
    status.textContent = "";
    if (!confirm(t("Sign {name} out of every device? They sign in again with a new SMS code.", { name: item.name }))) return;
    try {
      await api("POST", `${spec.path}/${item.id}/sign-out`, { language: locale });
      status.textContent = t("Signed out everywhere: {name}", { name: item.name });
    } catch (error) {
      notify(messageOf(error));
    }
  }

  function close() {
    slot.replaceChildren();
  }

  /** The form to add an item (null) or change one. @param {T | null} item */
  function open(item) {
    status.textContent = "";
    const { controls, values } = spec.form(item);
    const form = h(
      "form",
      { class: "card form-grid", "data-form": spec.kind, novalidate: true },
      h("h2", {}, item ? spec.changeLabel(item) : spec.addLabel),
      ...controls,
      h(
        "div",
        { class: "buttons" },
        h("button", { type: "submit", "data-action": "save" }, t("Save")),
        button("cancel", t("Cancel"), close),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submitting(form, async () => {
        const wanted = values();
        const sent = item ? changes(wanted, item) : wanted;
        if (item && !Object.keys(sent).length) return close();
        const saved = /** @type {T} */ (
          item
            ? await api("PATCH", `${spec.path}/${item.id}`, { body: sent, language: locale })
            : await api("POST", spec.path, { body: sent, language: locale })
        );
        close();
        const instead = item ? null : spec.notAdded?.(saved);
        if (instead) {
          status.textContent = instead;
          return;
        }
        keep(saved, item ? t("Saved: {name}", { name: saved.name }) : t("Added: {name}", { name: saved.name }));
      });
    });
    slot.replaceChildren(form, ...(item && spec.more ? [spec.more(item)] : []));
    /** @type {HTMLElement | null} */ (form.querySelector("input, select"))?.focus();
  }

  render();
  return {
    /** The list's parts: its form (when open), what was done, how many show, the table. */
    element: h("div", { class: "kept-list" }, slot, status, count, table([...spec.headings, t("State"), ""], body)),
    add: button(`add-${spec.kind}`, spec.addLabel, () => open(null)),
    render,
  };
}
