// The SMS simulator: type as a villager, read what Cunjiang answers (console SMS gateway only);
// below it, what the SMS provider pushed that could not be read, when there is any.

import { api, messageOf, newKey } from "../api.js";
import { h, notify } from "../dom.js";
import { formatTime, locale, t } from "../i18n.js";
import { whileShown } from "./ui.js";

const POLL_MS = 2000;

/** @param {Wire.SmsMessage} message */
function bubble(message) {
  const details = [formatTime(message.at), message.kind, message.status].filter(Boolean).join(" · ");
  return h(
    "li",
    { "data-message": true, "data-direction": message.direction, class: `message ${message.direction}` },
    h("p", { class: "body" }, message.body || t("(empty message)")),
    h("small", {}, details),
  );
}

/** @param {Wire.DeadLetter} letter */
function deadLetter(letter) {
  const kind = letter.kind === "report" ? t("delivery report") : t("villager's reply");
  return h(
    "li",
    { "data-dead-letter": String(letter.id), "data-reason": letter.reason },
    h("p", {}, [formatTime(letter.received_at), kind, letter.reason_text].join(" · ")),
    h("code", { class: "raw" }, letter.item),
  );
}

/** The brand's pushed items that could not be read, newest first; the section stays hidden without any.
 * @param {HTMLElement} section */
async function showDeadLetters(section) {
  let answer;
  try {
    answer = /** @type {Wire.DeadLetterList} */ (await api("GET", "/sms/dead-letters", { language: locale }));
  } catch {
    return; // the simulator works without it
  }
  const { dead_letters: letters, unattributed } = answer;
  section.hidden = !letters.length;
  section.replaceChildren(
    h("h2", {}, t("Pushes that could not be read")),
    h("p", { class: "hint" }, t("The SMS provider sent these, but they could not be read; everything else it sent was kept.")),
    h("ol", { class: "dead-letters" }, ...letters.map(deadLetter)),
    unattributed > 0 ? // not `&&`: replaceChildren would write "false"
      h(
        "p",
        { class: "hint", "data-unattributed": String(unattributed) },
        t("Another {count} could not be told to a brand: an operator lists them with cunjiang sms dead-letters.", {
          count: unattributed,
        }),
      ) : "",
  );
}

/** @param {HTMLElement} view @returns {void} */
export function smsSimulator(view) {
  const phone = h("input", { name: "phone", type: "tel", list: "villagers", required: true, autocomplete: "off" });
  const body = h("input", { name: "body", autocomplete: "off", maxlength: "1600" });
  const villagers = h("datalist", { id: "villagers" });
  const log = h("ol", { class: "conversation", "aria-live": "polite" });
  const send = h("button", { type: "submit", "data-action": "send" }, t("Send"));
  const unread = h("section", { class: "card unread-pushes", hidden: true });
  let shown = "";

  /** @param {Wire.SmsConversation} conversation */
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
      render(/** @type {Wire.SmsConversation} */ (await api("GET", "/sms/simulator", { query: { phone: phone.value }, language: locale })));
    } catch (error) {
      notify(messageOf(error));
    }
  }

  /** @param {Event} event */
  async function submit(event) {
    event.preventDefault();
    notify("");
    send.disabled = true;
    try {
      const message = { phone: phone.value, body: body.value, id: newKey() }; // resent (a retried request): one message
      render(/** @type {Wire.SmsConversation} */ (await api("POST", "/sms/simulator", { body: message, language: locale })));
      body.value = "";
      body.focus();
    } catch (error) {
      notify(messageOf(error));
    } finally {
      send.disabled = false;
    }
  }

  async function listVillagers() {
    try {
      const { artisans } = /** @type {{artisans: Wire.Member[]}} */ (await api("GET", "/artisans", { language: locale }));
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
    unread,
  );
  phone.addEventListener("change", () => {
    shown = "";
    refresh();
  });
  whileShown(log, POLL_MS, refresh); // polling ends when the simulator leaves the page
  listVillagers();
  showDeadLetters(unread);
  phone.focus();
}
