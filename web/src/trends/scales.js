// The indicators of the living-conditions grid and the heat statistics, with their fixed colour
// scales, as the API declares them (GET /trends): the choropleth's paint expression and legend
// are built from those stops, never from the range of the data on screen.

import { lang, pick } from "../i18n.js";

/** The indicators (from /trends), by name, once loaded; and the one the choropleth shows. */
export const indicators = { all: {}, current: "canopy_pct", listeners: [] };

/** Fetch the declared indicators (once); resolves to the table. */
export async function loadIndicators(apiUrl) {
  if (Object.keys(indicators.all).length) return indicators.all;
  const resp = await fetch(apiUrl("trends?f=json"), { headers: { Accept: "application/json" } });
  if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
  for (const ind of (await resp.json()).indicators) indicators.all[ind.name] = ind;
  return indicators.all;
}

/** The grid indicators (those kept per living-conditions cell). */
export function gridIndicators() {
  return Object.values(indicators.all).filter((i) => i.source === "living");
}

export function setIndicator(name) {
  indicators.current = name;
  for (const fn of indicators.listeners) fn(name);
}

/**
 * A MapLibre expression colouring `property` on the indicator's fixed scale: linear between the
 * declared stops (clamped beyond them), grey where the value is unknown (null).
 */
export function scaleColor(property, scale) {
  const ramp = ["interpolate", ["linear"], ["to-number", ["get", property]], ...scale.stops.flat()];
  return ["case", ["==", ["get", property], null], scale.no_data, ramp];
}

const number = (v) => v.toLocaleString(lang() === "pl" ? "pl-PL" : "en-GB", { maximumFractionDigits: 2 });

/** Legend entries [{color, label}] of an indicator's scale: each stop, the ends saying what they mean. */
export function scaleLegend(ind) {
  const s = ind.scale;
  const unit = ind.unit ? ` ${ind.unit}` : "";
  const entries = s.stops.map(([v, color], i) => {
    const end = i === 0 ? s.meaning[lang()][0] : i === s.stops.length - 1 ? s.meaning[lang()][1] : null;
    return { color, label: end ? `${number(v)}${unit} — ${end}` : `${number(v)}${unit}` };
  });
  entries.push({ color: s.no_data, label: lang() === "pl" ? "brak danych" : "no data" });
  return entries;
}

/** The indicator's title in the current language. */
export const title = (ind) => pick(ind.title);
