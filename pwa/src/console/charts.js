// Charts drawn as plain SVG: stacked bars, a heat map and day columns. A few hundred lines of
// our own instead of a charting library (the smallest good ones weigh 40 KB and more), and
// nothing from a CDN, which China's networks may not reach.

const NS = "http://www.w3.org/2000/svg";

/** An SVG element with attributes and children (a <title> child is its tooltip).
@param {string} tag @param {Record<string, string | number>} [attrs] @param {...(Node | string | null)} children */
function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children) if (child !== null) node.append(child);
  return node;
}

/** @param {number} x @param {number} y @param {string | number} content @param {Record<string, string>} [attrs] */
function text(x, y, content, attrs = {}) {
  return s("text", { x, y, ...attrs }, String(content));
}

/** @param {string} content */
function tip(content) {
  return s("title", {}, content);
}

/** A figure carrying ``data-chart``, with its title, the chart and a legend.
@param {string} name @param {string} title @param {Element} chart @param {[string, string][]} [legend] label and colour
@returns {HTMLElement} */
export function figure(name, title, chart, legend = []) {
  const box = document.createElement("figure");
  box.className = "chart";
  box.dataset.chart = name;
  const caption = document.createElement("figcaption");
  caption.textContent = title;
  const key = document.createElement("ul");
  key.className = "legend";
  for (const [label, colour] of legend) {
    const item = document.createElement("li");
    item.style.setProperty("--swatch", colour);
    item.textContent = label;
    key.append(item);
  }
  box.append(caption, chart, key);
  return box;
}

/**
 * Horizontal stacked bars, one per row, each part a share of the row's total.
 * @param {{label: string, total: number, parts: number[], flag?: boolean}[]} rows
 * @param {string[]} colours one per part @param {string[]} names one per part (tooltips)
 * @returns {SVGElement}
 */
export function stackedBars(rows, colours, names) {
  const width = 720;
  const labelWidth = 220;
  const barHeight = 22;
  const height = rows.length * (barHeight + 8) + 8;
  const svg = s("svg", { viewBox: `0 0 ${width} ${Math.max(height, 40)}`, role: "img", class: "bars" });
  rows.forEach((row, i) => {
    const y = 8 + i * (barHeight + 8);
    svg.append(text(labelWidth - 8, y + barHeight * 0.72, row.label, { "text-anchor": "end", class: row.flag ? "late" : "" }));
    svg.append(s("rect", { x: labelWidth, y, width: width - labelWidth - 60, height: barHeight, class: "track" }));
    let x = labelWidth;
    row.parts.forEach((value, p) => {
      const w = ((width - labelWidth - 60) * Math.max(value, 0)) / Math.max(row.total, 1);
      if (w > 0) svg.append(s("rect", { x, y, width: w, height: barHeight, fill: colours[p] }, tip(`${row.label}: ${names[p]} ${value}`)));
      x += w;
    });
    svg.append(text(width - 54, y + barHeight * 0.72, row.total, { class: "value" }));
  });
  return svg;
}

/**
 * A heat map: rows × columns, each cell shaded by its value (0…max), with its text inside.
 * @param {string[]} rowLabels @param {string[]} columnLabels
 * @param {(number | null)[][]} values @param {(value: number) => string} show @param {number} hue
 * @returns {SVGElement}
 */
export function heatMap(rowLabels, columnLabels, values, show, hue) {
  const labelWidth = 120;
  const cellWidth = Math.max(52, Math.min(90, 600 / Math.max(columnLabels.length, 1)));
  const cellHeight = 24;
  const width = labelWidth + cellWidth * columnLabels.length;
  const height = 28 + cellHeight * rowLabels.length;
  const max = Math.max(...values.flat().filter((v) => v !== null), 0) || 1;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "heat" });
  columnLabels.forEach((label, c) => svg.append(text(labelWidth + c * cellWidth + cellWidth / 2, 18, label, { "text-anchor": "middle", class: "axis" })));
  rowLabels.forEach((label, r) => {
    const y = 28 + r * cellHeight;
    svg.append(text(labelWidth - 8, y + cellHeight * 0.7, label, { "text-anchor": "end" }));
    values[r].forEach((value, c) => {
      const x = labelWidth + c * cellWidth;
      const strength = value === null ? 0 : 0.12 + 0.88 * (value / max);
      const fill = value === null ? "#f1efe9" : `hsl(${hue} 55% ${92 - 55 * strength}%)`;
      const shown = value === null ? "–" : show(value);
      svg.append(
        s("rect", { x: x + 1, y: y + 1, width: cellWidth - 2, height: cellHeight - 2, fill, rx: 3 }, tip(`${label} ${columnLabels[c]}: ${shown}`)),
        text(x + cellWidth / 2, y + cellHeight * 0.7, shown, { "text-anchor": "middle", class: strength > 0.55 ? "on-dark" : "" }),
      );
    });
  });
  return svg;
}

/**
 * Day columns (one value) with a second series drawn as a line on the same scale.
 * @param {string[]} labels @param {number[]} columns @param {number[]} line
 * @param {[string, string]} names the column's and the line's (tooltips)
 * @returns {SVGElement}
 */
export function dayColumns(labels, columns, line, names) {
  const width = 720;
  const height = 220;
  const bottom = height - 28;
  const max = Math.max(...columns, ...line, 1);
  const step = (width - 40) / Math.max(labels.length, 1);
  const y = (/** @type {number} */ value) => bottom - ((bottom - 12) * value) / max;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "columns" });
  svg.append(s("line", { x1: 36, x2: width, y1: bottom, y2: bottom, class: "axis-line" }), text(32, 16, max, { "text-anchor": "end", class: "axis" }));
  labels.forEach((label, i) => {
    const x = 40 + i * step;
    svg.append(s("rect", { x: x + 1, y: y(columns[i]), width: Math.max(step - 2, 1), height: bottom - y(columns[i]), class: "column" },
      tip(`${label}: ${names[0]} ${columns[i]}, ${names[1]} ${line[i]}`)));
    if (i % Math.ceil(labels.length / 10) === 0) svg.append(text(x + step / 2, height - 8, label, { "text-anchor": "middle", class: "axis" }));
  });
  const points = line.map((value, i) => `${40 + i * step + step / 2},${y(value)}`).join(" ");
  svg.append(s("polyline", { points, class: "line" }));
  return svg;
}
