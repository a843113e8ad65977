// The coordinator's console: sign-in, navigation, and one view per section. Each section is
// one module exporting a view: ``(view: HTMLElement, me) => Promise<void> | void``, where
// ``me`` is GET /me (its ``role`` says what an admin may do beyond a coordinator).

import { api, ApiError, messageOf, setToken, token } from "../api.js";
import { h, notify } from "../dom.js";
import { load, locale, preferredLocale, t } from "../i18n.js";
import { signIn } from "../sign-in.js";
import { dashboard } from "./dashboard.js";
import { materials } from "./kits.js";
import { orders } from "./orders.js";
import { payouts } from "./payouts.js";
import { people } from "./people.js";
import { recordings } from "./recordings.js";
import { review } from "./review.js";
import { smsSimulator } from "./sms.js";

const STAFF = ["admin", "coordinator"];
/** @typedef {(view: HTMLElement, me: Wire.Me) => Promise<void> | void} Section */
// Section → [path, label, view], in the navigation's order; the first is the default.
/** @type {Record<string, [string, string, Section]>} */
const SECTIONS = {
  orders: ["/console/orders", "Orders", orders],
  review: ["/console/review", "Review", review],
  payouts: ["/console/payouts", "Payouts", payouts],
  materials: ["/console/materials", "Materials", materials],
  artisans: ["/console/artisans", "Artisans", people],
  dashboard: ["/console/dashboard", "Dashboard", dashboard],
  sms: ["/console/sms", "SMS simulator", smsSimulator],
  voice: ["/console/voice", "Voice recordings", recordings],
};

const view = /** @type {HTMLElement} */ (document.getElementById("view"));
const signOutButton = /** @type {HTMLButtonElement} */ (document.querySelector("[data-action=sign-out]"));

function section() {
  const found = Object.entries(SECTIONS).find(([, [path]]) => location.pathname.startsWith(path));
  return found ? found[0] : Object.keys(SECTIONS)[0];
}

async function start() {
  notify("");
  if (!token()) return signIn(view, start);
  let me;
  try {
    me = /** @type {Wire.Me} */ (await api("GET", "/me", { language: locale }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signOut();
    return notify(messageOf(error));
  }
  if (!STAFF.includes(me.role)) {
    notify(t("This console is for the brand's coordinators."));
    return signIn(view, start);
  }
  /** @type {HTMLElement} */ (document.querySelector("[data-brand]")).textContent = me.brand.name;
  showNav();
  const current = section();
  SECTIONS[current][2](view, me);
}

function showNav() {
  const nav = /** @type {HTMLElement} */ (document.querySelector("[data-nav-list]"));
  nav.replaceChildren(
    ...Object.entries(SECTIONS).map(([name, [path, label]]) =>
      h("a", { href: path, "data-nav": name, "aria-current": section() === name ? "page" : false }, t(label)),
    ),
  );
  nav.hidden = false;
  signOutButton.textContent = t("Sign out");
  signOutButton.hidden = false;
}

async function signOut() {
  try {
    if (token()) await api("DELETE", "/auth/token");
  } catch {
    // the token is forgotten here either way
  }
  setToken(null);
  location.reload();
}

async function boot() {
  await load(preferredLocale(), "all");
  const picker = /** @type {HTMLSelectElement} */ (document.querySelector("select[name=locale]"));
  picker.value = locale;
  picker.addEventListener("change", async () => {
    await load(picker.value, "all");
    signOutButton.hidden = true;
    start();
  });
  signOutButton.addEventListener("click", signOut);
  start();
}

boot();
