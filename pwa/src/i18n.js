// Texts from the same catalogs as the server (GET /api/v1/i18n/<lang>); Chinese first.

const LOCALE_KEY = "cunjiang.locale";
export const LOCALES = ["zh_Hans", "en"];
/** @type {Record<string, string>} */
let messages = {};
export let locale = "zh_Hans";

/** The saved choice, else the browser's language when we have it, else Chinese. @returns {string} */
export function preferredLocale() {
  const saved = localStorage.getItem(LOCALE_KEY);
  if (saved && LOCALES.includes(saved)) return saved;
  return (navigator.language || "").toLowerCase().startsWith("en") ? "en" : "zh_Hans";
}

/** @param {string} wanted @param {"app" | "all"} [part] the artisan's app asks only for its own texts @returns {Promise<void>} */
export async function load(wanted, part = "app") {
  const response = await fetch(`/api/v1/i18n/${wanted}?part=${part}`);
  messages = response.ok ? await response.json() : {};
  locale = wanted;
  localStorage.setItem(LOCALE_KEY, wanted);
  document.documentElement.lang = wanted === "en" ? "en" : "zh-Hans";
}

/** The texts of a view loaded when asked for (pwa/src/on-demand/), added to the current
language's: the first visit does not pay for them. Offline and never fetched: shown as written.
@returns {Promise<void>} */
export async function loadOnDemand() {
  try {
    const response = await fetch(`/api/v1/i18n/${locale}?part=on-demand`);
    if (response.ok) Object.assign(messages, await response.json());
  } catch {
    // no signal: the texts show as written
  }
}

/**
 * The message in the current language, with {name} placeholders filled in.
 * @param {string} msgid @param {Record<string, string | number>} [values]
 * @returns {string}
 */
export function t(msgid, values = {}) {
  const text = messages[msgid] || msgid;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** The BCP 47 tag Intl formats the current language with. */
function intlTag() {
  return locale === "en" ? "en" : "zh-CN";
}

/** @param {string | number | Date} moment @returns {string} */
export function formatTime(moment) {
  return new Intl.DateTimeFormat(intlTag(), { dateStyle: "short", timeStyle: "medium" }).format(new Date(moment));
}

/** Money in fen as the reader writes it (¥45.00, CN¥45.00). @param {number} fen @returns {string} */
export function formatMoney(fen) {
  return new Intl.NumberFormat(intlTag(), { style: "currency", currency: "CNY" }).format(fen / 100);
}

/** A calendar day in China (an ISO date) as the reader writes it (12月14日, December 14). @param {string} day @returns {string} */
export function formatDay(day) {
  return new Intl.DateTimeFormat(intlTag(), { month: "long", day: "numeric" }).format(new Date(`${day}T00:00:00+08:00`));
}

/** A month ("2026-11") as the reader writes it, short (26年11月, Nov 26). @param {string} month @returns {string} */
export function formatMonth(month) {
  return new Intl.DateTimeFormat(intlTag(), { year: "2-digit", month: "short" }).format(new Date(`${month}-15T00:00:00+08:00`));
}

// The words for a job's or a payout's state (DESIGN.md's state machine), written out so that
// the catalogs carry them for the app and the console.
/** @type {Record<string, () => string>} */
const STATUS_WORDS = {
  offered: () => t("offered"),
  accepted: () => t("accepted"),
  declined: () => t("declined"),
  expired: () => t("expired"),
  withdrawn: () => t("withdrawn"),
  submitted: () => t("submitted"),
  rework: () => t("rework"),
  approved: () => t("approved"),
  paid: () => t("paid"),
  confirmed: () => t("confirmed"),
  disputed: () => t("disputed"),
  requested: () => t("requested"), // an advance's own states
  refused: () => t("refused"),
  lapsed: () => t("lapsed"),
};

/** A state's word in the current language (the state itself when it has none). @param {string} status @returns {string} */
export function statusWord(status) {
  return (STATUS_WORDS[status] || (() => status))();
}
