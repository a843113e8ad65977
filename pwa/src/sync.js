// The job feed (GET /jobs?since=CURSOR) and when to ask it. Only what changed since the
// cursor comes, page by page; when nothing did, the browser's If-None-Match gets a 304 and no
// job is sent again. New offers and changes show while the app is open: it asks when the app
// is seen again, when the network returns and each minute on screen; queued actions are
// replayed at the same moments and on start (outbox.js, keepTrying).

import { api } from "./api.js";
import { locale } from "./i18n.js";

const FEED_PAGE = 200; // the server's page: a full one means there may be more
const SYNC_MS = 60_000; // while the app is seen (a 304 costs 151 bytes)

/** Where the jobs are kept: their cursor, and how a page is kept.
@typedef {{cursor: string, keep: (jobs: Wire.Job[], cursor: string) => Promise<void>}} Feed */

/** Everything that changed since the cursor, kept page by page (the cursor moves with each).
@param {Feed} feed @returns {Promise<void>} */
export async function pull(feed) {
  for (;;) {
    const page = /** @type {Wire.JobPage} */ (await api("GET", "/jobs", { query: { since: feed.cursor }, language: locale }));
    await feed.keep(page.jobs, page.cursor || feed.cursor);
    if (page.jobs.length < FEED_PAGE) return;
  }
}

/** Call ``due`` whenever the feed may have news: the app seen again, the network back, and
every minute while the list ``isShown``. Call it once a page.
@param {() => unknown} due @param {() => boolean} isShown @returns {void} */
export function whenDue(due, isShown) {
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && due());
  window.addEventListener("online", () => due());
  setInterval(() => document.visibilityState === "visible" && navigator.onLine && isShown() && due(), SYNC_MS);
}
