// Material kits (发料): in an order, each job's kits (materials, quantities, units, lots), her
// answer and note, a form to record materials handed out, and on a shortage the decision
// (adjust: nothing deducted; deduct: an amount off that job's payout), its reason required.
// The "Materials" section shows what is out per village, and what is not accounted for yet.

import { api, messageOf, newKey } from "../api.js";
import { h, notify } from "../dom.js";
import { formatMoney, formatTime, locale, t } from "../i18n.js";
import { fenOf, field, table } from "./ui.js";

const HANDABLE = ["accepted", "submitted", "rework"]; // backend/materials/service.py
/** @returns {Record<Wire.KitStatus, string>} */
const WORDS = () => ({
  handed_out: t("handed out, waiting for her"),
  received: t("received"),
  short: t("short, to decide"),
  adjusted: t("adjusted, nothing deducted"),
  deducted: t("deducted from the job's pay"),
});

/** @param {Wire.KitLine} line */
function lineText(line) {
  const got = line.received === null ? "" : t("(got {quantity})", { quantity: line.received });
  const lot = line.lot ? t("lot {lot}", { lot: line.lot }) : "";
  return [`${line.material} ${line.quantity} ${line.unit}`, lot, got].filter(Boolean).join(" · ");
}

/** One editable line of a hand-out form. */
function lineRow() {
  const row = h("div", { class: "row kit-line" },
    h("input", { name: "material", maxlength: "60", placeholder: t("Material"), "aria-label": t("Material") }),
    h("input", { name: "quantity", inputmode: "decimal", placeholder: t("Quantity"), "aria-label": t("Quantity") }),
    h("input", { name: "unit", maxlength: "16", placeholder: t("Unit (把, 克, 米…)"), "aria-label": t("Unit") }),
    h("input", { name: "lot", maxlength: "60", placeholder: t("Lot (optional)"), "aria-label": t("Lot") }));
  return row;
}

/** Record materials handed out for a job. @param {Wire.Job} job @param {() => void} done */
function handOutForm(job, done) {
  const lines = h("div", { class: "kit-lines" }, lineRow());
  const key = newKey(); // a double click or a retry records one kit
  /** @param {Event} event */
  async function submit(event) {
    event.preventDefault();
    notify("");
    const value = (/** @type {Element} */ row, /** @type {string} */ name) => /** @type {HTMLInputElement} */ (row.querySelector(`[name=${name}]`)).value.trim();
    const body = {
      lines: [...lines.children].filter((row) => value(row, "material") || value(row, "quantity")).map((row) => ({
        material: value(row, "material"), quantity: value(row, "quantity") || "0", unit: value(row, "unit"), lot: value(row, "lot"),
      })),
    };
    try {
      await api("POST", `/jobs/${job.id}/kits`, { body, language: locale, headers: { "Idempotency-Key": key } });
      done();
    } catch (error) {
      notify(messageOf(error));
    }
  }
  return h("form", { class: "hand-out", onsubmit: submit, "data-form": "hand-out" },
    lines,
    h("div", { class: "buttons" },
      h("button", { type: "button", class: "quiet", "data-action": "add-line", onclick: () => lines.append(lineRow()) }, t("Add a line")),
      h("button", { type: "submit", "data-action": "hand-out" }, t("Record handed out"))));
}

/** The decision on a shortage, its reason required. @param {Wire.Kit} kit @param {() => void} done */
function decideForm(kit, done) {
  const decision = h("select", { name: "decision" },
    h("option", { value: "adjust" }, t("Adjust: nothing deducted (the brand bears it)")),
    h("option", { value: "deduct" }, t("Deduct from this job's pay")));
  const amount = h("input", { name: "amount", inputmode: "decimal", placeholder: t("Amount (yuan)") });
  const reason = h("input", { name: "reason", maxlength: "500", required: true, placeholder: t("Reason (required)") });
  const got = kit.lines.map((line) => ({ line, input: h("input", { name: `received-${line.id}`, inputmode: "decimal", value: line.quantity }) }));
  const key = newKey();
  /** @param {Event} event */
  async function submit(event) {
    event.preventDefault();
    notify("");
    /** @type {Record<string, unknown>} */
    const body = { decision: decision.value, reason: reason.value.trim() };
    if (decision.value === "deduct") {
      const fen = fenOf(amount.value);
      if (Number.isNaN(fen) || fen <= 0) return notify(t("Write the amount in yuan, e.g. 12 or 12.50."));
      body.amount_fen = fen;
    } else {
      body.received_lines = got.filter(({ line, input }) => input.value.trim() !== line.quantity).map(({ line, input }) => ({ line_id: line.id, quantity: input.value.trim() || "0" }));
    }
    try {
      await api("POST", `/kits/${kit.id}/decide`, { body, language: locale, headers: { "Idempotency-Key": key } });
      done();
    } catch (error) {
      notify(messageOf(error));
    }
  }
  return h("form", { class: "decide", onsubmit: submit, "data-form": "decide" },
    field(t("Decision"), decision),
    h("div", { class: "row" }, ...got.map(({ line, input }) => field(t("{material}: she got", { material: line.material }), input))),
    field(t("Amount to deduct (yuan)"), amount),
    field(t("Reason"), reason),
    h("button", { type: "submit", "data-action": "decide" }, t("Decide")));
}

/** @param {Wire.Kit} kit @param {() => void} reload */
function kitCard(kit, reload) {
  const decided = kit.decision;
  return h("li", { class: `kit ${kit.status}`, "data-kit-id": String(kit.id), "data-status": kit.status },
    h("p", {}, h("strong", {}, WORDS()[kit.status]), ` · ${formatTime(kit.handed_at)}`),
    h("ul", {}, ...kit.lines.map((line) => h("li", {}, lineText(line)))),
    kit.note ? h("p", { class: "notes" }, t("She says: {note}", { note: kit.note })) : null,
    decided ? h("p", {}, decided.decision === "deduct"
      ? t("Deducted {amount}: {reason}", { amount: formatMoney(decided.amount_fen), reason: decided.reason })
      : t("Adjusted, nothing deducted: {reason}", { reason: decided.reason })) : null,
    kit.status === "short" ? decideForm(kit, reload) : null);
}

/** An order's kits, job by job, with hand-out forms. @param {Wire.Order} order @returns {HTMLElement} */
export function kitsPanel(order) {
  const box = h("div", { class: "kits-panel", "data-kits-order": String(order.id) }, h("p", {}, t("Loading…")));
  const load = async () => {
    try {
      const [{ jobs }, { kits }] = await Promise.all([
        /** @type {Promise<{jobs: Wire.Job[]}>} */ (api("GET", `/orders/${order.id}/jobs`, { language: locale })),
        /** @type {Promise<Wire.KitList>} */ (api("GET", `/orders/${order.id}/kits`, { language: locale })),
      ]);
      const shown = jobs.filter((job) => HANDABLE.includes(job.status) || kits.some((kit) => kit.job_id === job.id));
      box.replaceChildren(
        h("h3", {}, t("Materials (发料)")),
        ...shown.map((job) => h("div", { class: "kit-job", "data-kit-job-id": String(job.id) },
          h("h4", {}, `${job.code} · ${job.artisan_name}`),
          h("ol", { class: "kits" }, ...kits.filter((kit) => kit.job_id === job.id).map((kit) => kitCard(kit, load))),
          HANDABLE.includes(job.status) ? handOutForm(job, load) : null)),
        shown.length ? "" : h("p", { class: "empty" }, t("No work in hand to give materials for.")),
      );
    } catch (error) {
      notify(messageOf(error));
    }
  };
  load();
  return box;
}

/** What is out per village: handed out, and not yet accounted for. @param {HTMLElement} view */
export async function materials(view) {
  const { villages } = /** @type {{villages: Wire.Village[]}} */ (await api("GET", "/villages", { language: locale }));
  const village = h("select", { name: "village" }, h("option", { value: "" }, t("All villages")),
    ...villages.map((v) => h("option", { value: String(v.id) }, v.name)));
  const box = h("div");
  const load = async () => {
    try {
      /** @type {Record<string, string>} */
      const query = village.value ? { village_id: village.value } : {};
      const { out } = /** @type {{out: Wire.KitOut[]}} */ (await api("GET", "/kits", { query, language: locale }));
      box.replaceChildren(out.length
        ? table([t("Village"), t("Material"), t("Lot"), t("Handed out"), t("Not accounted for"), t("Kits")],
          out.map((o) => ({
            attrs: { "data-kit-out": `${o.village}|${o.material}|${o.lot}` },
            cells: [o.village, o.material, o.lot, `${o.handed_out} ${o.unit}`, `${o.outstanding} ${o.unit}`, String(o.kits)],
          })))
        : h("p", { class: "empty" }, t("No materials handed out yet.")));
    } catch (error) {
      notify(messageOf(error));
    }
  };
  village.addEventListener("change", load);
  view.replaceChildren(h("div", { class: "section-head" }, h("h1", {}, t("Materials")), field(t("Village"), village)), box);
  await load();
}
