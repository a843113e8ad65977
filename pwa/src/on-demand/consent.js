// "What buyers may see" (买家能看到我什么), loaded only when she asks for it: one switch per
// item (her name, or a name she gives; her photo; her village; her own words), all off until
// she turns one on, and the words a coordinator wrote down for her, to approve or reject.
//
// Online only, on purpose: what buyers see must be what she wants now. A switch queued on a
// phone without signal and sent days later could show her name after she had hidden it by SMS
// (不公开) meanwhile; a story approved offline could be words replaced since. So each change
// goes at once or not at all, and without a connection she is told so and nothing moves.

import { api, ApiError, newKey } from "../api.js";
import { h, notify } from "../dom.js";
import { loadOnDemand, locale, t } from "../i18n.js";

const OFFLINE = () => t("This needs a connection. Please try again when there is a signal.");

/** @param {HTMLElement} view @param {() => unknown} back draws the main page again @returns {Promise<void>} */
export async function whatBuyersSee(view, back) {
  await loadOnDemand();
  const body = h("div");
  const done = h("p", { class: "saved", role: "status", "data-saved": true, hidden: true });
  view.replaceChildren(
    h(
      "section",
      { class: "consent" },
      h("h1", {}, t("What buyers may see")),
      h("p", { class: "hint" }, t("Buyers who scan the code on a piece you made see its story. You decide what they see of you. Everything is off until you turn it on; turning it off works at once.")),
      done,
      body,
      h("button", { type: "button", class: "quiet", "data-action": "back", onclick: back }, t("Back to my jobs")),
    ),
  );

  /** @type {Wire.Consent} */
  let consent;
  try {
    consent = /** @type {Wire.Consent} */ (await api("GET", "/me/consent", { language: locale }));
  } catch (error) {
    body.replaceChildren(h("p", { class: "empty" }, error instanceof ApiError ? error.message : OFFLINE()));
    return;
  }

  /** Say it went through. @param {string} text */
  function saved(text) {
    done.textContent = text;
    done.hidden = false;
  }

  function render() {
    body.replaceChildren(
      ...(consent.story_proposed !== null ? [proposal()] : []),
      h(
        "ul",
        { class: "switches" },
        item("name", t("My name"), consent.display_name ? t("Shown as: {name}", { name: consent.display_name }) : t("Shown as the name your brand knows you by.")),
        nameField(),
        item("photo", t("My photo"), t("Your photos of the pieces you made.")),
        item("village", t("My village"), t("Your county and province are always shown; this adds your village.")),
        item("story", t("My own words"), consent.story_text ? `“${consent.story_text}”` : t("No words approved yet.")),
      ),
    );
  }

  /** One switch: a big labelled checkbox that sends her whole choice at once.
  @param {"name" | "photo" | "village" | "story"} key @param {string} label @param {string} detail */
  function item(key, label, detail) {
    const box = h("input", { type: "checkbox", role: "switch", name: key, "data-consent": key, checked: consent[key] });
    box.addEventListener("change", () => choose({ [key]: box.checked }, box));
    return h("li", { class: "switch" }, h("label", {}, box, h("span", {}, label)), h("p", { class: "hint" }, detail));
  }

  /** The name she gives, if not her own (empty: her own). */
  function nameField() {
    const input = h("input", { name: "display_name", maxlength: "50", value: consent.display_name || "", autocomplete: "off" });
    const save = h("button", { type: "button", class: "quiet", "data-action": "save-name" }, t("Save the name"));
    save.addEventListener("click", () => choose({ display_name: input.value.trim() || null }, save));
    return h("li", { class: "switch name" }, h("label", {}, t("The name buyers see (empty: your own)"), input), save);
  }

  /** Her whole choice with this change, sent at once (PUT); the switch goes back when it fails.
  @param {Partial<Wire.Consent>} change @param {HTMLInputElement | HTMLButtonElement} control */
  async function choose(change, control) {
    notify("");
    done.hidden = true;
    control.disabled = true;
    const { name, display_name, photo, village, story } = { ...consent, ...change };
    try {
      consent = /** @type {Wire.Consent} */ (
        await api("PUT", "/me/consent", { body: { name, display_name, photo, village, story }, language: locale })
      );
      saved(t("Saved. Buyers see this from now on."));
    } catch (error) {
      notify(error instanceof ApiError ? error.message : OFFLINE());
    }
    render();
  }

  /** The words a coordinator wrote down for her, waiting for her yes or no. */
  function proposal() {
    const number = consent.story_proposal;
    return h(
      "div",
      { class: "proposal", "data-story-proposal": String(number) },
      h("h2", {}, t("Your coordinator wrote down your words")),
      h("blockquote", { "data-story": "proposed" }, consent.story_proposed || ""),
      h("p", { class: "hint" }, t("Approve them only if they are yours. Buyers see them only while “My own words” is on.")),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", "data-action": "approve-story", onclick: () => decide("approve", number) }, t("Yes, these are my words")),
        h("button", { type: "button", class: "quiet", "data-action": "reject-story", onclick: () => decide("reject", number) }, t("No, not these words")),
      ),
    );
  }

  /** Her answer to the words she sees (their number: words replaced meanwhile are not approved);
  one key per tap, so a retried request has one effect. @param {"approve" | "reject"} decision @param {number | null} number */
  async function decide(decision, number) {
    notify("");
    done.hidden = true;
    for (const button of body.querySelectorAll("[data-story-proposal] button")) /** @type {HTMLButtonElement} */ (button).disabled = true;
    try {
      consent = /** @type {Wire.Consent} */ (
        await api("POST", "/me/story", { body: { decision, proposal: number }, language: locale, headers: { "Idempotency-Key": newKey() } })
      );
      saved(decision === "approve" ? t("Approved: these are your words now.") : t("Rejected: these words will not be shown."));
    } catch (error) {
      notify(error instanceof ApiError ? error.message : OFFLINE());
      if (error instanceof ApiError && error.status === 409) {
        consent = /** @type {Wire.Consent} */ (await api("GET", "/me/consent", { language: locale }).catch(() => consent));
      }
    }
    render();
  }

  render();
}
