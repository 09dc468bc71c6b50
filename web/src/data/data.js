// The "Dane / Data" page: the open-data catalogue (OGC API – Records) with search by words, date
// and the map's view, each dataset's title and abstract in the page's language, licence, update date
// and download links with their sizes (/downloads). A download not built yet for the current data
// answers 202 with Retry-After: the link then says it is being prepared and starts once it is ready.

import { initialLang, lang, setLang, switchLang, t } from "../i18n.js";

const API = new URL("../../", location.href);
const LIMIT = 1000;
const MAX_WAITS = 120; // rounds of Retry-After before giving up on a file being built
const FORMAT_NAMES = { gpkg: "GeoPackage", parquet: "GeoParquet", csv: "CSV", tif: "COG (GeoTIFF)", gml: "APP GML 2.0" };

const $ = (sel) => document.querySelector(sel);
const api = (path) => new URL(path, API).href;
const state = { records: [], files: {}, pending: 0, loaded: false, bbox: null, error: null };

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

async function getJSON(path, cache = "default") {
  state.pending += 1;
  try {
    const resp = await fetch(api(path), { headers: { Accept: "application/json" }, cache });
    if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
    return await resp.json();
  } finally {
    state.pending -= 1;
  }
}

function askedBbox() {
  const raw = new URLSearchParams(location.search).get("bbox");
  const nums = (raw ?? "").split(",").map(Number);
  return nums.length === 4 && nums.every(Number.isFinite) ? nums : null;
}

/** Bytes as "1,2 MB" in the page's language. */
function size(bytes) {
  const units = ["B", "kB", "MB", "GB"];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  const text = v.toLocaleString(lang() === "pl" ? "pl-PL" : "en-GB", { maximumFractionDigits: i ? 1 : 0 });
  return `${text} ${units[i]}`;
}

function date(iso) {
  if (!iso) return t("unknown");
  return new Date(iso).toLocaleDateString(lang() === "pl" ? "pl-PL" : "en-GB", {
    year: "numeric", month: "long", day: "numeric",
  });
}

function texts(rec) {
  const p = rec.properties;
  return lang() === "en"
    ? { title: p.title_en || p.title, abstract: p.description_en || p.description }
    : { title: p.title, abstract: p.description };
}

/** Wait for the server to build a download (202 + Retry-After), then start it. */
async function fetchWhenReady(link, href, label) {
  if (link.getAttribute("aria-busy") === "true") return;
  link.setAttribute("aria-busy", "true");
  state.pending += 1;
  try {
    for (let attempt = 0; ; attempt += 1) {
      if (attempt >= MAX_WAITS) throw new Error(t("dataTooLong"));
      const resp = await fetch(href, { method: "HEAD" });
      if (resp.status === 202) {
        const wait = Number(resp.headers.get("Retry-After")) || 5;
        $("#status").textContent = t("dataPreparing", { file: label, s: wait });
        await new Promise((r) => setTimeout(r, wait * 1000));
        continue;
      }
      if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
      const length = Number(resp.headers.get("Content-Length"));
      if (length) state.files[href] = { ...(state.files[href] ?? {}), ready: true, length };
      $("#status").textContent = t("dataReady", { file: label });
      location.assign(href);
      return;
    }
  } catch (err) {
    $("#status").textContent = t("dataDownloadError", { file: label, reason: err.message });
  } finally {
    link.removeAttribute("aria-busy");
    state.pending -= 1;
  }
}

function downloadLink(link, title) {
  const ext = link.href.split(".").pop();
  const name = FORMAT_NAMES[ext] ?? ext;
  const file = state.files[link.href];
  const known = file?.ready && Number.isFinite(file.length);
  const sizeText = known ? size(file.length) : t("dataSizeLater");
  const label = t("dataDownloadLabel", { title, format: name, size: sizeText });
  const a = el("a", { class: "download", href: link.href, type: link.type, "data-format": ext, "aria-label": label }, [
    el("span", { text: name }),
    el("span", { class: "size", text: sizeText }),
  ]);
  a.addEventListener("click", (e) => {
    if (state.files[link.href]?.ready) return; // built: the browser downloads it
    e.preventDefault();
    fetchWhenReady(a, link.href, `${title} — ${name}`);
  });
  return el("li", {}, [a]);
}

function renderRecord(rec) {
  const { title, abstract } = texts(rec);
  const links = rec.links ?? [];
  const licence = links.find((l) => l.rel === "license");
  const meta = links.find((l) => l.rel === "describedby");
  const inApi = links.find((l) => l.rel === "collection" || l.rel === "item");
  const headingId = `ds-${rec.id}`;
  const facts = el("dl", { class: "facts" }, [
    el("dt", { text: t("dataLicence") }),
    el("dd", {}, [licence ? el("a", { href: licence.href, rel: "license", text: licence.title || licence.href })
      : t("unknown")]),
    el("dt", { text: t("dataUpdated") }),
    el("dd", { "data-updated": rec.properties.updated ?? "", text: date(rec.properties.updated) }),
  ]);
  const items = links.filter((l) => l.rel === "enclosure").map((l) => downloadLink(l, title));
  if (meta) {
    items.push(el("li", {}, [el("a", {
      class: "download", href: meta.href, type: meta.type, "data-format": "xml",
      "aria-label": t("dataMetadataLabel", { title }),
    }, [el("span", { text: t("dataMetadata") })])]));
  }
  if (inApi) {
    items.push(el("li", {}, [el("a", {
      class: "download", href: inApi.href, "data-format": "api", "aria-label": t("dataApiLabel", { title }),
    }, [el("span", { text: "OGC API" })])]));
  }
  return el("li", { class: "dataset", "data-id": rec.id, "aria-labelledby": headingId }, [
    el("h2", { id: headingId, text: title }),
    el("p", { class: "abstract", text: abstract }),
    facts,
    el("ul", { class: "downloads", "aria-label": t("dataDownloadsOf", { title }) }, items),
  ]);
}

function render() {
  $("#datasets").replaceChildren(...state.records.map(renderRecord));
  if (state.error) $("#status").textContent = t("dataError", { reason: state.error });
  else if (state.loaded) {
    $("#status").textContent = state.records.length
      ? t("dataFound", { n: state.records.length })
      : t("dataNothing");
  }
}

function renderTexts() {
  document.title = t("dataTitle");
  $("#title").textContent = t("dataTitle");
  $("#subtitle").textContent = t("dataSubtitle");
  const langBtn = $("#lang-toggle");
  langBtn.textContent = t("langButton");
  langBtn.setAttribute("aria-label", t("langButtonLabel"));
  langBtn.setAttribute("lang", lang() === "pl" ? "en" : "pl");
  $("#map-link").textContent = t("dataMapLink");
  $("#q-label").textContent = t("dataSearchLabel");
  $("#q").setAttribute("placeholder", t("dataSearchPlaceholder"));
  $("#date-label").textContent = t("dataDateLabel");
  $("#bbox-label").textContent = t("dataBboxLabel");
  $("#search-button").textContent = t("dataSearchButton");
  $("#reset-button").textContent = t("dataResetButton");
  render();
}

async function search() {
  const params = new URLSearchParams({ f: "json", limit: String(LIMIT), lang: "pl" });
  const q = $("#q").value.trim();
  if (q) params.set("q", q);
  if ($("#date").value) params.set("datetime", $("#date").value);
  if (state.bbox && $("#bbox").checked) params.set("bbox", state.bbox.join(","));
  state.loaded = false;
  state.error = null;
  try {
    const [found, index] = await Promise.all([
      getJSON(`collections/catalogue/items?${params}`),
      // sizes change as files are built: revalidate (ETag) rather than take a cached answer
      getJSON("downloads", "no-cache").catch(() => ({ downloads: [] })), // sizes are a nicety
    ]);
    state.files = {};
    for (const d of index.downloads) for (const f of d.files) state.files[f.href] = f;
    state.records = found.features;
  } catch (err) {
    state.records = [];
    state.error = err.message;
  }
  state.loaded = true;
  render();
}

function toggleLang() {
  switchLang();
  renderTexts();
}

function start() {
  setLang(initialLang());
  state.bbox = askedBbox();
  $("#bbox-field").hidden = !state.bbox;
  $("#bbox").checked = $("#bbox").defaultChecked = Boolean(state.bbox);
  const asked = new URLSearchParams(location.search);
  if (asked.get("q")) $("#q").value = asked.get("q");
  $("#lang-toggle").addEventListener("click", toggleLang);
  $("#data-search").addEventListener("submit", (e) => {
    e.preventDefault();
    search();
  });
  $("#data-search").addEventListener("reset", () => setTimeout(search, 0));
  renderTexts();
  // For tests and the curious: the records shown, and whether everything asked for has arrived.
  window.msipData = {
    idle: () => state.loaded && state.pending === 0,
    ids: () => state.records.map((r) => r.id),
  };
  search();
}

start();
