// The brand's villages (coordinators keep them up to date) and what admins alone manage:
// village leaders, coordinators and admins, the crafts, and the brand's settings.

import { api } from "../api.js";
import { h } from "../dom.js";
import { locale, t } from "../i18n.js";
import { keptList } from "./people-list.js";
import { LANGUAGES, languageSelect, select, statusLine, submitting, villageName, villageOptions } from "./people-ui.js";
import { field } from "./ui.js";

/** @typedef {import("./people-ui.js").Context} Context */
/** @typedef {import("./people-list.js").Form} Form */

/** A text input. @param {string} name @param {string} [value] @param {Record<string, string>} [extra] */
function text(name, value = "", extra = {}) {
  return h("input", { name, value, maxlength: "100", autocomplete: "off", ...extra });
}

/** A panel: a heading, the "add" button beside it, and the list.
@param {HTMLElement} panel @param {string} title @param {{add: HTMLElement, element: HTMLElement}} list */
function listPanel(panel, title, list) {
  panel.replaceChildren(h("div", { class: "toolbar" }, h("h1", { class: "grow" }, title), list.add), list.element);
}

/** The brand's villages. @param {HTMLElement} panel @param {Context} ctx @returns {Promise<void>} */
export async function villagesPanel(panel, ctx) {
  const { villages } = /** @type {{villages: Wire.Village[]}} */ (await api("GET", "/villages", { language: locale }));
  ctx.villages.splice(0, Infinity, ...villages);
  const list = keptList(
    {
      kind: "village",
      path: "/villages",
      headings: [t("Village"), t("County"), t("Province")],
      cells: (v) => [v.name, v.county, v.province],
      form: (v) => {
        const [name, county, province] = [text("name", v?.name), text("county", v?.county), text("province", v?.province)];
        return {
          controls: [field(t("Village"), name), field(t("County"), county), field(t("Province"), province)],
          values: () => ({ name: name.value.trim(), county: county.value.trim(), province: province.value.trim() }),
        };
      },
      addLabel: t("Add a village"),
      changeLabel: (v) => t("Change {name}", { name: v.name }),
      empty: t("No villages yet."),
    },
    ctx.villages,
  );
  listPanel(panel, t("Villages"), list);
}

/** @returns {Record<string, string>} */
function roleWords() {
  return { leader: t("Village leader"), coordinator: t("Coordinator"), admin: t("Admin") };
}

/** The form of a leader, coordinator or admin; the role is chosen once, when adding.
@param {Context} ctx @param {Wire.Member | null} member @returns {Form} */
function memberForm(ctx, member) {
  const roles = roleWords();
  const role = select("role", Object.entries(roles), member?.role || "leader");
  const name = text("name", member?.name);
  const phone = text("phone", member?.phone, { type: "tel", maxlength: "32" });
  const places = villageOptions(ctx.villages.filter((v) => v.active || v.id === member?.village_id));
  const village = select("village_id", [["", t("Choose a village")], ...places], String(member?.village_id || ""));
  const language = languageSelect(member?.locale);
  const villageField = field(t("Village (leaders)"), village);
  const isLeader = () => role.value === "leader";
  const follow = () => {
    villageField.hidden = !isLeader();
  };
  role.addEventListener("change", follow);
  follow();
  const controls = [
    member ? null : field(t("Role"), role),
    field(t("Name"), name),
    field(t("Phone number"), phone),
    villageField,
    field(t("Language"), language),
  ];
  const values = () => {
    const chosen = { name: name.value.trim(), phone: phone.value.trim(), locale: language.value };
    const place = isLeader() && village.value ? Number(village.value) : null;
    if (!member) return { role: role.value, village_id: place, ...chosen };
    return place ? { ...chosen, village_id: place } : chosen; // a leader's village is changed, never emptied
  };
  return { controls: controls.flatMap((control) => control ?? []), values };
}

/** Village leaders, coordinators and admins (admins only). @param {HTMLElement} panel @param {Context} ctx @returns {Promise<void>} */
export async function membersPanel(panel, ctx) {
  const { members } = /** @type {{members: Wire.Member[]}} */ (await api("GET", "/members", { language: locale }));
  const roles = roleWords();
  const list = keptList(
    {
      kind: "member",
      signsOut: true,
      path: "/members",
      headings: [t("Name"), t("Phone number"), t("Role"), t("Village"), t("Language")],
      cells: (m) => [
        m.name,
        m.phone,
        roles[m.role] || m.role,
        villageName(ctx, m.village_id),
        LANGUAGES[m.locale] || m.locale,
      ],
      form: (m) => memberForm(ctx, m),
      addLabel: t("Add a person"),
      changeLabel: (m) => t("Change {name}", { name: m.name }),
      empty: t("Nobody yet."),
      canToggle: (m) => m.id !== ctx.me.id,
    },
    members,
  );
  listPanel(panel, t("Leaders and coordinators"), list);
}

/** The craft form: a code when adding (it never changes), and its name in each language.
@param {Wire.Craft | null} craft @returns {Form} */
function craftForm(craft) {
  const code = text("code", "", { maxlength: "32", pattern: "[a-z][a-z0-9-]*", placeholder: "bamboo-weaving" });
  const names = Object.keys(LANGUAGES).map((tag) => /** @type {[string, HTMLInputElement]} */ ([tag, text(`name_${tag}`, craft?.names[tag] || "")]));
  const [[, chinese], [, english]] = names;
  const controls = [
    craft ? null : field(t("Code (lowercase letters, never changes)"), code),
    field(t("Name in Chinese"), chinese, "names"),
    field(t("Name in English"), english),
  ];
  const values = () => {
    const given = Object.fromEntries(names.map(([tag, input]) => [tag, input.value.trim()]).filter(([, name]) => name));
    return craft ? { names: given } : { code: code.value.trim(), names: given };
  };
  return { controls: controls.flatMap((control) => control ?? []), values };
}

/** The brand's crafts (admins only). @param {HTMLElement} panel @param {Context} ctx @returns {Promise<void>} */
export async function craftsPanel(panel, ctx) {
  const { crafts } = /** @type {{crafts: Wire.Craft[]}} */ (await api("GET", "/crafts", { language: locale }));
  ctx.crafts.splice(0, Infinity, ...crafts);
  const list = keptList(
    {
      kind: "craft",
      path: "/crafts",
      headings: [t("Craft code"), t("Name in Chinese"), t("Name in English")],
      cells: (c) => [c.code, c.names.zh_Hans || "", c.names.en || ""],
      form: craftForm,
      addLabel: t("Add a craft"),
      changeLabel: (c) => t("Change {name}", { name: c.name }),
      empty: t("No crafts yet."),
    },
    ctx.crafts,
  );
  listPanel(panel, t("Crafts"), list);
}

/** The brand's name, its short name for SMS and how long an offer stays open (admins only).
@param {HTMLElement} panel @returns {Promise<void>} */
export async function settingsPanel(panel) {
  const brand = /** @type {Wire.BrandSettings} */ (await api("GET", "/brand", { language: locale }));
  const name = text("name", brand.name);
  // At most 8 characters (the server says so too, by field, when one is not allowed).
  const shortName = text("short_name", brand.short_name, { maxlength: "8" });
  const hours = h("input", {
    name: "offer_window_hours", type: "number", min: "1", max: "720", value: String(brand.offer_window_hours),
  });
  const advance = h("input", {
    name: "advance_percent", type: "number", min: "0", max: "50", value: String(brand.advance_percent ?? 30),
  });
  const status = statusLine();
  const form = h(
    "form",
    { class: "card form-grid", "data-form": "settings", novalidate: true },
    h("h1", { class: "wide" }, t("Settings")),
    field(t("Brand name"), name),
    field(t("Short name for SMS"), shortName),
    h(
      "p",
      { class: "hint wide" },
      t("What villagers type to leave the brand by SMS (退出 and this name), and how SMS name it; at most 8 characters. Empty: the brand's name."),
    ),
    field(t("Offer window (hours)"), hours),
    h("p", { class: "hint wide" }, t("An offer not answered in this time expires; offers already sent keep their time.")),
    field(t("Advance (% of a job's pay)"), advance),
    h("p", { class: "hint wide" }, t("An artisan may ask this share of an accepted job's pay in advance, interest-free; at most 50%. Requests already made keep their amounts.")),
    h("div", { class: "buttons" }, h("button", { type: "submit", "data-action": "save" }, t("Save"))),
    status,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    status.textContent = "";
    submitting(form, async () => {
      const saved = /** @type {Wire.BrandSettings} */ (
        await api("PATCH", "/brand", {
          body: {
            name: name.value.trim(), short_name: shortName.value.trim(), offer_window_hours: Number(hours.value),
            advance_percent: Number(advance.value),
          },
          language: locale,
        })
      );
      /** @type {HTMLElement} */ (document.querySelector("[data-brand]")).textContent = saved.name;
      status.textContent = t("Saved.");
    });
  });
  panel.replaceChildren(form);
}
