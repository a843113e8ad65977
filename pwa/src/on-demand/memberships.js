// My brands, loaded only when she asks for it (a dynamic import, not in the service worker's
// shell), so the first visit does not pay for it: the brands she works with, and leaving one
// once she has confirmed. The server refuses while work for that brand is in hand and says
// why, in her language, in the notice.

import { api, ApiError } from "../api.js";
import { keepMemberships, myMemberships } from "../brands.js";
import { h, notify } from "../dom.js";
import { loadOnDemand, locale, t } from "../i18n.js";

/** @param {HTMLElement} view @param {() => unknown} back draws the main page again @returns {Promise<void>} */
export async function myBrands(view, back) {
  await loadOnDemand();
  const list = h("ul", { class: "brands" });
  const done = h("p", { class: "saved", role: "status", "data-left": true, hidden: true });
  view.replaceChildren(
    h(
      "section",
      { class: "my-brands" },
      h("h1", {}, t("My brands")),
      h("p", { class: "hint" }, t("The brands you work with. Each sees the work you do for it; of your other work, only how many pieces you have in hand in all.")),
      done,
      list,
      h("button", { type: "button", class: "quiet", "data-action": "back", onclick: back }, t("Back to my jobs")),
    ),
  );

  function render() {
    const brands = myMemberships();
    list.replaceChildren(...brands.map((m) => row(m, brands.length > 1)));
  }

  /** @param {Wire.Membership} membership @param {boolean} mayLeave another brand stays */
  function row(membership, mayLeave) {
    const brand = membership.brand;
    const item = h("li", { "data-brand-id": String(brand.id) }, h("strong", {}, brand.name));
    const ask = () => {
      notify("");
      item.querySelector("[data-action=leave-brand]")?.replaceWith(confirmation(brand));
    };
    if (mayLeave) item.append(h("button", { type: "button", class: "quiet", "data-action": "leave-brand", onclick: ask }, t("Stop working with it")));
    return item;
  }

  /** The second step: leaving is said twice. @param {Wire.Brand} brand */
  function confirmation(brand) {
    return h(
      "div",
      { class: "confirm" },
      h("p", {}, t("Stop working with {brand}? It will send you no more offers. Your past work and payments stay as they are.", { brand: brand.name })),
      h("button", { type: "button", "data-action": "confirm-leave", onclick: () => leave(brand) }, t("Yes, stop")),
      h("button", { type: "button", class: "quiet", "data-action": "keep-brand", onclick: render }, t("No, keep it")),
    );
  }

  /** @param {Wire.Brand} brand */
  async function leave(brand) {
    notify("");
    for (const button of list.querySelectorAll("button")) button.disabled = true;
    try {
      const me = /** @type {Wire.Me} */ (await api("POST", `/me/brands/${brand.id}/leave`, { language: locale }));
      await keepMemberships(me.memberships);
      done.textContent = t("You no longer work with {brand}.", { brand: brand.name });
      done.hidden = false;
    } catch (error) {
      // work in hand (open_work): the server says how much and what to do, in her language
      notify(error instanceof ApiError ? error.message : t("This needs a connection. Please try again when there is a signal."));
    }
    render();
  }

  try {
    const me = /** @type {Wire.Me} */ (await api("GET", "/me", { language: locale }));
    await keepMemberships(me.memberships);
  } catch {
    // offline: the brands as the last visit knew them
  }
  render();
}
