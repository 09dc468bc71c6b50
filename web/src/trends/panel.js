// Trends in the "what is here" panel: for the place shown, the chosen grid indicator of the
// living-conditions cell holding it and the daytime air-temperature anomaly of its zoning zone
// (heat statistics per district), each over the analysis epochs (GET /trends), as SVG charts.
// Also the indicator choice of the living-conditions choropleth (one choice for map and chart).

import { lang, t } from "../i18n.js";
import { trendChart } from "./chart.js";
import { gridIndicators, indicators, loadIndicators, scaleColor, setIndicator, title } from "./scales.js";

/** The heat indicator charted per district. */
const DISTRICT_INDICATOR = "t_air_anomaly_c";
/** MapLibre style layer of the choropleth's fill (layers.js: layer "living", style 0). */
const FILL = "living-0";

function node(tag, attrs = {}, text = null) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== null) el.textContent = text;
  return el;
}

/** Point the choropleth's fill at the current indicator's fixed scale. */
function paint(map) {
  const ind = indicators.all[indicators.current];
  if (!ind || !map.getLayer(FILL)) return;
  map.setPaintProperty(FILL, "fill-color", scaleColor(ind.name, ind.scale));
}

/** The <select> choosing the choropleth's (and the cell chart's) indicator. */
export function indicatorControl() {
  const inds = gridIndicators();
  if (!inds.length) return null;
  const select = node("select", { id: "indicator-select" });
  for (const ind of inds) {
    const option = node("option", { value: ind.name }, title(ind));
    option.selected = ind.name === indicators.current;
    select.append(option);
  }
  select.addEventListener("change", () => setIndicator(select.value));
  const box = node("p", { class: "indicator" });
  box.append(node("label", { for: "indicator-select" }, t("trendIndicator")), " ", select);
  return box;
}

/**
 * Load the indicators, colour the choropleth and keep it (and the open chart) in step with the
 * choice; `onChange` re-renders the layer panel (legend). Returns the trends part of the panel.
 */
export function initTrends({ map, apiUrl, onChange }) {
  const trends = new TrendCharts(apiUrl);
  loadIndicators(apiUrl)
    .then(() => {
      if (map.isStyleLoaded()) paint(map);
      else map.once("load", () => paint(map));
      onChange();
      trends.refresh();
    })
    .catch((err) => console.warn(`indicators: ${err.message}`));
  indicators.listeners.push(() => {
    paint(map);
    onChange();
    trends.refresh();
  });
  return trends;
}

/** The trends section of the report panel for one place (lon/lat). */
export class TrendCharts {
  constructor(apiUrl) {
    this.apiUrl = apiUrl;
    this.where = null;
    this.pending = 0;
    this.box = node("section", { class: "report-section trends", id: "trends", "aria-live": "polite" });
  }

  /** Show the trends at `where` ({lon, lat}) inside `parent` (the report panel). */
  show(where, parent) {
    this.where = where;
    if (this.box.parentNode !== parent) parent.append(this.box);
    return this.refresh();
  }

  async series(indicator) {
    const q = `trends?indicator=${indicator}&lon=${this.where.lon}&lat=${this.where.lat}`;
    const resp = await fetch(this.apiUrl(q), { headers: { Accept: "application/json" } });
    const body = await resp.json();
    if (!resp.ok) throw new Error(body.description || `HTTP ${resp.status}`);
    return body;
  }

  chart(doc, caption) {
    const ind = doc.indicator;
    if (!doc.points.length) return node("p", { class: "note" }, `${caption}: ${t("trendNone")}`);
    const fig = trendChart(doc.points, { caption, unit: ind.unit, scale: ind.scale, name: ind.name });
    fig.dataset.place = `${doc.place.kind}:${doc.place.id}`;
    return fig;
  }

  async refresh() {
    if (!this.where || !Object.keys(indicators.all).length) return;
    const where = this.where;
    this.pending += 1;
    try {
      const [cell, district] = await Promise.all([this.series(indicators.current), this.series(DISTRICT_INDICATOR)]);
      if (where !== this.where) return; // a newer place is on its way
      const cellTitle = `${title(cell.indicator)} — ${t("trendCell")} ${cell.place.id ?? ""}`;
      const d = district.place;
      const districtTitle = `${title(district.indicator)} — ${t("trendDistrict")} ${d.designation ?? d.id ?? ""}`;
      this.box.replaceChildren(node("h3", {}, t("trendTitle")), this.chart(cell, cellTitle),
        this.chart(district, districtTitle), node("p", { class: "note", lang: lang() }, t("trendNote")));
    } catch (err) {
      this.box.replaceChildren(node("h3", {}, t("trendTitle")), node("p", { class: "note" }, err.message));
    } finally {
      this.pending -= 1;
    }
  }
}
