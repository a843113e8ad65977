// The "artisans" section: the brand's artisans (a list to filter and search, add, change,
// deactivate, and import from a spreadsheet; under an artisan's form, what buyers may see of
// her and her own words: people-consent.js), its invitations to people who work with another
// brand, and its villages; for admins also the village
// leaders and coordinators, the crafts and the brand's settings. One tab shows at a time and
// the address remembers it (/console/artisans#villages).

import { api, messageOf } from "../api.js";
import { h, notify } from "../dom.js";
import { locale, t } from "../i18n.js";
import { craftsPanel, membersPanel, settingsPanel, villagesPanel } from "./people-brand.js";
import { consentPanel } from "./people-consent.js";
import { importPanel } from "./people-import.js";
import { invitationSent, invitationsPanel } from "./people-invitations.js";
import { keptList } from "./people-list.js";
import { LANGUAGES, button, craftLabel, languageSelect, select, villageName, villageOptions } from "./people-ui.js";
import { field } from "./ui.js";

/** @typedef {import("./people-ui.js").Context} Context */
/** @typedef {[string, string, (panel: HTMLElement, ctx: Context) => Promise<void>]} Tab key, label, panel */

/** What the tabs share: the signed-in person and the brand's lists, kept as the server answers.
@param {Wire.Me} me @returns {Context} */
function context(me) {
  return { me, villages: [], crafts: [], artisans: [], voiceLanguages: [] };
}

/** The tabs a person sees: the last three are an admin's (the server refuses them to others too).
@param {Wire.Me} me @returns {Tab[]} */
function tabs(me) {
  /** @type {Tab[]} */
  const everyone = [
    ["artisans", t("Artisans"), artisansPanel],
    ["invitations", t("Invitations"), invitationsPanel],
    ["villages", t("Villages"), villagesPanel],
  ];
  if (me.role !== "admin") return everyone;
  return [
    ...everyone,
    ["people", t("Leaders and coordinators"), membersPanel],
    ["crafts", t("Crafts"), craftsPanel],
    ["settings", t("Settings"), settingsPanel],
  ];
}

/** @param {HTMLElement} view @param {Wire.Me} me @returns {Promise<void>} */
export async function people(view, me) {
  const ctx = context(me);
  const bar = h("nav", { class: "tabs", role: "tablist" });
  const panel = h("div", { class: "panel" });
  view.replaceChildren(h("section", { class: "people" }, bar, panel));
  const shown = tabs(me);

  /** @param {string} key */
  async function show(key) {
    const [current, , draw] = shown.find(([name]) => name === key) || shown[0];
    bar.replaceChildren(
      ...shown.map(([name, label]) =>
        h(
          "button",
          { type: "button", role: "tab", "data-tab": name, "aria-selected": String(name === current), onclick: () => show(name) },
          label,
        ),
      ),
    );
    history.replaceState(null, "", current === shown[0][0] ? location.pathname : `#${current}`);
    notify("");
    // A fresh container per visit: a tab still loading when another is chosen draws out of sight.
    const target = h("div");
    panel.replaceChildren(target);
    try {
      await draw(target, ctx);
    } catch (error) {
      notify(messageOf(error));
    }
  }

  try {
    const [villages, crafts] = /** @type {[{villages: Wire.Village[]}, {crafts: Wire.Craft[]}]} */ (await Promise.all([
      api("GET", "/villages", { language: locale }),
      api("GET", "/crafts", { language: locale }),
    ]));
    ctx.villages = villages.villages;
    ctx.crafts = crafts.crafts;
  } catch (error) {
    return notify(messageOf(error));
  }
  // The languages the brand recorded its prompts in, for the calls' language (none: the form offers only hers).
  ctx.voiceLanguages = await api("GET", "/voice/recordings", { language: locale }).then(
    (r) => /** @type {Wire.Recordings} */ (r).languages.map((l) => l.language),
    () => [],
  );
  await show(location.hash.slice(1));
}

/** Chinese mobiles as people write them (13912345678); others in full. @param {string} phone */
function localPhone(phone) {
  return phone.startsWith("+86") ? phone.slice(3) : phone;
}

/** The spoken languages a call may use: her own (text-to-speech) or one the brand recorded its
prompts in (and the one she has, should its recordings be gone). @param {Context} ctx @param {string | null} current
@returns {HTMLSelectElement} */
function voiceSelect(ctx, current) {
  const recorded = [...new Set([...ctx.voiceLanguages, ...(current ? [current] : [])])];
  /** @type {[string, string][]} */
  const options = [["", t("Her language, spoken by the computer")]];
  for (const code of recorded) options.push([code, LANGUAGES[code] || t("{language}: recorded prompts", { language: code })]);
  return select("voice_language", options, current || "");
}

/** The artisan form's controls: name, phone, village, crafts, SMS only, language, calls.
@param {Context} ctx @param {Wire.Member | null} artisan @returns {import("./people-list.js").Form} */
function artisanForm(ctx, artisan) {
  /** @type {Pick<Wire.Member, "name" | "phone" | "village_id" | "crafts" | "sms_only" | "locale" | "takes_calls" | "voice_language">} */
  const a = artisan || {
    name: "",
    phone: "",
    village_id: null,
    crafts: [],
    sms_only: false,
    locale: "zh_Hans",
    takes_calls: false,
    voice_language: null,
  };
  const name = h("input", { name: "name", value: a.name, maxlength: "100", autocomplete: "off" });
  const phone = h("input", { name: "phone", type: "tel", value: localPhone(a.phone), maxlength: "32", autocomplete: "off" });
  const places = villageOptions(ctx.villages.filter((v) => v.active || v.id === a.village_id));
  const village = select("village_id", [["", t("Choose a village")], ...places], a.village_id ? String(a.village_id) : "");
  const boxes = ctx.crafts
    .filter((c) => c.active || a.crafts.includes(c.code))
    .map((c) => /** @type {[HTMLInputElement, string]} */ ([
      h("input", { type: "checkbox", name: "crafts", value: c.code, checked: a.crafts.includes(c.code) }),
      craftLabel(c),
    ]));
  const smsOnly = h("input", { type: "checkbox", name: "sms_only", checked: a.sms_only });
  const language = languageSelect(a.locale);
  const calls = h("input", { type: "checkbox", name: "takes_calls", checked: a.takes_calls });
  const spoken = voiceSelect(ctx, a.voice_language);
  const controls = [
    field(t("Name"), name),
    field(t("Phone number"), phone),
    field(t("Village"), village),
    field(t("Language"), language),
    h(
      "fieldset",
      { class: "checks wide" },
      h("legend", {}, t("Crafts")),
      ...boxes.map(([box, label]) => h("label", { class: "check" }, box, label)),
      h("small", { class: "field-error", "data-error-for": "crafts", hidden: true }),
    ),
    h("label", { class: "check wide" }, smsOnly, t("SMS only: no smartphone, offers and answers by text message")),
    h("label", { class: "check wide" }, calls, t("Takes calls: a question left unanswered by SMS is followed by a phone call")),
    field(t("Calls speak"), spoken),
  ];
  const values = () => ({
    name: name.value.trim(),
    phone: phone.value.trim() === localPhone(a.phone) ? a.phone : phone.value.trim(),
    village_id: village.value ? Number(village.value) : null,
    crafts: boxes.filter(([box]) => box.checked).map(([box]) => box.value),
    sms_only: smsOnly.checked,
    locale: language.value,
    takes_calls: calls.checked,
    voice_language: spoken.value || null,
  });
  return { controls, values };
}

/** The artisans of the brand: filters, the list and its form, the import. @param {HTMLElement} panel @param {Context} ctx */
async function artisansPanel(panel, ctx) {
  const search = h("input", { type: "search", name: "search", placeholder: t("Name or phone"), autocomplete: "off" });
  const byVillage = select("village", [["", t("All villages")], ...villageOptions(ctx.villages)]);
  const byCraft = select("craft", [["", t("All crafts")], ...ctx.crafts.map((c) => /** @type {[string, string]} */ ([c.code, craftLabel(c)]))]);
  const craftName = (/** @type {string} */ code) => craftLabel(ctx.crafts.find((c) => c.code === code) || { names: {}, code });

  /** @param {Wire.Member} a */
  function shows(a) {
    const words = search.value.trim().toLowerCase();
    const digits = words.replace(/[\s-]/g, "");
    if (byVillage.value && a.village_id !== Number(byVillage.value)) return false;
    if (byCraft.value && !a.crafts.includes(byCraft.value)) return false;
    return !words || a.name.toLowerCase().includes(words) || (digits !== "" && a.phone.includes(digits));
  }

  ctx.artisans = /** @type {{artisans: Wire.Member[]}} */ (await api("GET", "/artisans", { language: locale })).artisans;
  const list = keptList(
    {
      kind: "artisan",
      signsOut: true,
      path: "/artisans",
      headings: [t("Name"), t("Phone number"), t("Village"), t("Crafts"), t("SMS only"), t("Language"), t("Calls")],
      cells: (a) => [
        a.name,
        localPhone(a.phone),
        villageName(ctx, a.village_id),
        a.crafts.map(craftName).join(locale === "en" ? ", " : "、"),
        a.sms_only ? t("Yes") : "",
        LANGUAGES[a.locale] || a.locale,
        a.takes_calls ? LANGUAGES[a.voice_language || a.locale] || a.voice_language || t("Yes") : "",
      ],
      form: (a) => artisanForm(ctx, a),
      addLabel: t("Add an artisan"),
      changeLabel: (a) => t("Change {name}", { name: a.name }),
      empty: t("No artisans yet: add one, or import a spreadsheet."),
      shows,
      notAdded: invitationSent,
      more: consentPanel,
    },
    ctx.artisans,
  );
  const imports = importPanel(async () => {
    const { artisans } = /** @type {{artisans: Wire.Member[]}} */ (await api("GET", "/artisans", { language: locale }));
    ctx.artisans.splice(0, Infinity, ...artisans);
    list.render();
  });
  const importToggle = button("show-import", t("Import from a spreadsheet"), () => {
    imports.hidden = !imports.hidden;
  });
  for (const control of [search, byVillage, byCraft]) control.addEventListener("input", list.render);
  panel.replaceChildren(
    h(
      "div",
      { class: "toolbar" },
      h("label", { class: "inline grow" }, t("Search"), search),
      h("label", { class: "inline" }, t("Village"), byVillage),
      h("label", { class: "inline" }, t("Craft"), byCraft),
      list.add,
      importToggle,
    ),
    imports,
    list.element,
  );
}
