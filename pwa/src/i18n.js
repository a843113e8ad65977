// Texts from the same catalogs as the server (GET /api/v1/i18n/<lang>); Chinese first.

const LOCALE_KEY = "cunjiang.locale";
export const LOCALES = ["zh_Hans", "en"];
let messages = {};
export let locale = "zh_Hans";

/** The saved choice, else the browser's language when we have it, else Chinese. */
export function preferredLocale() {
  const saved = localStorage.getItem(LOCALE_KEY);
  if (saved && LOCALES.includes(saved)) return saved;
  return (navigator.language || "").toLowerCase().startsWith("en") ? "en" : "zh_Hans";
}

/** @param {string} wanted */
export async function load(wanted) {
  const response = await fetch(`/api/v1/i18n/${wanted}`);
  messages = response.ok ? await response.json() : {};
  locale = wanted;
  localStorage.setItem(LOCALE_KEY, wanted);
  document.documentElement.lang = wanted === "en" ? "en" : "zh-Hans";
}

/**
 * The message in the current language, with {name} placeholders filled in.
 * @param {string} msgid @param {Record<string, string | number>} [values]
 */
export function t(msgid, values = {}) {
  const text = messages[msgid] || msgid;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** @param {string | number | Date} moment */
export function formatTime(moment) {
  const tag = locale === "en" ? "en" : "zh-CN";
  return new Intl.DateTimeFormat(tag, { dateStyle: "short", timeStyle: "medium" }).format(new Date(moment));
}
