// The MSIP web map: MapLibre over the project's own OGC API (found relative to this page, so it
// works at any host, port or path prefix), a layer panel with legends, popups, an epoch switch
// for the orthophoto, a search box (search.js), the "what is here" panel (report.js), a permalink
// in the URL (permalink.js), a Polish/English toggle, and the tools in tools/: measuring, printing,
// epochs side by side, the change-events filter and the keyboard list of features in view.
// No data or code comes from anywhere else.
// Longer than ~300 lines because the layer panel (legends, kind filters, tool buttons) still lives
// here beside the map wiring; moving the panel into its own module is the next split.
/* global maplibregl */

import { initialLang, lang, pick, setLang, switchLang, t } from "./i18n.js";
import { LAYERS, legendEntries } from "./layers.js";
import { permalinkHash, readPermalink } from "./permalink.js";
import { ReportPanel } from "./report.js";
import { initSearch } from "./search.js";
import { $, el } from "./tools/dom.js";
import { createFeatureList } from "./tools/features.js";
import { createMeasure } from "./tools/measure.js";
import { createPrint } from "./tools/print.js";
import { createSwipe } from "./tools/swipe.js";
import { initTrends } from "./trends/panel.js";

/** The API root: the page is served at <root>/map/. */
const API = new URL("../", location.href);
const TMS = "WebMercatorQuad";
const ITEM_LIMIT = 5000;
const KIELCE = { center: [20.6286, 50.8703], zoom: 13 };

const state = { layers: [], epoch: null, epochs: [], pending: 0, popup: null, hit: null, aborts: {} };
let map = null;
/** The "what is here" panel and the search box (set up with the map). */
let panel = null;
let searchBox = null;
/** The state the URL asked for when the page opened (permalink.js). */
const asked = readPermalink();
/** The attribution control, replaced when the language changes (MapLibre cannot retitle one). */
let attribution = null;

/** The tools (tools/), set up with the map. */
const tools = { measure: null, print: null, swipe: null, features: null };

const apiUrl = (path) => new URL(path, API).href;

async function getJSON(path, signal) {
  const resp = await fetch(apiUrl(path), { headers: { Accept: "application/json" }, signal });
  if (!resp.ok) {
    let reason = `HTTP ${resp.status}`;
    try {
      reason = (await resp.json()).description || reason;
    } catch {
      /* the status is reason enough */
    }
    throw new Error(reason);
  }
  return resp.json();
}

function tileUrl(layer) {
  const format = layer.kind === "mvt" ? "mvt" : "png";
  let url = `${apiUrl(`collections/${layer.collection}/tiles/${TMS}`)}/{z}/{y}/{x}?f=${format}`;
  if (layer.epochs && state.epoch) url += `&datetime=${state.epoch}`;
  return url;
}

function zoomRange(meta) {
  const zooms = (meta?.tileMatrixSetLimits ?? []).map((l) => Number(l.tileMatrix));
  return zooms.length ? { minzoom: Math.min(...zooms), maxzoom: Math.max(...zooms) } : {};
}

function source(layer) {
  if (layer.kind === "geojson") return { type: "geojson", data: { type: "FeatureCollection", features: [] } };
  const src = { type: layer.kind === "mvt" ? "vector" : "raster", tiles: [tileUrl(layer)], ...zoomRange(layer.meta) };
  const bb = layer.meta?.boundingBox;
  if (bb) src.bounds = [...bb.lowerLeft, ...bb.upperRight]; // no requests (and no 404s) outside the data
  if (src.type === "raster") src.tileSize = 256;
  return src;
}

const styleIds = (layer) => layer.style.map((_, i) => `${layer.id}-${i}`);

function buildStyle() {
  const sources = {};
  const layers = [{ id: "background", type: "background", paint: { "background-color": "#e8e8e3" } }];
  for (const layer of state.layers) {
    sources[layer.id] = source(layer);
    layer.style.forEach((s, i) => {
      const paint = s.type === "raster" ? { "raster-fade-duration": 0, ...s.paint } : s.paint;
      const def = { id: `${layer.id}-${i}`, type: s.type, source: layer.id, paint };
      def.layout = { visibility: layer.visible ? "visible" : "none" };
      if (layer.sourceLayer) def["source-layer"] = layer.sourceLayer;
      if (layer.minzoom) def.minzoom = layer.minzoom;
      layers.push(def);
    });
  }
  return { version: 8, sources, layers };
}

// ---- panel -------------------------------------------------------------------------------

function legendList(layer) {
  if (layer.legend === "gradient") {
    const lg = layer.meta?.["msip:legend"];
    if (!lg) return null;
    const bar = el("div", { class: "gradient", "aria-hidden": "true" });
    bar.style.background = `linear-gradient(to right, ${lg.colors.join(", ")})`;
    const fmt = (v) => v.toLocaleString(lang() === "pl" ? "pl-PL" : "en-GB", { maximumFractionDigits: 2 });
    return el(
      "div",
      { class: "legend" },
      bar,
      el(
        "p",
        { class: "gradient-labels" },
        ...(lg.labels?.[lang()] ?? [`${fmt(lg.min)} ${lg.unit}`, lang() === "pl" ? "chłodniej ↔ cieplej"
          : "cooler ↔ warmer", `${fmt(lg.max)} ${lg.unit}`]).map((text) => el("span", { text })),
      ),
    );
  }
  const entries = legendEntries(layer);
  if (!entries.length) return null;
  if (layer.filterBy) return kindFilter(layer, entries);
  return el(
    "ul",
    { class: "legend" },
    ...entries.map((e) => {
      const swatch = el("span", { class: `swatch swatch-${layer.style[0].type}`, "aria-hidden": "true" });
      swatch.style.background = e.color;
      return el("li", {}, swatch, el("span", { text: e.label }));
    }),
  );
}

/** The legend of a layer filtered by kind: one checkbox per kind (all shown at first). */
function kindFilter(layer, entries) {
  layer.hiddenKinds ??= new Set();
  const boxes = entries.map((e) => {
    const id = `kind-${layer.id}-${e.value}`;
    const box = el("input", { type: "checkbox", id, "data-kind": e.value, checked: !layer.hiddenKinds.has(e.value) });
    box.addEventListener("change", () => {
      if (box.checked) layer.hiddenKinds.delete(e.value);
      else layer.hiddenKinds.add(e.value);
      applyKindFilter(layer);
    });
    const swatch = el("span", { class: `swatch swatch-${layer.style[0].type}`, "aria-hidden": "true" });
    swatch.style.background = e.color;
    return el("li", {}, box, swatch, el("label", { for: id, text: e.label }));
  });
  return el(
    "fieldset",
    { class: "legend kind-filter" },
    el("legend", { text: t("changeKinds") }),
    el("ul", {}, ...boxes),
  );
}

function applyKindFilter(layer) {
  const hidden = [...(layer.hiddenKinds ?? [])];
  const filter = hidden.length ? ["!", ["in", ["get", layer.filterBy], ["literal", hidden]]] : null;
  for (const id of styleIds(layer)) map.setFilter(id, filter);
}

function toolsSection() {
  const button = (id, key, fn) => {
    const b = el("button", { type: "button", id, class: "tool", text: t(key) });
    b.addEventListener("click", fn);
    return b;
  };
  return el(
    "section",
    { class: "tools", "aria-labelledby": "tools-heading" },
    el("h2", { id: "tools-heading", text: t("toolsTitle") }),
    el(
      "div",
      { class: "tool-buttons" },
      button("tool-measure-length", "measureLengthTitle", () => startTool(() => tools.measure.start("length"))),
      button("tool-measure-area", "measureAreaTitle", () => startTool(() => tools.measure.start("area"))),
      button("tool-compare", "compareTitle", () => startTool(() => tools.swipe.open())),
      button("tool-print", "printTitle", () => startTool(() => tools.print.open())),
    ),
  );
}

/** One tool at a time: close the others, then start this one. */
function startTool(start) {
  tools.measure.stop();
  tools.swipe.close();
  tools.print.close();
  return start();
}

function layerItem(layer) {
  const title = pick(layer.title);
  const box = el("input", { type: "checkbox", id: `layer-${layer.id}`, "data-layer": layer.id, checked: layer.visible });
  box.addEventListener("change", () => setVisible(layer, box.checked));
  const item = el("li", { class: layer.visible ? "layer on" : "layer", id: `item-${layer.id}` });
  const link = el("a", {
    class: "api-link",
    href: apiUrl(`collections/${layer.collection}`),
    "aria-label": t("inApiLabel", { layer: title }),
    text: t("inApi"),
  });
  item.append(
    el("div", { class: "layer-head" }, box, el("label", { for: box.id, text: title }), link),
    legendList(layer) ?? "",
    layer.control?.() ?? "",
    el("p", { class: "layer-status", "aria-live": "polite", text: layer.status || "" }),
  );
  return item;
}

function epochSwitch() {
  if (state.epochs.length < 2) return null;
  const radios = state.epochs.map((epoch) => {
    const input = el("input", { type: "radio", name: "epoch", id: `epoch-${epoch}`, value: epoch, checked: epoch === state.epoch });
    input.addEventListener("change", () => input.checked && setEpoch(epoch));
    return el("div", { class: "epoch" }, input, el("label", { for: input.id, text: epoch }));
  });
  return el(
    "fieldset",
    { class: "epochs" },
    el("legend", { text: t("epoch") }),
    ...radios,
    el("p", { class: "note", text: t("epochNote") }),
  );
}

function renderPanel() {
  const panel = $("#panel-body");
  const layerList = el("ul", { class: "layers" }, ...[...state.layers].reverse().map(layerItem));
  panel.replaceChildren(
    epochSwitch() ?? "",
    el("h2", { id: "layers-heading", text: t("layers") }),
    layerList,
    map ? toolsSection() : "",
    el("section", { id: "features", class: "features", "aria-labelledby": "features-heading" }),
    el("p", { class: "api-root" }, el("a", { href: API.href, text: t("apiLink") })),
    el("p", { class: "api-root" }, el("a", { href: "3d/", id: "link-3d", text: t("v3Link") })),
  );
  tools.features?.refresh();
  layerList.setAttribute("aria-labelledby", "layers-heading");
}

function setAttribution() {
  if (!map) return;
  if (attribution) map.removeControl(attribution);
  attribution = new maplibregl.AttributionControl({ compact: true, customAttribution: t("attribution") });
  map.addControl(attribution, "bottom-right");
}

function renderTexts() {
  document.title = t("title");
  $("#title").textContent = t("title");
  $("#subtitle").textContent = t("subtitle");
  const langBtn = $("#lang-toggle");
  langBtn.textContent = t("langButton");
  langBtn.setAttribute("aria-label", t("langButtonLabel"));
  langBtn.setAttribute("lang", lang() === "pl" ? "en" : "pl");
  const panelBtn = $("#panel-toggle");
  panelBtn.textContent = t("panelButton");
  panelBtn.setAttribute("aria-label", t("panelButtonLabel"));
  $("#map").setAttribute("aria-label", t("mapLabel"));
  map?.getCanvas().setAttribute("aria-label", t("mapLabel"));
  setAttribution();
  $("#search-label").textContent = t("searchLabel");
  $("#search-input").setAttribute("placeholder", t("searchPlaceholder"));
  $("#here-button").textContent = t("hereButton");
  $("#data-link").textContent = t("dataLink");
  $("#data-link").setAttribute("aria-label", t("dataLinkLabel"));
  $("#report-heading").textContent = t("reportTitle");
  panel?.render();
  for (const [cls, key] of [["zoom-in", "zoomInButton"], ["zoom-out", "zoomOutButton"]]) {
    const button = document.querySelector(`.maplibregl-ctrl-${cls}`);
    button?.setAttribute("title", t(key));
    button?.setAttribute("aria-label", t(key));
  }
  renderPanel();
  tools.measure?.render();
  tools.swipe?.rerender();
  if (state.hit) showPopup(state.hit.layer, state.hit.feature, state.hit.lngLat);
}

function setStatus(text) {
  $("#status").textContent = text;
}

// ---- map actions -------------------------------------------------------------------------

function setVisible(layer, visible) {
  layer.visible = visible;
  document.getElementById(`item-${layer.id}`)?.classList.toggle("on", visible);
  for (const id of styleIds(layer)) map.setLayoutProperty(id, "visibility", visible ? "visible" : "none");
  if (!visible && state.hit?.layer === layer) state.popup?.remove();
  if (visible && layer.kind === "geojson") loadItems(layer);
  updatePermalink();
}

function setEpoch(epoch) {
  state.epoch = epoch;
  for (const layer of state.layers.filter((l) => l.epochs)) map.getSource(layer.id).setTiles([tileUrl(layer)]);
  updatePermalink();
}

/** Write the view, layers, epoch and selection into the URL (without a history entry each time). */
function updatePermalink() {
  if (!map) return;
  const hash = permalinkHash({
    zoom: map.getZoom(),
    center: map.getCenter(),
    layers: state.layers.filter((l) => l.visible).map((l) => l.id),
    epoch: state.epochs.length > 1 ? state.epoch : null,
    sel: panel?.sel ?? null,
  });
  if (hash !== location.hash) history.replaceState(null, "", hash);
}

const point = (lngLat) => `pt:${lngLat.lng.toFixed(7)},${lngLat.lat.toFixed(7)}`;

/** Zoom to a search hit (its extent, or close in on a point) and show what is there. */
function chooseHit(hit) {
  const [lon, lat] = hit.geometry.coordinates;
  const sel = hit.properties.kind === "address" ? hit.id : point({ lng: lon, lat });
  panel.open(sel, { focus: false }); // shows the panel at once: fit the hit into the map beside it
  map.resize();
  const [w, s, e, n] = hit.bbox;
  if (e - w < 1e-4 && n - s < 1e-4) map.jumpTo({ center: hit.geometry.coordinates, zoom: 18 });
  else map.fitBounds([[w, s], [e, n]], { padding: 40, maxZoom: 18, animate: false });
}

function setLayerStatus(layer, text) {
  layer.status = text;
  const node = document.querySelector(`#item-${layer.id} .layer-status`);
  if (node) node.textContent = text;
}

function viewBbox() {
  const b = map.getBounds();
  const clamp = (v, lim) => Math.max(-lim, Math.min(lim, v)).toFixed(6);
  return [clamp(b.getWest(), 180), clamp(b.getSouth(), 85), clamp(b.getEast(), 180), clamp(b.getNorth(), 85)].join(",");
}

async function loadItems(layer) {
  if (!layer.visible) return;
  if (map.getZoom() < (layer.minzoom ?? 0)) {
    setLayerStatus(layer, t("zoomIn", { layer: pick(layer.title) }));
    return;
  }
  state.aborts[layer.id]?.abort();
  const abort = new AbortController();
  state.aborts[layer.id] = abort;
  state.pending += 1;
  try {
    const path = `collections/${layer.collection}/items?f=json&limit=${ITEM_LIMIT}&bbox=${viewBbox()}${layer.query ?? ""}`;
    const fc = await getJSON(path, abort.signal);
    map.getSource(layer.id).setData({ type: "FeatureCollection", features: fc.features });
    const more = fc.numberMatched > fc.numberReturned;
    setLayerStatus(layer, more ? t("truncated", { layer: pick(layer.title), n: fc.numberReturned }) : "");
  } catch (err) {
    if (err.name !== "AbortError") setLayerStatus(layer, t("loadError", { layer: pick(layer.title), reason: err.message }));
  } finally {
    state.pending -= 1;
  }
}

function refreshItems() {
  for (const layer of state.layers) if (layer.kind === "geojson") loadItems(layer);
}

function popupContent(layer, feature) {
  const props = feature.properties;
  const rows = layer.popup.rows.map((r) => {
    const v = r.get(props);
    return [el("dt", { text: pick(r.label) }), el("dd", { text: v === null || v === undefined || v === "" ? t("none") : String(v) })];
  });
  const href = feature.id !== undefined ? apiUrl(`collections/${layer.collection}/items/${encodeURIComponent(feature.id)}`) : apiUrl(`collections/${layer.collection}`);
  return el(
    "div",
    { class: "popup", lang: lang() },
    el("h2", { text: pick(layer.popup.title) }),
    el("dl", {}, ...rows.flat()),
    el("a", { class: "api-link", href, text: t("featureInApi") }),
  );
}

/** Open a feature's popup; `opener` (a button of the features list) takes the focus back on close. */
function showPopup(layer, feature, lngLat, opener = null) {
  state.popup?.remove();
  const content = popupContent(layer, feature);
  const popup = new maplibregl.Popup({ maxWidth: "320px", focusAfterOpen: false })
    .setLngLat(lngLat)
    .setDOMContent(content)
    .addTo(map);
  popup.getElement().querySelector(".maplibregl-popup-close-button")?.setAttribute("aria-label", t("close"));
  popup.getElement().setAttribute("role", "dialog");
  popup.getElement().setAttribute("aria-label", pick(layer.popup.title));
  if (opener) {
    content.setAttribute("tabindex", "-1");
    content.focus();
    popup.getElement().addEventListener("keydown", (e) => e.key === "Escape" && popup.remove());
    popup.on("close", () => document.contains(opener) && opener.focus());
  }
  popup.on("close", () => {
    if (state.popup === popup) state.hit = null;
  });
  state.popup = popup;
  state.hit = { layer, feature, lngLat };
}

function onClick(e) {
  if (tools.measure.capturing()) return; // a measuring click, not a question
  panel.open(point(e.lngLat), { focus: false });
  const byStyle = {};
  for (const layer of state.layers) if (layer.popup && layer.visible) for (const id of styleIds(layer)) byStyle[id] = layer;
  const pad = 4;
  const box = [
    [e.point.x - pad, e.point.y - pad],
    [e.point.x + pad, e.point.y + pad],
  ];
  const hits = map.queryRenderedFeatures(box, { layers: Object.keys(byStyle) });
  if (!hits.length) return;
  const points = hits.filter((h) => h.geometry.type === "Point");
  const hit = points[0] ?? hits[0];
  showPopup(byStyle[hit.layer.id], { id: hit.id, properties: hit.properties }, e.lngLat);
}

// ---- tools -------------------------------------------------------------------------------

/** The layers shown with a legend, for the print view. */
function shownLegends() {
  return state.layers
    .filter((l) => l.visible)
    .map((l) => ({ title: pick(l.title), node: legendList({ ...l, filterBy: null }) }));
}

/** A feature's name in the features list: "<popup title>: <first row>". */
function featureLabel(layer, props) {
  const first = layer.popup.rows[0].get(props);
  return `${pick(layer.popup.title)}: ${first === null || first === undefined || first === "" ? t("none") : first}`;
}

async function tileMeta(collection) {
  try {
    return await getJSON(`collections/${collection}/tiles/${TMS}?f=json`);
  } catch {
    return null;
  }
}

function setUpTools() {
  const measureBox = el("section", { id: "measure", class: "tool-box", "aria-labelledby": "measure-heading", hidden: true });
  $("#map").append(measureBox);
  tools.measure = createMeasure({ map, box: measureBox });
  tools.print = createPrint({ map, legends: shownLegends });
  tools.swipe = createSwipe({
    map,
    host: $("#map"),
    tileMeta: (c) => (state.collections?.includes(c) ? tileMeta(c) : null),
    tileUrl: (c, epoch) => `${apiUrl(`collections/${c}/tiles/${TMS}`)}/{z}/{y}/{x}?f=png&datetime=${epoch}`,
  });
  tools.features = createFeatureList({
    map,
    box: () => $("#features"),
    layers: () =>
      state.layers.filter((l) => l.visible && l.popup).map((layer) => ({ layer, styleIds: styleIds(layer) })),
    label: featureLabel,
    show: showPopup,
  });
}

// ---- start -------------------------------------------------------------------------------

function toggleLang() {
  switchLang();
  renderTexts();
}

function togglePanel() {
  const open = document.body.classList.toggle("panel-open");
  $("#panel-toggle").setAttribute("aria-expanded", String(open));
}

async function discoverLayers() {
  let ids = [];
  try {
    ids = (await getJSON("collections?f=json")).collections.map((c) => c.id);
  } catch (err) {
    setStatus(t("loadError", { layer: "API", reason: err.message }));
  }
  const layers = LAYERS.filter((l) => ids.includes(l.collection));
  state.collections = ids;
  await Promise.all(
    layers
      .filter((l) => l.kind !== "geojson")
      .map(async (l) => {
        try {
          l.meta = await getJSON(`collections/${l.collection}/tiles/${TMS}?f=json`);
        } catch {
          l.meta = null;
        }
      }),
  );
  state.layers = layers.filter((l) => l.kind === "geojson" || l.meta);
  const dated = state.layers.find((l) => l.epochs);
  state.epochs = dated?.meta["msip:epochs"] ?? [];
  state.epoch = dated?.meta["msip:epoch"] ?? state.epochs.at(-1) ?? null;
}

async function start() {
  setLang(initialLang());
  $("#lang-toggle").addEventListener("click", toggleLang);
  $("#panel-toggle").addEventListener("click", togglePanel);
  renderTexts();
  maplibregl.setWorkerUrl(new URL("maplibre-gl-csp-worker.js", location.href).href);
  await discoverLayers();
  if (asked.layers) for (const l of state.layers) l.visible = asked.layers.includes(l.id);
  if (asked.epoch && state.epochs.includes(asked.epoch)) state.epoch = asked.epoch;
  renderPanel();
  const bb = state.layers.find((l) => l.epochs)?.meta?.boundingBox;
  let view = bb ? { bounds: [...bb.lowerLeft, ...bb.upperRight], fitBoundsOptions: { padding: 10 } } : KIELCE;
  if (asked.view) view = asked.view;
  map = new maplibregl.Map({
    container: "map",
    style: buildStyle(),
    ...view,
    maxZoom: 21,
    fadeDuration: 0,
    attributionControl: false,
  });
  setAttribution();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  map.on("click", onClick);
  map.on("moveend", refreshItems);
  map.on("moveend", updatePermalink);
  const trends = initTrends({ map, apiUrl, onChange: renderPanel });
  panel = new ReportPanel({ map, apiUrl, onChange: updatePermalink, trends });
  const dataLink = () => ($("#data-link").href = `data/?bbox=${map.getBounds().toArray().flat().join(",")}`);
  map.on("moveend", dataLink); // the "Dane / Data" page can search the map's view
  map.once("load", dataLink);
  searchBox = initSearch({
    input: $("#search-input"),
    list: $("#search-list"),
    status: $("#search-status"),
    url: (q) => apiUrl(`search?q=${encodeURIComponent(q)}&limit=8`),
    onChoose: chooseHit,
  });
  $("#search").addEventListener("submit", (e) => e.preventDefault());
  $("#here-button").addEventListener("click", () => panel.open(point(map.getCenter())));
  if (asked.sel) panel.open(asked.sel, { focus: false });
  setUpTools();
  renderPanel();
  map.once("load", updatePermalink);
  map.on("error", (e) => setStatus(t("loadError", { layer: "", reason: e.error?.message ?? "?" })));
  map.once("load", refreshItems);
  renderTexts();
  // For tests and the curious: the map, and whether everything asked for has arrived.
  window.msip = {
    map,
    idle: () =>
      Boolean(
        map.loaded() && map.areTilesLoaded() && state.pending === 0 && !map.isMoving() &&
          panel.pending === 0 && searchBox.pending() === 0 && tools.swipe.idle() && trends.pending === 0,
      ),
    layers: () => state.layers.map((l) => l.id),
    report: () => panel.report,
    selection: () => panel.sel,
    epoch: () => state.epoch,
    measure: () => tools.measure.result(),
    compare: () => tools.swipe.state(),
    features: () => tools.features.items().map((it) => ({ layer: it.layer.id, id: it.feature.id, lngLat: it.lngLat })),
  };
}

start();
