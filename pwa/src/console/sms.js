// The SMS simulator: type as a villager, read what Cunjiang answers (console SMS gateway only).

import { api, newKey } from "../api.js";
import { h, notify } from "../dom.js";
import { formatTime, locale, t } from "../i18n.js";

const POLL_MS = 2000;

/** @param {{direction: string, body: string, at: string, kind: string, status: string}} message */
function bubble(message) {
  const details = [formatTime(message.at), message.kind, message.status].filter(Boolean).join(" · ");
  return h(
    "li",
    { "data-message": true, "data-direction": message.direction, class: `message ${message.direction}` },
    h("p", { class: "body" }, message.body || t("(empty message)")),
    h("small", {}, details),
  );
}

/** @param {HTMLElement} view */
export function smsSimulator(view) {
  const phone = h("input", { name: "phone", type: "tel", list: "villagers", required: true, autocomplete: "off" });
  const body = h("input", { name: "body", autocomplete: "off", maxlength: "1600" });
  const villagers = h("datalist", { id: "villagers" });
  const log = h("ol", { class: "conversation", "aria-live": "polite" });
  const send = h("button", { type: "submit", "data-action": "send" }, t("Send"));
  let shown = "";
  let timer = 0;

  /** @param {{phone: string, messages: any[]}} conversation */
  function render(conversation) {
    const key = JSON.stringify(conversation);
    if (key === shown) return;
    log.dataset.phone = conversation.phone;
    shown = key;
    log.replaceChildren(...conversation.messages.map(bubble));
    if (!conversation.messages.length) log.append(h("li", { class: "empty" }, t("No messages with this number yet.")));
    log.lastElementChild?.scrollIntoView({ block: "end" });
  }

  async function refresh() {
    if (!phone.value || document.hidden) return;
    try {
      render(await api("GET", "/sms/simulator", { query: { phone: phone.value }, language: locale }));
    } catch (error) {
      notify(error.message);
    }
  }

  async function submit(event) {
    event.preventDefault();
    notify("");
    send.disabled = true;
    try {
      const message = { phone: phone.value, body: body.value, id: newKey() }; // resent (a retried request): one message
      render(await api("POST", "/sms/simulator", { body: message, language: locale }));
      body.value = "";
      body.focus();
    } catch (error) {
      notify(error.message);
    } finally {
      send.disabled = false;
    }
  }

  async function listVillagers() {
    try {
      const { artisans } = await api("GET", "/artisans", { language: locale });
      villagers.replaceChildren(
        ...artisans.map((a) => h("option", { value: a.phone }, a.sms_only ? a.name + " · " + t("SMS only") : a.name)),
      );
    } catch {
      // the list only helps typing: the simulator works without it
    }
  }

  view.replaceChildren(
    h(
      "section",
      { class: "card simulator" },
      h("h1", {}, t("SMS simulator")),
      h("p", { class: "hint" }, t("Type as a villager: 1 to accept, 2 to decline, 完成 15 when done, 0 for help, 退订 to stop.")),
      h(
        "form",
        { onsubmit: submit },
        h("label", {}, t("Villager's phone"), phone, villagers),
        log,
        h("div", { class: "compose" }, h("label", {}, t("Message"), body), send),
      ),
    ),
  );
  phone.addEventListener("change", () => {
    shown = "";
    refresh();
  });
  clearInterval(timer);
  timer = window.setInterval(refresh, POLL_MS);
  listVillagers();
  phone.focus();
}
