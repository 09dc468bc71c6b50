// The print view: an A4 landscape sheet of the current map (a snapshot of the canvas as drawn) with
// its title, date, legend of the layers shown, a scale bar and the nominal scale at A4 size, a north
// arrow and the attribution, in the page's language. The print stylesheet prints the sheet alone.

import { lang, t } from "../i18n.js";
import { el, num } from "./dom.js";

/** The map's box on the A4 landscape sheet [mm]: 297 mm less margins and the legend column, the
 * height less margins, title and attribution. The map keeps the canvas's proportions inside it. */
const MAP_BOX_W_MM = 205;
const MAP_BOX_H_MM = 160;
const EARTH_CIRCUMFERENCE_M = 40075016.686;

/** Ground metres per CSS pixel at the map's centre (MapLibre's 512-pixel world). */
function metresPerPixel(map) {
  return (EARTH_CIRCUMFERENCE_M * Math.cos((map.getCenter().lat * Math.PI) / 180)) / (512 * 2 ** map.getZoom());
}

/** A round length (1, 2 or 5 × 10^n m) no longer than `maxM`. */
function roundLength(maxM) {
  const p = 10 ** Math.floor(Math.log10(maxM));
  return [5, 2, 1].map((k) => k * p).find((v) => v <= maxM) ?? p;
}

/** The canvas as a PNG data URL, taken right after a repaint (the drawing buffer is not kept). */
function snapshot(map) {
  return new Promise((resolve) => {
    map.once("render", () => resolve(map.getCanvas().toDataURL("image/png")));
    map.triggerRepaint();
  });
}

function northArrow(bearing) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 40 56");
  svg.setAttribute("class", "print-north");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("printNorth"));
  const g = document.createElementNS(ns, "g");
  g.setAttribute("transform", `rotate(${-bearing} 20 32)`);
  const arrow = document.createElementNS(ns, "path");
  arrow.setAttribute("d", "M20 12 L32 48 L20 40 L8 48 Z");
  arrow.setAttribute("fill", "#1b1b1b");
  const n = document.createElementNS(ns, "text");
  n.setAttribute("x", "20");
  n.setAttribute("y", "10");
  n.setAttribute("text-anchor", "middle");
  n.setAttribute("font-size", "12");
  n.setAttribute("font-weight", "bold");
  n.textContent = "N";
  g.append(arrow, n);
  svg.append(g);
  return svg;
}

/**
 * The print view. `legends()` → [{title, node}] for the layers shown; `onClose` when it closes.
 * Returns {open(), close(), isOpen()}.
 */
export function createPrint({ map, legends, onClose }) {
  let sheet = null;
  let opener = null;

  /** The scale bar over the printed map `widthMm` wide showing `widthPx` canvas pixels. */
  function scaleBar(widthPx, widthMm) {
    const mpp = metresPerPixel(map);
    const lengthM = roundLength(mpp * widthPx * 0.25);
    const bar = el("div", { class: "print-scale-bar", "aria-hidden": "true" });
    bar.style.width = `${(100 * lengthM) / (mpp * widthPx)}%`;
    const label = lengthM >= 1000 ? `${num(lengthM / 1000, lang(), 1)} km` : `${num(lengthM, lang(), 0)} m`;
    const denominator = Math.round((mpp * widthPx) / (widthMm / 1000) / 10) * 10;
    const scale = el(
      "div",
      { class: "print-scale" },
      bar,
      el("span", { class: "print-scale-label", text: label }),
      el("span", { class: "print-scale-ratio", text: t("printScale", { n: num(denominator, lang(), 0) }) }),
    );
    scale.dataset.lengthM = String(lengthM);
    scale.dataset.metresPerPixel = String(mpp);
    return scale;
  }

  async function open() {
    opener = document.activeElement;
    const png = await snapshot(map);
    const widthPx = map.getCanvas().clientWidth;
    const heightPx = map.getCanvas().clientHeight;
    const widthMm = Math.min(MAP_BOX_W_MM, (MAP_BOX_H_MM * widthPx) / heightPx);
    const today = new Date().toLocaleDateString(lang() === "pl" ? "pl-PL" : "en-GB", {
      year: "numeric", month: "long", day: "numeric",
    });
    const printButton = el("button", { type: "button", id: "print-go", text: t("printGo") });
    printButton.addEventListener("click", () => window.print());
    const closeButton = el("button", { type: "button", id: "print-close", text: t("printClose") });
    closeButton.addEventListener("click", close);
    const img = el("img", { id: "print-map", src: png, alt: t("printMapAlt") });
    const figure = el("figure", { class: "print-figure" }, img, northArrow(map.getBearing()), scaleBar(widthPx, widthMm));
    figure.style.width = `${widthMm}mm`;
    figure.style.aspectRatio = `${widthPx} / ${heightPx}`;
    sheet?.remove();
    sheet = el(
      "div",
      { id: "print-sheet", role: "dialog", "aria-modal": "true", "aria-labelledby": "print-title", lang: lang() },
      el("div", { class: "print-actions" }, printButton, closeButton),
      el(
        "article",
        { class: "print-page" },
        el(
          "header",
          { class: "print-head" },
          el("h2", { id: "print-title", text: t("title") }),
          el("p", { class: "print-date", text: t("printDate", { d: today }) }),
        ),
        figure,
        el(
          "aside",
          { class: "print-legend" },
          el("h3", { text: t("printLegend") }),
          ...legends().map((l) => el("section", {}, el("h4", { text: l.title }), l.node ?? "")),
        ),
        el("footer", { class: "print-attribution", text: `${t("attribution")} · MapLibre · ${location.href}` }),
      ),
    );
    document.body.append(sheet);
    document.body.classList.add("print-view");
    document.addEventListener("keydown", onKey);
    printButton.focus();
  }

  function onKey(e) {
    if (e.key === "Escape") close();
  }

  function close() {
    if (!sheet) return;
    sheet.remove();
    sheet = null;
    document.body.classList.remove("print-view");
    document.removeEventListener("keydown", onKey);
    opener?.focus?.();
    onClose?.();
  }

  return { open, close, isOpen: () => Boolean(sheet) };
}
