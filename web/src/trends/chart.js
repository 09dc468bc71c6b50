// A small line chart in plain SVG: one point per epoch, the y axis spanning the indicator's fixed
// scale (so a 0.02 °C wiggle stays flat), every point carrying data-epoch and data-value (the
// API's value) and a table of the same numbers for screen readers and keyboards.

import { lang, t } from "../i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const W = 280;
const H = 140;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };

function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  return node;
}

const fmt = (v, unit) =>
  v === null || v === undefined
    ? t("unknown")
    : `${v.toLocaleString(lang() === "pl" ? "pl-PL" : "en-GB", { maximumFractionDigits: 2 })}${unit ? ` ${unit}` : ""}`;

/** The y range: the declared scale, widened only if a value lies outside it (never narrowed). */
function yRange(scale, values) {
  const known = values.filter((v) => v !== null && v !== undefined);
  return [Math.min(scale.min, ...known), Math.max(scale.max, ...known)];
}

/** A <figure> with the chart of `points` ([{epoch, value}]) titled `caption`. */
export function trendChart(points, { caption, unit, scale, name }) {
  const fig = document.createElement("figure");
  fig.className = "trend";
  fig.dataset.indicator = name;
  const cap = document.createElement("figcaption");
  cap.textContent = caption;
  const [lo, hi] = yRange(scale, points.map((p) => p.value));
  const x = (i) => PAD.left + (points.length < 2 ? (W - PAD.left - PAD.right) / 2
    : (i * (W - PAD.left - PAD.right)) / (points.length - 1));
  const y = (v) => PAD.top + ((hi - v) * (H - PAD.top - PAD.bottom)) / (hi - lo || 1);
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": caption });
  for (const v of [lo, (lo + hi) / 2, hi]) {
    chart.append(svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: "grid" }));
    chart.append(svg("text", { x: PAD.left - 4, y: y(v) + 4, "text-anchor": "end", class: "tick" }, fmt(v, "")));
  }
  const known = points.map((p, i) => [p, i]).filter(([p]) => p.value !== null && p.value !== undefined);
  if (known.length > 1) {
    chart.append(svg("polyline", { points: known.map(([p, i]) => `${x(i)},${y(p.value)}`).join(" "), class: "line" }));
  }
  points.forEach((p, i) => {
    chart.append(svg("text", { x: x(i), y: H - 8, "text-anchor": "middle", class: "tick" }, p.epoch.slice(0, 4)));
    if (p.value === null || p.value === undefined) return;
    const dot = svg("circle", { cx: x(i), cy: y(p.value), r: 4, class: "point", "data-epoch": p.epoch,
      "data-value": JSON.stringify(p.value) });
    dot.append(svg("title", {}, `${p.epoch}: ${fmt(p.value, unit)}`));
    chart.append(dot);
  });
  const table = document.createElement("table");
  table.className = "trend-values";
  const head = table.createTHead().insertRow();
  for (const text of [t("trendEpoch"), t("trendValue")]) head.append(Object.assign(document.createElement("th"), { textContent: text, scope: "col" }));
  const body = table.createTBody();
  for (const p of points) {
    const row = body.insertRow();
    row.insertCell().textContent = p.epoch;
    row.insertCell().textContent = fmt(p.value, unit);
  }
  fig.append(cap, chart, table);
  return fig;
}
