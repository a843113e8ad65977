// The brand's recorded prompts, for villagers whose language text-to-speech cannot speak (Miao,
// Dong): per language, which prompts are recorded and which are still missing (no call is placed
// while one is), an Aliyun voice file code to register and a WAV or MP3 file to upload per prompt.

import { api, messageOf, raw } from "../api.js";
import { h, notify } from "../dom.js";
import { locale, t } from "../i18n.js";
import { field, table } from "./ui.js";

const TAG = "[A-Za-z]{2,3}([_\\-][A-Za-z0-9]{2,8}){0,2}";

/** @param {HTMLElement} view @returns {void} */
export function recordings(view) {
  const languages = h("div", { class: "recording-languages" });
  const added = new Set(); // languages typed here, not recorded in yet
  const language = h("input", { name: "language", required: true, pattern: TAG, maxlength: "16", placeholder: "hmn" });

  async function refresh() {
    try {
      const found = /** @type {Wire.Recordings} */ (await api("GET", "/voice/recordings", { language: locale }));
      const known = new Set(found.languages.map((one) => one.language));
      const empty = [...added].filter((tag) => !known.has(tag)).map((tag) => ({ language: tag, people: 0, recorded: [], missing: found.prompts }));
      languages.replaceChildren(...[...found.languages, ...empty].map((one) => block(found, one)));
      if (!languages.childElementCount) languages.append(h("p", { class: "empty" }, t("No language is recorded yet.")));
    } catch (error) {
      notify(messageOf(error));
    }
  }

  /** @param {string} path @param {() => Promise<unknown>} send */
  async function change(path, send) {
    notify("");
    try {
      await send();
      await refresh();
    } catch (error) {
      notify(`${path}: ${messageOf(error)}`);
    }
  }

  /** @param {Wire.Recordings} found @param {Wire.LanguageRecordings} one */
  function block(found, one) {
    const rows = found.prompts.map((prompt) => {
      const recorded = one.recorded.find((r) => r.prompt === prompt);
      const path = `/voice/recordings/${encodeURIComponent(one.language)}/${encodeURIComponent(prompt)}`;
      const code = h("input", { name: "aliyun_code", value: recorded?.aliyun_code || "", maxlength: "64", "aria-label": t("Aliyun voice file code") });
      const save = h("button", { type: "button", "data-action": "save-code", onclick: () => change(prompt, () => api("PUT", path, { body: { aliyun_code: code.value.trim() }, language: locale })) }, t("Save"));
      const file = h("input", { type: "file", name: "file", accept: "audio/mpeg,audio/wav,.mp3,.wav", "aria-label": t("Audio file (WAV or MP3)") });
      file.addEventListener("change", () => {
        const chosen = file.files?.[0];
        if (!chosen) return;
        const body = new FormData();
        body.append("file", chosen);
        change(prompt, () => raw("PUT", `${path}/audio`, { body, language: locale }));
      });
      // Played from this origin (the page's CSP): the address Twilio is given may name another host.
      const audio = recorded?.audio_url ? h("audio", { controls: true, preload: "none", src: new URL(recorded.audio_url).pathname }) : "";
      const missing = one.missing.includes(prompt);
      return {
        cells: [prompt, h("span", {}, code, save), h("span", {}, audio, file), missing ? t("missing") : t("recorded")],
        attrs: { "data-recording": prompt, "data-missing": String(missing) },
      };
    });
    return h(
      "section",
      { class: "card", "data-recording-language": one.language },
      h("h2", {}, t("{language}: {people} people called in it", { language: one.language, people: one.people })),
      table([t("Prompt"), t("Aliyun voice file code"), t("Audio (Twilio)"), t("State")], rows),
    );
  }

  /** @param {Event} event */
  function addLanguage(event) {
    event.preventDefault();
    added.add(language.value.trim().toLowerCase().replace("_", "-"));
    language.value = "";
    refresh();
  }

  view.replaceChildren(
    h(
      "section",
      { class: "card recordings", "data-recordings": true },
      h("h1", {}, t("Voice recordings")),
      h("p", { class: "hint" }, t("Calls speak Chinese and English by text-to-speech. For another language, record every prompt: `cunjiang voice templates --language hmn` prints what to say. A recording cannot say the job's code or quantity; the SMS before the call does.")),
      h("form", { onsubmit: addLanguage, "data-action": "add-language" }, field(t("Language (hmn, doc…)"), language), h("button", { type: "submit" }, t("Add"))),
    ),
    languages,
  );
  refresh();
}
