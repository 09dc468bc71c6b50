// Epochs side by side: two maps over the main map, one epoch each, the right one clipped at a
// divider the visitor drags (or moves with the arrow keys: it is a slider). Orthophoto epochs, and
// LiDAR epochs as the canopy height model (CHM) and the height of objects above ground (nDSM),
// coloured on a fixed 0–30 m scale by the API's map tiles. Views stay in sync with the left map.
/* global maplibregl */

import { lang, pick, t } from "../i18n.js";
import { el, num } from "./dom.js";

/** What can be compared: a collection with map tiles per epoch. */
export const COMPARE_KINDS = [
  { id: "orthophoto", collection: "orthophoto", title: { pl: "Ortofotomapa", en: "Orthophoto" } },
  { id: "chm", collection: "chm", title: { pl: "LiDAR: wysokość koron (CHM)", en: "LiDAR: canopy height (CHM)" } },
  { id: "ndsm", collection: "ndsm",
    title: { pl: "LiDAR: wysokość obiektów (nDSM)", en: "LiDAR: height of objects (nDSM)" } },
];

/**
 * The comparison over `host` (the main map's container). `tileMeta(collection)` → the tileset
 * metadata (or null), `tileUrl(collection, epoch)` → a tile URL template.
 * Returns {open(), close(), set({kind, left, right, position}), state(), idle()}.
 */
export function createSwipe({ map, host, tileMeta, tileUrl, onClose }) {
  const kinds = new Map(); // id → {kind, meta}
  let root = null;
  let maps = [];
  const st = { kind: null, left: null, right: null, position: 50 };

  async function discover() {
    for (const kind of COMPARE_KINDS) {
      if (kinds.has(kind.id)) continue;
      const meta = await tileMeta(kind.collection);
      if (meta && (meta["msip:epochs"] ?? []).length >= 2) kinds.set(kind.id, { kind, meta });
    }
  }

  function style(entry, epoch) {
    const bb = entry.meta.boundingBox;
    const zooms = (entry.meta.tileMatrixSetLimits ?? []).map((l) => Number(l.tileMatrix));
    const src = { type: "raster", tileSize: 256, tiles: [tileUrl(entry.kind.collection, epoch)] };
    if (bb) src.bounds = [...bb.lowerLeft, ...bb.upperRight];
    if (zooms.length) Object.assign(src, { minzoom: Math.min(...zooms), maxzoom: Math.max(...zooms) });
    return {
      version: 8,
      sources: { epoch: src },
      layers: [
        { id: "background", type: "background", paint: { "background-color": "#e8e8e3" } },
        { id: "epoch", type: "raster", source: "epoch", paint: { "raster-fade-duration": 0 } },
      ],
    };
  }

  function makeMap(container, epoch, interactive) {
    const entry = kinds.get(st.kind);
    const m = new maplibregl.Map({
      container,
      style: style(entry, epoch),
      center: map.getCenter(),
      zoom: map.getZoom(),
      bearing: map.getBearing(),
      maxZoom: 21,
      fadeDuration: 0,
      interactive,
      attributionControl: false,
    });
    const canvas = m.getCanvas();
    if (interactive) canvas.setAttribute("aria-label", t("compareMapLabel"));
    else {
      canvas.setAttribute("tabindex", "-1");
      canvas.setAttribute("aria-hidden", "true");
    }
    return m;
  }

  function clip() {
    if (!root) return;
    root.querySelector(".cmp-right").style.clipPath = `inset(0 0 0 ${st.position}%)`;
    root.querySelector(".cmp-divider").style.left = `${st.position}%`;
  }

  function legend(entry) {
    const lg = entry.meta["msip:legend"];
    if (!lg) return null;
    const bar = el("span", { class: "gradient cmp-gradient", "aria-hidden": "true" });
    bar.style.background = `linear-gradient(to right, ${lg.colors.join(", ")})`;
    return el(
      "p",
      { class: "cmp-legend" },
      el("span", { text: `${num(lg.min, lang())} ${lg.unit}` }),
      bar,
      el("span", { text: `${num(lg.max, lang())} ${lg.unit}` }),
    );
  }

  function select(id, label, options, value, onChange) {
    const s = el("select", { id }, ...options.map(([v, text]) => el("option", { value: v, text, selected: v === value })));
    s.addEventListener("change", () => onChange(s.value));
    return el("div", { class: "cmp-field" }, el("label", { for: id, text: label }), s);
  }

  function controls() {
    const entry = kinds.get(st.kind);
    const epochs = entry.meta["msip:epochs"].map((e) => [e, e]);
    const close = el("button", { type: "button", id: "compare-close", text: t("compareClose") });
    close.addEventListener("click", () => closeCompare());
    const slider = el("input", {
      type: "range", id: "compare-slider", min: "0", max: "100", step: "1", value: String(st.position),
      "aria-label": t("compareSlider"),
    });
    slider.addEventListener("input", () => set({ position: Number(slider.value) }));
    return el(
      "div",
      { class: "cmp-controls", role: "group", "aria-labelledby": "compare-heading" },
      el("h2", { id: "compare-heading", text: t("compareTitle") }),
      select("compare-kind", t("compareKind"), [...kinds.values()].map((e) => [e.kind.id, pick(e.kind.title)]), st.kind,
        (v) => set({ kind: v })),
      select("compare-left", t("compareLeft"), epochs, st.left, (v) => set({ left: v })),
      select("compare-right", t("compareRight"), epochs, st.right, (v) => set({ right: v })),
      legend(entry) ?? "",
      el("div", { class: "cmp-slider" }, slider),
      close,
    );
  }

  function build() {
    for (const m of maps) m.remove();
    const left = el("div", { class: "cmp-map cmp-left" });
    const right = el("div", { class: "cmp-map cmp-right", "aria-hidden": "true" });
    const focusId = document.activeElement?.id;
    root.replaceChildren(left, right, el("div", { class: "cmp-divider", "aria-hidden": "true" }), controls());
    const a = makeMap(left, st.left, true);
    const b = makeMap(right, st.right, false);
    a.on("move", () => b.jumpTo({ center: a.getCenter(), zoom: a.getZoom(), bearing: a.getBearing() }));
    a.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
    maps = [a, b];
    clip();
    if (focusId && document.getElementById(focusId)) document.getElementById(focusId).focus();
  }

  function set(changes) {
    const before = { ...st };
    Object.assign(st, changes);
    if (changes.kind && changes.kind !== before.kind) {
      const epochs = kinds.get(st.kind).meta["msip:epochs"];
      st.left = epochs[0];
      st.right = epochs.at(-1);
    }
    if (!root) return;
    if (st.kind !== before.kind || st.left !== before.left || st.right !== before.right) build();
    else clip();
    const slider = root.querySelector("#compare-slider");
    if (slider && Number(slider.value) !== st.position) slider.value = String(st.position);
  }

  async function open() {
    await discover();
    if (!kinds.size) return false;
    if (!st.kind || !kinds.has(st.kind)) set({ kind: kinds.keys().next().value });
    root = el("div", { id: "compare", class: "compare" });
    host.append(root);
    build();
    root.querySelector("#compare-kind").focus();
    document.addEventListener("keydown", onKey);
    return true;
  }

  function onKey(e) {
    if (e.key === "Escape" && root) closeCompare();
  }

  function closeCompare() {
    if (!root) return;
    const [a] = maps;
    if (a) map.jumpTo({ center: a.getCenter(), zoom: a.getZoom(), bearing: a.getBearing() });
    for (const m of maps) m.remove();
    maps = [];
    root.remove();
    root = null;
    document.removeEventListener("keydown", onKey);
    onClose?.();
  }

  return {
    open,
    close: closeCompare,
    set,
    isOpen: () => Boolean(root),
    state: () => ({ ...st, open: Boolean(root), kinds: [...kinds.keys()] }),
    idle: () => maps.every((m) => m.loaded() && m.areTilesLoaded() && !m.isMoving()),
    rerender: () => root && build(),
  };
}
