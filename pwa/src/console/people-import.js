// Artisans from a spreadsheet: a template to fill in, a check that writes nothing, and the
// import itself (every row or none). When rows have problems the server names each cell at
// fault, shown as a table so the coordinator can mend the sheet and send it again.

import { ApiError, messageOf, raw } from "../api.js";
import { h, notify } from "../dom.js";
import { locale, t } from "../i18n.js";
import { button, emptyRow } from "./people-ui.js";
import { table } from "./ui.js";

// The template's columns, as the import reads them (it takes the English names too).
/** @type {Record<string, string>} */
const HEADERS = { name: "姓名", phone: "手机", village: "村", crafts: "手艺", sms_only: "仅短信", locale: "语言" };
const ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
let template = "";

/** The template as a CSV: with a byte order mark, or Excel on Chinese Windows reads it as GBK. */
function templateUrl() {
  if (!template) {
    const csv = `\uFEFF${Object.values(HEADERS).join(",")}\r\n`;
    template = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
  }
  return template;
}

/** A column of the report as the sheet names it (姓名 (name)), or its letter (G). @param {string} column */
function columnName(column) {
  return column in HEADERS ? `${HEADERS[column]} (${column})` : column;
}

/** @param {Wire.RowError} problem */
function problemRow(problem) {
  return h(
    "tr",
    { "data-row": String(problem.row) },
    h("td", {}, String(problem.row)),
    h("td", {}, columnName(problem.column)),
    h("td", {}, problem.message),
  );
}

/** The import card (hidden until asked for). @param {() => Promise<void>} imported called after an import
@returns {HTMLElement} */
export function importPanel(imported) {
  const file = h("input", { type: "file", name: "file", accept: ACCEPT });
  const result = h("p", { class: "saved", role: "status", "data-import-result": true });
  const problems = h("tbody");
  const report = h(
    "div",
    { "data-import-report": true, hidden: true },
    h("h3", {}, t("Problems to correct in the file")),
    table([t("Row"), t("Column"), t("Problem")], problems),
  );
  // Translators: the name of the downloaded file; keep the .csv at the end.
  const name = t("artisans-template.csv");
  const download = h(
    "a",
    { href: "#", download: name, class: "button", "data-action": "download-template" },
    t("Download the template (CSV)"),
  );
  download.addEventListener("click", () => download.setAttribute("href", templateUrl()));
  const check = button("check-import", t("Check the file"), () => send(true));
  const go = button("import", t("Import"), () => send(false));
  go.classList.add("primary");

  function clear() {
    notify("");
    result.textContent = "";
    report.hidden = true;
    problems.replaceChildren();
  }

  /** @param {boolean} dryRun only check the file */
  async function send(dryRun) {
    clear();
    if (!file.files?.length) return notify(t("Choose a CSV or XLSX file first."));
    const body = new FormData();
    body.append("file", file.files[0]);
    check.disabled = go.disabled = true;
    try {
      const response = await raw("POST", `/artisans/import?dry_run=${dryRun}`, { body, language: locale });
      const answer = /** @type {Wire.ImportResult} */ (await response.json());
      if (dryRun) {
        result.textContent = t("Rows checked: {rows}. No problems: press Import to add them.", { rows: answer.rows });
      } else {
        result.textContent = t("Artisans imported: {count}.", { count: answer.imported });
        // Translators: people in the file who already work with another brand; which one is never said.
        if (answer.invited) result.append(" ", t("Invitations sent: {count} (they work with another brand and are asked first).", { count: answer.invited }));
        file.value = "";
        await imported();
      }
    } catch (error) {
      notify(messageOf(error));
      const rows = error instanceof ApiError ? error.rows : [];
      problems.replaceChildren(...rows.map(problemRow));
      if (!rows.length && error instanceof ApiError && error.code === "import_invalid") problems.append(emptyRow(3, error.message));
      report.hidden = !problems.childElementCount;
    } finally {
      check.disabled = go.disabled = false;
    }
  }

  file.addEventListener("change", clear);
  return h(
    "section",
    { class: "card import", "data-import": true, hidden: true },
    h("h2", {}, t("Import artisans from a spreadsheet")),
    h(
      "p",
      { class: "hint" },
      t("A CSV or XLSX file, one artisan a row, with the columns 姓名, 手机, 村 (the village's name), 手艺 (crafts, separated by 、), 仅短信 (是 or 否) and 语言 (zh_Hans or en; empty is Chinese). Nothing is imported while a row has a problem."),
    ),
    h("div", { class: "toolbar" }, download, h("label", { class: "inline grow" }, t("File"), file), check, go),
    result,
    report,
  );
}
