// Measuring on the map: distance along a line or the area of a polygon. Clicks add points, a
// double-click, Enter or "Finish" ends; from the keyboard, "Add the map centre" adds the point under
// the cross-hair (arrow keys pan the map to it). Geodesic values on the GRS80 ellipsoid (geodesy.js).

import { lang, t } from "../i18n.js";
import { el, num } from "./dom.js";
import { pathLengthM, polygonAreaM2 } from "./geodesy.js";

const SOURCE = "msip-measure";
const EMPTY = { type: "FeatureCollection", features: [] };
const STYLE = [
  { id: "msip-measure-fill", type: "fill", filter: ["==", ["geometry-type"], "Polygon"],
    paint: { "fill-color": "#ffbf47", "fill-opacity": 0.25 } },
  { id: "msip-measure-line", type: "line", filter: ["!=", ["geometry-type"], "Point"],
    paint: { "line-color": "#12355b", "line-width": 3, "line-dasharray": [2, 1] } },
  { id: "msip-measure-points", type: "circle", filter: ["==", ["geometry-type"], "Point"],
    paint: { "circle-radius": 5, "circle-color": "#ffbf47", "circle-stroke-color": "#12355b", "circle-stroke-width": 2 } },
];

/** "512,3 m" or "1,234 km" in the current language. */
export function formatLength(m) {
  return m >= 1000 ? `${num(m / 1000, lang(), 3)} km` : `${num(m, lang(), 1)} m`;
}

/** "4 020 m² (0,40 ha)". */
export function formatArea(m2) {
  return `${num(m2, lang(), 0)} m² (${num(m2 / 10000, lang(), 2)} ha)`;
}

/**
 * The measuring tool over `map`, its controls in `box` (shown while measuring).
 * Returns {start(mode), stop(), capturing(), result(), render()}.
 */
export function createMeasure({ map, box }) {
  let mode = null; // "length" | "area" | null
  let points = [];
  let done = false;

  function ensureLayers() {
    if (map.getSource(SOURCE)) return;
    map.addSource(SOURCE, { type: "geojson", data: EMPTY });
    for (const layer of STYLE) map.addLayer({ ...layer, source: SOURCE });
  }

  function result() {
    if (!mode) return null;
    const length = pathLengthM(mode === "area" && points.length > 2 ? [...points, points[0]] : points);
    return mode === "area"
      ? { mode, points: points.length, areaM2: polygonAreaM2(points), perimeterM: length, done }
      : { mode, points: points.length, lengthM: length, done };
  }

  function draw() {
    const features = points.map((p) => ({ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: p } }));
    if (mode === "area" && points.length > 2) {
      features.push({ type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [[...points, points[0]]] } });
    } else if (points.length > 1) {
      features.push({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: points } });
    }
    map.getSource(SOURCE)?.setData({ type: "FeatureCollection", features });
  }

  function resultText(r) {
    if (r.points === 0) return t("measureHint");
    if (r.mode === "length") return t("measureLength", { v: formatLength(r.lengthM) });
    if (r.points < 3) return t("measureAreaNeeds");
    return t("measureArea", { v: formatArea(r.areaM2), p: formatLength(r.perimeterM) });
  }

  function render() {
    box.hidden = !mode;
    if (!mode) return box.replaceChildren();
    const r = result();
    const out = el("p", { id: "measure-result", role: "status", "aria-live": "polite", text: resultText(r) });
    if (r.mode === "length") out.dataset.lengthM = String(r.lengthM);
    else out.dataset.areaM2 = String(r.areaM2);
    out.dataset.points = String(r.points);
    const button = (id, key, fn, disabled = false) => {
      const b = el("button", { type: "button", id, text: t(key), disabled });
      b.addEventListener("click", fn);
      return b;
    };
    box.replaceChildren(
      el("h2", { id: "measure-heading", text: t(mode === "area" ? "measureAreaTitle" : "measureLengthTitle") }),
      out,
      el(
        "div",
        { class: "tool-buttons" },
        button("measure-add-centre", "measureAddCentre", addCentre, done),
        button("measure-undo", "measureUndo", undo, done || points.length === 0),
        button("measure-finish", "measureFinish", finish, done || points.length < 2),
        button("measure-close", "measureClose", stop),
      ),
    );
    box.classList.toggle("measuring", !done);
  }

  function update() {
    draw();
    // re-render the controls but keep the keyboard focus on the same button
    const focused = document.activeElement?.id;
    render();
    if (focused && box.contains(document.getElementById(focused))) document.getElementById(focused).focus();
  }

  function add(lngLat) {
    if (!mode || done) return;
    points.push([lngLat.lng, lngLat.lat]);
    update();
  }

  function addCentre() {
    add(map.getCenter());
  }

  function undo() {
    points.pop();
    update();
  }

  function finish() {
    if (!mode) return;
    done = points.length >= (mode === "area" ? 3 : 2);
    update();
  }

  function onDblClick(e) {
    if (!mode || done) return;
    e.preventDefault();
    // the two clicks of a double-click each added the same point: keep one
    const [a, b] = points.slice(-2);
    if (a && b && a[0] === b[0] && a[1] === b[1]) points.pop();
    finish();
  }

  function onKey(e) {
    if (!mode) return;
    if (e.key === "Escape") stop();
    else if (e.key === "Enter" && (e.target === map.getCanvas() || box.contains(e.target)) && !done) {
      if (e.target.tagName === "BUTTON") return; // the button's own action
      e.preventDefault();
      finish();
    }
  }

  function start(newMode) {
    ensureLayers();
    mode = newMode;
    points = [];
    done = false;
    map.doubleClickZoom.disable();
    map.getContainer().classList.add("measuring");
    update();
    document.getElementById("measure-add-centre")?.focus();
  }

  function stop() {
    mode = null;
    points = [];
    done = false;
    map.doubleClickZoom.enable();
    map.getContainer().classList.remove("measuring");
    draw();
    render();
  }

  map.on("click", (e) => add(e.lngLat));
  map.on("dblclick", onDblClick);
  document.addEventListener("keydown", onKey);
  return { start, stop, capturing: () => Boolean(mode), result, render };
}
