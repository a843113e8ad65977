// Sign in with a phone number and the code sent to it by SMS.

import { api, messageOf, setToken } from "./api.js";
import { h, notify } from "./dom.js";
import { locale, t } from "./i18n.js";

/** @param {HTMLElement} view @param {() => void} signedIn @returns {void} */
export function signIn(view, signedIn) {
  const phone = h("input", { name: "phone", type: "tel", autocomplete: "tel", required: true });
  const code = h("input", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6" });
  const sent = h("p", { class: "hint", hidden: true }, t("A code is on its way by SMS. Without an SMS gateway it shows in the server log."));

  async function requestCode() {
    notify("");
    try {
      await api("POST", "/auth/otp", { body: { phone: phone.value }, language: locale });
      sent.hidden = false;
      code.focus();
    } catch (error) {
      notify(messageOf(error));
    }
  }

  /** @param {Event} event */
  async function submit(event) {
    event.preventDefault();
    notify("");
    try {
      const body = { phone: phone.value, code: code.value };
      const answer = /** @type {Wire.Token} */ (await api("POST", "/auth/token", { body, language: locale }));
      setToken(answer.token);
      signedIn();
    } catch (error) {
      notify(messageOf(error));
    }
  }

  view.replaceChildren(
    h(
      "form",
      { class: "card sign-in", onsubmit: submit },
      h("h1", {}, t("Sign in")),
      h("label", {}, t("Phone number"), phone),
      h("button", { type: "button", "data-action": "request-code", onclick: requestCode }, t("Send me a code")),
      sent,
      h("label", {}, t("Code"), code),
      h("button", { type: "submit", "data-action": "sign-in" }, t("Sign in")),
    ),
  );
  phone.focus();
}
