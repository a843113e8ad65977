// "Take calls" (接电话), loaded only when she asks for it: one switch. On, a question asked by
// SMS (an offer, a payment) that she leaves unanswered is followed by one call, spoken, a key
// to press; asked while such a question waits, its call comes too. Off, no more calls, those
// queued cancelled at once. The same setting as 电话 / 不要电话 by SMS, across all her brands.
//
// Online only, as "What buyers may see" is, for the same reason: the switch must say what she
// wants now. A change queued on a phone without signal and sent days later could turn calls
// back on after she had said 不要电话 by SMS meanwhile, and a phone would ring in the village
// against her word. So the change goes at once or not at all, and offline nothing moves.

import { api, ApiError } from "../api.js";
import { h, notify } from "../dom.js";
import { loadOnDemand, locale, t } from "../i18n.js";

const OFFLINE = () => t("This needs a connection. Please try again when there is a signal.");

/** @param {HTMLElement} view @param {() => unknown} back draws the main page again @returns {Promise<void>} */
export async function takeCalls(view, back) {
  await loadOnDemand();
  const body = h("div");
  const done = h("p", { class: "saved", role: "status", "data-saved": true, hidden: true });
  view.replaceChildren(
    h(
      "section",
      { class: "calls" },
      h("h1", {}, t("Take calls")),
      h("p", { class: "hint" }, t("If you do not answer a question by SMS (a new job, a payment), we call you once: you hear it and press a key. Never at night.")),
      done,
      body,
      h("button", { type: "button", class: "quiet", "data-action": "back", onclick: back }, t("Back to my jobs")),
    ),
  );

  /** @type {Wire.TakesCalls} */
  let mine;
  try {
    mine = /** @type {Wire.TakesCalls} */ (await api("GET", "/me/calls", { language: locale }));
  } catch (error) {
    body.replaceChildren(h("p", { class: "empty" }, error instanceof ApiError ? error.message : OFFLINE()));
    return;
  }

  function render() {
    const box = h("input", { type: "checkbox", role: "switch", name: "takes_calls", "data-calls": true, checked: mine.takes_calls });
    box.addEventListener("change", () => choose(box));
    body.replaceChildren(
      h(
        "ul",
        { class: "switches" },
        h(
          "li",
          { class: "switch" },
          h("label", {}, box, h("span", {}, t("Take calls"))),
          h("p", { class: "hint" }, t("You can also reply 电话 or 不要电话 by SMS.")),
        ),
      ),
    );
  }

  /** Her choice, sent at once (PUT); the switch goes back when it fails. @param {HTMLInputElement} box */
  async function choose(box) {
    notify("");
    done.hidden = true;
    box.disabled = true;
    try {
      mine = /** @type {Wire.TakesCalls} */ (
        await api("PUT", "/me/calls", { body: { takes_calls: box.checked }, language: locale })
      );
      done.textContent = mine.takes_calls ? t("Saved: we will call you about a question you leave unanswered.") : t("Saved: no more calls, only SMS.");
      done.hidden = false;
    } catch (error) {
      notify(error instanceof ApiError ? error.message : OFFLINE());
    }
    render();
  }

  render();
}
