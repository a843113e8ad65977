// What an artisan lets buyers see of her, shown under her form in the "artisans" section:
// her choice, read-only (hers alone to change, in the app or by SMS), and her own words: the
// ones she approved, the ones waiting for her, and a form to write down what she dictated.
// When the words do not go by SMS (too long for one, or she uses the app but cannot read
// them), a coordinator reads them out to her and records her answer on her behalf.

import { api, messageOf, newKey } from "../api.js";
import { h, notify } from "../dom.js";
import { locale, t } from "../i18n.js";
import { button, statusLine, submitting } from "./people-ui.js";
import { field } from "./ui.js";

/** @param {Wire.Member} artisan @returns {HTMLElement} */
export function consentPanel(artisan) {
  const panel = h("section", { class: "card consent", "data-consent-of": String(artisan.id) }, h("p", { class: "hint" }, t("Loading…")));
  load();
  return panel;

  async function load() {
    try {
      draw(/** @type {Wire.Consent} */ (await api("GET", `/members/${artisan.id}/consent`, { language: locale })));
    } catch (error) {
      panel.replaceChildren(h("p", { class: "hint" }, messageOf(error)));
    }
  }

  /** @param {Wire.Consent} consent @param {string} [said] */
  function draw(consent, said = "") {
    const status = statusLine();
    status.textContent = said;
    /** @type {[keyof Wire.Consent, string][]} */
    const items = [
      ["name", consent.display_name ? t("Her name, as “{name}”", { name: consent.display_name }) : t("Her name")],
      ["photo", t("Her photo")],
      ["village", t("Her village")],
      ["story", t("Her own words")],
    ];
    panel.replaceChildren(
      h("h2", {}, t("What buyers may see of her")),
      h("p", { class: "hint" }, t("Only she can change this, in the app or by SMS (公开 / 不公开).")),
      h(
        "ul",
        { class: "consent-items" },
        ...items.map(([key, label]) =>
          h("li", { "data-consent-item": key, "data-on": String(Boolean(consent[key])) }, label, " ", h("strong", {}, consent[key] ? t("shown") : t("not shown"))),
        ),
      ),
      h("p", { "data-story": "approved" }, t("Her approved words:"), " ", consent.story_text ? `“${consent.story_text}”` : t("none")),
      ...(consent.story_proposed !== null ? [waiting(consent)] : []),
      proposeForm(),
      status,
    );
  }

  /** The words waiting for her, and her answer recorded on her behalf. @param {Wire.Consent} consent */
  function waiting(consent) {
    const number = consent.story_proposal;
    /** @param {"approve" | "reject"} decision */
    const record = (decision) => async () => {
      notify("");
      if (!confirm(t("Did you read the words out to her, and is this her answer?"))) return;
      try {
        const body = { decision, proposal: number };
        const saved = /** @type {Wire.Consent} */ (
          await api("POST", `/members/${artisan.id}/story/decision`, { body, language: locale, headers: { "Idempotency-Key": newKey() } })
        );
        draw(saved, decision === "approve" ? t("Recorded: she approved her words.") : t("Recorded: she rejected the words."));
      } catch (error) {
        notify(messageOf(error));
      }
    };
    return h(
      "div",
      { class: "waiting", "data-story": "proposed" },
      h("p", {}, t("Waiting for her answer:"), " ", `“${consent.story_proposed}”`),
      button("record-approve", t("She approved (read out to her)"), record("approve")),
      button("record-reject", t("She rejected (read out to her)"), record("reject")),
    );
  }

  /** Write down the words she dictated, for her approval. */
  function proposeForm() {
    const text = h("textarea", { name: "text", rows: "3", maxlength: "200" });
    const form = h(
      "form",
      { class: "form-grid", "data-story-form": true, novalidate: true },
      field(t("Her words, as she dictated them (at most 200 characters, no phone number or link)"), text),
      h("div", { class: "buttons" }, h("button", { type: "submit", "data-action": "propose-story" }, t("Send to her for approval"))),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submitting(form, async () => {
        const sent = /** @type {Wire.StoryProposed} */ (
          await api("POST", `/members/${artisan.id}/story`, { body: { text: text.value }, language: locale, headers: { "Idempotency-Key": newKey() } })
        );
        const consent = /** @type {Wire.Consent} */ (await api("GET", `/members/${artisan.id}/consent`, { language: locale }));
        draw(consent, sent.asked_by_sms ? t("Sent: she was asked by SMS and can answer in the app.") : t("Sent: she can answer in the app, or read it out to her and record her answer."));
      });
    });
    return form;
  }
}
