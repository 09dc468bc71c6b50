// "Features in view": the features drawn in the current view as a list of buttons, so every
// feature a mouse can click is reachable from the keyboard (Tab to it, Enter opens its popup, the
// popup takes the focus, Escape closes it and returns to the list). Refreshed after each move.

import { t } from "../i18n.js";
import { el } from "./dom.js";

const MAX_ITEMS = 40;

/** A [lon, lat] inside or on a rendered feature's geometry (a point, a vertex, or its box's centre). */
function anchor(geometry) {
  if (geometry.type === "Point") return geometry.coordinates;
  const flat = JSON.stringify(geometry.coordinates).match(/-?\d+(\.\d+)?(e-?\d+)?/g).map(Number);
  const xs = flat.filter((_, i) => i % 2 === 0);
  const ys = flat.filter((_, i) => i % 2 === 1);
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
}

/**
 * The list in `box()` (the panel is redrawn, so its section is looked up each time). `layers()` → the visible layers with popups and their style ids,
 * `label(layer, props)` → a feature's name, `show(layer, feature, lngLat)` opens its popup.
 */
export function createFeatureList({ map, box, layers, label, show }) {
  let open = false;
  let items = [];

  function collect() {
    const found = [];
    const seen = new Set();
    for (const { layer, styleIds } of layers()) {
      const hits = map.queryRenderedFeatures({ layers: styleIds });
      for (const h of hits) {
        const key = `${layer.id}:${h.id ?? JSON.stringify(h.properties)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        found.push({ layer, feature: { id: h.id, properties: h.properties }, lngLat: anchor(h.geometry) });
      }
    }
    return found;
  }

  function render() {
    const toggle = el("button", {
      type: "button", id: "features-toggle", "aria-expanded": String(open), "aria-controls": "features-list",
      text: t(open ? "featuresHide" : "featuresShow"),
    });
    toggle.addEventListener("click", () => {
      open = !open;
      refresh();
      document.getElementById("features-toggle")?.focus();
    });
    const children = [toggle];
    if (open) {
      const shown = items.slice(0, MAX_ITEMS);
      children.push(
        el("p", { class: "note", id: "features-count", "aria-live": "polite",
          text: t(items.length > MAX_ITEMS ? "featuresMore" : "featuresCount", { n: items.length, m: MAX_ITEMS }) }),
        el(
          "ul",
          { id: "features-list", class: "features-list", "aria-labelledby": "features-heading" },
          ...shown.map((it, i) => {
            const b = el("button", { type: "button", class: "feature-item", id: `feature-${i}`, text: label(it.layer, it.feature.properties) });
            b.addEventListener("click", () => show(it.layer, it.feature, { lng: it.lngLat[0], lat: it.lngLat[1] }, b));
            return el("li", {}, b);
          }),
        ),
      );
    }
    box()?.replaceChildren(el("h2", { id: "features-heading", text: t("featuresTitle") }), ...children);
  }

  function refresh() {
    items = open ? collect() : [];
    const focused = document.activeElement?.id;
    render();
    if (focused && box()?.contains(document.getElementById(focused))) document.getElementById(focused).focus();
  }

  let lastKeys = "";
  map.on("idle", () => {
    if (!open) return;
    const keys = collect().map((it) => `${it.layer.id}:${it.feature.id}`).join(",");
    if (keys !== lastKeys) refresh(); // only when what is in view changed: keeps the focus steady
    lastKeys = keys;
  });
  render();
  return { refresh, render, items: () => items, isOpen: () => open };
}
