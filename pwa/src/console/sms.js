// The SMS simulator: type as a villager, read what Cunjiang answers (console SMS gateway only);
// beside it, the call view: the calls due or placed to her, spoken as she would hear them, and a
// keypad to press keys for her (console voice gateway only); below, what the SMS provider
// pushed that could not be read, when there is any.

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
  const kinds = { report: t("delivery report"), voice_report: t("call report"), up: t("villager's reply") };
  const kind = kinds[letter.kind];
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

const KEYPAD = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
const CALL_WORDS = {
  queued: () => t("due"),
  calling: () => t("ringing"),
  answered: () => t("answered"),
  no_answer: () => t("not answered"),
  failed: () => t("failed"),
  cancelled: () => t("cancelled"),
};

/** The call view: the calls to the villager being simulated, a keypad on the ringing one.
 * @param {() => string} phoneOf the number simulated */
function callView(phoneOf) {
  const section = h("section", { class: "card calls", "data-calls": true, hidden: true });
  const list = h("ol", { class: "call-list" });
  /** keys pressed so far in each ringing call, and what it said last @type {Map<number, {keys: string, heard: string}>} */
  const pressed = new Map();
  let shown = "";

  /** @param {Wire.SimulatedCall} call */
  function item(call) {
    const state = pressed.get(call.id);
    const details = [
      (CALL_WORDS[/** @type {keyof typeof CALL_WORDS} */ (call.status)] || (() => call.status))(),
      formatTime(call.called_at || call.due_at),
      call.keys_pressed ? t("keys pressed: {keys}", { keys: call.keys_pressed }) : "",
    ].filter(Boolean).join(" · ");
    const ringing = call.status === "calling";
    return h(
      "li",
      { "data-call-id": String(call.id), "data-status": call.status, class: `call ${call.status}` },
      h(
        "p",
        { class: "words", "data-words": true, "data-outcome": call.outcome, lang: call.language.replace("_", "-") },
        call.words || (call.outcome === "no_recording" ? t("Not called: no recording in her language (no_recording)") : call.outcome),
      ),
      h("small", {}, details),
      state?.heard ? h("p", { class: "heard", "data-heard": true }, state.heard) : "",
      ringing ?
        h(
          "div",
          { class: "keypad", role: "group", "aria-label": t("Keypad") },
          ...KEYPAD.map((key) => h("button", { type: "button", "data-key": key, onclick: () => press(call, key) }, key)),
        ) : "",
    );
  }

  /** @param {Wire.SimulatedCalls} answer */
  function render(answer) {
    const key = JSON.stringify([answer.calls, [...pressed]]);
    if (key === shown) return;
    shown = key;
    section.hidden = false;
    list.dataset.callsPhone = answer.phone;
    list.replaceChildren(...answer.calls.map(item));
    if (!answer.calls.length) list.append(h("li", { class: "empty" }, t("No calls to this number.")));
  }

  /** @param {Wire.SimulatedCall} call @param {string} key */
  async function press(call, key) {
    notify("");
    const keys = (pressed.get(call.id)?.keys || "") + key;
    for (const button of section.querySelectorAll("[data-key]")) /** @type {HTMLButtonElement} */ (button).disabled = true;
    try {
      const answer = /** @type {Wire.SimulatedCalls} */ (
        await api("POST", `/sms/simulator/calls/${call.id}/keys`, { body: { keys }, language: locale })
      );
      pressed.set(call.id, { keys: answer.ended ? "" : keys, heard: answer.heard || t("(the call hung up)") });
      render(answer);
    } catch (error) {
      notify(messageOf(error));
      refresh();
    }
  }

  async function refresh() {
    const phone = phoneOf();
    if (!phone || document.hidden) return;
    try {
      render(/** @type {Wire.SimulatedCalls} */ (await api("GET", "/sms/simulator/calls", { query: { phone }, language: locale })));
    } catch (error) {
      // off with a real voice gateway (it would ring real phones): the SMS simulator works on
      if (/** @type {{code?: string}} */ (error).code !== "call_view_off") notify(messageOf(error));
      section.hidden = true;
    }
  }

  function reset() {
    pressed.clear();
    shown = "";
  }

  section.append(
    h("h2", {}, t("Calls")),
    h("p", { class: "hint" }, t("The calls to this villager, as she would hear them. Press keys for her while a call rings.")),
    list,
  );
  return { section, refresh, reset };
}

/** @param {HTMLElement} view @returns {void} */
export function smsSimulator(view) {
  const phone = h("input", { name: "phone", type: "tel", list: "villagers", required: true, autocomplete: "off" });
  const body = h("input", { name: "body", autocomplete: "off", maxlength: "1600" });
  const villagers = h("datalist", { id: "villagers" });
  const log = h("ol", { class: "conversation", "aria-live": "polite" });
  const send = h("button", { type: "submit", "data-action": "send" }, t("Send"));
  const unread = h("section", { class: "card unread-pushes", hidden: true });
  const calls = callView(() => phone.value);
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
    calls.refresh();
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
    calls.section,
    unread,
  );
  phone.addEventListener("change", () => {
    shown = "";
    calls.reset();
    refresh();
  });
  whileShown(log, POLL_MS, refresh); // polling ends when the simulator leaves the page
  listVillagers();
  showDeadLetters(unread);
  phone.focus();
}
