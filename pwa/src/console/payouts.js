// Payouts: approved work waiting to be paid (one by one, or a selection at once), advances
// asked by artisans (approve, refuse with a reason, record paid, resolve a dispute), disputes
// to resolve, what was recorded, and the period's payouts for the accountant (CSV that Excel
// on Chinese Windows opens right, or XLSX).

import { api, messageOf, newKey, raw } from "../api.js";
import { h, notify } from "../dom.js";
import { formatMoney, formatTime, locale, statusWord, t } from "../i18n.js";
import { field, table } from "./ui.js";

/** @returns {Record<string, string>} */
const METHODS = () => ({ wechat: t("WeChat Pay"), alipay: t("Alipay"), bank: t("Bank transfer"), cash: t("Cash") });

function methodPicker() {
  return h("select", { name: "method" }, ...Object.entries(METHODS()).map(([value, text]) => h("option", { value }, text)));
}

/** Approved work without a payout; each row keeps its own key, so a retried payment is one payment.
@param {HTMLElement} box @param {() => void} reload */
async function due(box, reload) {
  const { due: waiting } = /** @type {{due: Wire.PayoutDue[]}} */ (await api("GET", "/payouts/due", { language: locale }));
  const method = methodPicker();
  const reference = h("input", { name: "reference", maxlength: "64", placeholder: t("Transfer number (optional)") });
  const rows = waiting.map((job) => ({ job, key: newKey(), tick: h("input", { type: "checkbox", name: "pick", "aria-label": job.code }) }));
  const pay = async (/** @type {typeof rows} */ picked) => {
    notify("");
    for (const { job, key } of picked) {
      try {
        const body = { method: method.value, reference: reference.value.trim() };
        await api("POST", `/jobs/${job.job_id}/payout`, { body, language: locale, headers: { "Idempotency-Key": key } });
      } catch (error) {
        notify(`${job.code} ${job.artisan_name}: ${messageOf(error)}`);
        break;
      }
    }
    reload();
  };
  const total = rows.reduce((sum, { job }) => sum + job.amount_fen, 0);
  box.replaceChildren(
    h("h2", {}, t("Waiting for payment: {count} jobs, {amount}", { count: waiting.length, amount: formatMoney(total) })),
    h("div", { class: "row" }, field(t("Paid by"), method), field(t("Reference"), reference),
      h("button", { type: "button", "data-action": "pay-selected", onclick: () => pay(rows.filter((r) => r.tick.checked)) }, t("Record payment of the ticked"))),
    waiting.length
      ? table(
          ["", t("Artisan"), t("Village"), t("Order"), t("Job code"), t("Pieces"), t("Amount"), t("Approved"), ""],
          rows.map((row) => ({
            attrs: { "data-due-job-id": String(row.job.job_id) },
            cells: [row.tick, row.job.artisan_name, row.job.village, row.job.order_title, row.job.code, String(row.job.quantity_approved),
              netOf(row.job), formatTime(row.job.approved_at),
              h("button", { type: "button", "data-action": "pay", onclick: () => pay([row]) }, t("Record payment"))],
          })),
        )
      : h("p", { class: "empty" }, t("Nothing waiting: every approved job is paid.")),
  );
}

/** What a job is paid: the net, and when an advance or materials are deducted, the gross and each. @param {Wire.PayoutDue} job */
function netOf(job) {
  if (job.kit_fen) {
    return t("{net} ({gross} less advance {advance}, materials {kit})", {
      net: formatMoney(job.amount_fen), gross: formatMoney(job.gross_fen), advance: formatMoney(job.advance_fen), kit: formatMoney(job.kit_fen),
    });
  }
  if (!job.advance_fen) return formatMoney(job.amount_fen);
  return t("{net} ({gross} less advance {advance})", {
    net: formatMoney(job.amount_fen), gross: formatMoney(job.gross_fen), advance: formatMoney(job.advance_fen),
  });
}

/** An advance's state as the console says it (a job's "approved" is its pieces', not money's). @returns {Record<string, string>} */
const ADVANCE_WORDS = () => ({ requested: t("asked, to decide"), approved: t("approved, to pay"), disputed: t("disputed") });

/** Advances (预付款) asked by artisans: approve or refuse a request, record an approved one paid;
each row keeps its own key, so a retried click is one change.
@param {HTMLElement} box @param {Map<number, string>} names @param {() => void} reload */
async function advances(box, names, reload) {
  const { advances: all } = /** @type {Wire.AdvanceList} */ (await api("GET", "/advances", { language: locale }));
  const open = all.filter((advance) => ["requested", "approved", "disputed"].includes(advance.status));
  const act = async (/** @type {Wire.Advance} */ advance, /** @type {string} */ action, /** @type {object | undefined} */ body, /** @type {string} */ key) => {
    notify("");
    try {
      await api("POST", `/advances/${advance.id}/${action}`, { body, language: locale, headers: { "Idempotency-Key": key } });
      reload();
    } catch (error) {
      notify(`${advance.code}: ${messageOf(error)}`);
    }
  };
  const decide = (/** @type {Wire.Advance} */ advance) => {
    const key = newKey();
    const reason = h("input", { name: "reason", maxlength: "200", placeholder: t("Why not (for the artisan)") });
    const refuse = () => {
      if (!reason.value.trim()) {
        notify(t("Say why, for the artisan."));
        return;
      }
      act(advance, "refuse", { reason: reason.value.trim() }, key);
    };
    const refusing = [reason, h("button", { type: "button", class: "quiet", "data-action": "refuse-advance", onclick: refuse }, t("Refuse"))];
    if (advance.status === "requested") {
      return h("div", { class: "row" }, h("button", { type: "button", "data-action": "approve-advance", onclick: () => act(advance, "approve", undefined, key) }, t("Approve")), ...refusing);
    }
    if (advance.status === "approved") {
      const method = methodPicker();
      const reference = h("input", { name: "reference", maxlength: "64", placeholder: t("Transfer number (optional)") });
      const pay = () => act(advance, "pay", { method: method.value, reference: reference.value.trim() }, key);
      return h("div", { class: "row" }, method, reference, h("button", { type: "button", "data-action": "pay-advance", onclick: pay }, t("Record payment")), ...refusing);
    }
    return resolving(advance, key, act);
  };
  box.replaceChildren(
    h("h2", {}, t("Advances to decide or pay ({count})", { count: open.length })),
    open.length
      ? table([t("Artisan"), t("Job code"), t("Amount"), t("Asked on"), t("Status"), ""], open.map((advance) => ({
          attrs: { "data-advance-id": String(advance.id), "data-status": advance.status },
          cells: [names.get(advance.artisan_id) || `#${advance.artisan_id}`, advance.code, formatMoney(advance.amount_fen),
            formatTime(advance.created_at), ADVANCE_WORDS()[advance.status] || statusWord(advance.status), decide(advance)],
        })))
      : h("p", { class: "empty" }, t("No advances waiting.")),
  );
}

/** A disputed advance: what she said, and how the coordinator closes it, with a note for her
(required: what was done is her record too).
@param {Wire.Advance} advance @param {string} key
@param {(advance: Wire.Advance, action: string, body: object | undefined, key: string) => Promise<void>} act */
function resolving(advance, key, act) {
  const resolution = h("select", { name: "resolution" },
    h("option", { value: "paid" }, t("Paid again: ask the artisan to confirm")), h("option", { value: "confirmed" }, t("Settled: the money arrived")));
  const note = h("input", { name: "note", maxlength: "200", placeholder: t("What was done") });
  const send = () => {
    if (!note.value.trim()) {
      notify(t("Say what was done, for the artisan."));
      return;
    }
    act(advance, "resolve", { resolution: resolution.value, note: note.value.trim() }, key);
  };
  return h("div", { class: "row" }, h("span", {}, t("Disputed: {reason}", { reason: advance.reason })), resolution, note,
    h("button", { type: "button", "data-action": "resolve-advance", onclick: send }, t("Resolve")));
}

/** Disputed payouts: what the artisan said, and how the coordinator settles it.
@param {HTMLElement} box @param {Map<number, string>} names @param {() => void} reload */
async function disputes(box, names, reload) {
  const { payouts } = /** @type {Wire.PayoutList} */ (await api("GET", "/payouts", { query: { status: "disputed" }, language: locale }));
  const settle = (/** @type {Wire.Payout} */ payout) => {
    const resolution = h("select", { name: "resolution" },
      h("option", { value: "paid" }, t("Paid again: ask the artisan to confirm")), h("option", { value: "confirmed" }, t("Settled: the money arrived")));
    const note = h("input", { name: "note", maxlength: "200", placeholder: t("What was done") });
    const send = async () => {
      try {
        await api("POST", `/payouts/${payout.id}/resolve`, { body: { resolution: resolution.value, note: note.value }, language: locale });
        reload();
      } catch (error) {
        notify(messageOf(error));
      }
    };
    return h("div", { class: "row" }, resolution, note, h("button", { type: "button", "data-action": "resolve", onclick: send }, t("Resolve")));
  };
  box.replaceChildren(
    h("h2", {}, t("Disputes ({count})", { count: payouts.length })),
    payouts.length
      ? table([t("Artisan"), t("Amount"), t("Paid"), t("What the artisan says"), ""], payouts.map((payout) => ({
          attrs: { "data-payout-id": String(payout.id), "data-status": payout.status },
          cells: [names.get(payout.artisan_id) || `#${payout.artisan_id}`, formatMoney(payout.amount_fen), formatTime(payout.created_at),
            payout.dispute_reason, settle(payout)],
        })))
      : h("p", { class: "empty" }, t("No disputes.")),
  );
}

/** What was recorded, newest first. @param {HTMLElement} box @param {Map<number, string>} names */
async function recorded(box, names) {
  const { payouts } = /** @type {Wire.PayoutList} */ (await api("GET", "/payouts", { language: locale }));
  box.replaceChildren(
    h("h2", {}, t("Recorded payouts")),
    table([t("Artisan"), t("Amount"), t("Method"), t("Reference"), t("Paid"), t("Status")], payouts.slice(0, 100).map((payout) => ({
      attrs: { "data-payout-id": String(payout.id), "data-status": payout.status },
      cells: [names.get(payout.artisan_id) || `#${payout.artisan_id}`, formatMoney(payout.amount_fen), METHODS()[payout.method] || payout.method,
        payout.reference, formatTime(payout.created_at), confirmation(payout)],
    }))),
  );
}

/** The payout's state; a confirmation typed by staff in the SMS simulator is not the artisan's. @param {Wire.Payout} payout */
function confirmation(payout) {
  const typed = payout.confirmed_via === "simulator" ? t("(in the SMS simulator, not by the artisan)") : "";
  return [statusWord(payout.status), typed].filter(Boolean).join(" ");
}

/** The period's payouts as a file, saved by the browser under the server's name. */
function exporter() {
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10); // China's day
  const from = h("input", { type: "date", name: "from", value: `${today.slice(0, 8)}01` });
  const to = h("input", { type: "date", name: "to", value: today });
  const download = async (/** @type {"csv" | "xlsx"} */ format) => {
    notify("");
    try {
      const answer = await raw("GET", `/payouts/export?from=${from.value}&to=${to.value}&format=${format}`, { language: locale });
      const name = /filename="?([^";]+)"?/.exec(answer.headers.get("Content-Disposition") || "")?.[1] || `payouts.${format}`;
      const link = h("a", { href: URL.createObjectURL(await answer.blob()), download: name });
      document.body.append(link);
      link.click();
      link.remove();
    } catch (error) {
      notify(messageOf(error));
    }
  };
  return h("div", { class: "card row export" },
    h("strong", {}, t("For the accountant")), field(t("From"), from), field(t("To"), to),
    h("button", { type: "button", "data-action": "export-csv", onclick: () => download("csv") }, t("Download CSV (Excel)")),
    h("button", { type: "button", "data-action": "export-xlsx", onclick: () => download("xlsx") }, t("Download XLSX")));
}

/** @param {HTMLElement} view @returns {Promise<void>} */
export async function payouts(view) {
  const dueBox = h("section", { class: "card", "data-part": "due" });
  const disputeBox = h("section", { class: "card", "data-part": "disputes" });
  const recordBox = h("section", { class: "card", "data-part": "recorded" });
  const advanceBox = h("section", { class: "card", "data-part": "advances" });
  /** @type {Map<number, string>} */
  const names = new Map();
  async function reload() {
    try {
      await Promise.all([
        due(dueBox, reload), advances(advanceBox, names, reload), disputes(disputeBox, names, reload), recorded(recordBox, names),
      ]);
    } catch (error) {
      notify(messageOf(error));
    }
  }
  view.replaceChildren(h("h1", {}, t("Payouts")), exporter(), dueBox, advanceBox, disputeBox, recordBox);
  try {
    const { artisans } = /** @type {{artisans: Wire.Member[]}} */ (await api("GET", "/artisans", { language: locale }));
    for (const artisan of artisans) names.set(artisan.id, artisan.name);
  } catch (error) {
    notify(messageOf(error));
  }
  await reload();
}
