// Texts of the web map in Polish (default) and English, and the plain-language names of the
// codes the API returns (health, zone symbols, advertising rules), so popups read as sentences.

export const LANGS = ["pl", "en"];

const UI = {
  pl: {
    title: "MSIP — mapa miasta",
    subtitle: "Kielce: drzewa, zieleń, plan, reklamy, ciepło",
    langButton: "English",
    langButtonLabel: "Switch the map to English",
    panelButton: "Warstwy",
    panelButtonLabel: "Pokaż lub ukryj panel warstw",
    layers: "Warstwy",
    epoch: "Ortofotomapa z dnia",
    epochNote: "Pozostałe warstwy pokazują stan bieżący.",
    inApi: "dane w API",
    inApiLabel: "Dane warstwy {layer} w OGC API",
    featureInApi: "Ten obiekt w API",
    mapLabel: "Mapa miasta; strzałki przesuwają, + i − przybliżają",
    loadError: "Nie udało się wczytać warstwy {layer}: {reason}",
    truncated: "{layer}: pokazano pierwsze {n} obiektów w widoku; przybliż mapę.",
    zoomIn: "{layer}: przybliż mapę, aby zobaczyć.",
    yes: "tak",
    no: "nie",
    none: "brak",
    noData: "brak danych",
    popupTitle: "{layer}",
    close: "Zamknij",
    apiLink: "API (OGC API) — wszystkie dane",
    attribution: "Dane: MSIP, CC-BY 4.0",
    zoomInButton: "Przybliż",
    zoomOutButton: "Oddal",
    // 3D point-cloud viewer (/map/3d, issue 20)
    v3Link: "Chmura punktów 3D i geostanowiska",
    v3Title: "MSIP — chmura punktów 3D",
    v3Back: "Mapa 2D",
    v3Epoch: "Nalot (epoka)",
    v3Colour: "Kolor punktów",
    v3ByClass: "klasa",
    v3ByHeight: "wysokość",
    v3ByRgb: "RGB",
    v3ByIntensity: "intensywność",
    v3Ortho: "Ortofotomapa pod punktami",
    v3Measure: "Zmierz odległość",
    v3MeasureHelp: "Kliknij dwa punkty (lub Enter: punkt w środku widoku).",
    v3MeasureFirst: "Pierwszy punkt wybrany; wskaż drugi.",
    v3MeasureResult: "Odległość {d} m (w poziomie {h} m), różnica wysokości {dz} m",
    v3NoPoint: "Brak punktu w tym miejscu; kliknij bliżej punktów.",
    v3Sites: "Geostanowiska",
    v3NoSites: "Brak geostanowisk w danych.",
    v3View: "Pokaż w 3D",
    v3ViewLabel: "Pokaż {name} w 3D",
    v3Points: "Wczytano {n} punktów ({nodes} węzłów oktdrzewa)",
    v3NoCloud: "Brak chmury punktów w API (msip load copc).",
    v3CanvasLabel: "Widok 3D chmury punktów; strzałki przesuwają, + i − przybliżają",
  },
  en: {
    title: "MSIP — city map",
    subtitle: "Kielce: trees, green space, zoning, advertising, heat",
    langButton: "Polski",
    langButtonLabel: "Przełącz mapę na język polski",
    panelButton: "Layers",
    panelButtonLabel: "Show or hide the layer panel",
    layers: "Layers",
    epoch: "Orthophoto of",
    epochNote: "The other layers show the current state.",
    inApi: "data in the API",
    inApiLabel: "Data of the layer {layer} in the OGC API",
    featureInApi: "This feature in the API",
    mapLabel: "City map; arrow keys pan, + and − zoom",
    loadError: "Could not load the layer {layer}: {reason}",
    truncated: "{layer}: showing the first {n} features in view; zoom in.",
    zoomIn: "{layer}: zoom in to see it.",
    yes: "yes",
    no: "no",
    none: "none",
    noData: "no data",
    popupTitle: "{layer}",
    close: "Close",
    apiLink: "API (OGC API) — all the data",
    attribution: "Data: MSIP, CC-BY 4.0",
    zoomInButton: "Zoom in",
    zoomOutButton: "Zoom out",
    // 3D point-cloud viewer (/map/3d, issue 20)
    v3Link: "3D point cloud and geological sites",
    v3Title: "MSIP — 3D point cloud",
    v3Back: "2D map",
    v3Epoch: "Survey (epoch)",
    v3Colour: "Point colour",
    v3ByClass: "class",
    v3ByHeight: "height",
    v3ByRgb: "RGB",
    v3ByIntensity: "intensity",
    v3Ortho: "Orthophoto under the points",
    v3Measure: "Measure a distance",
    v3MeasureHelp: "Click two points (or Enter: the point at the centre of the view).",
    v3MeasureFirst: "First point picked; pick the second.",
    v3MeasureResult: "Distance {d} m (horizontal {h} m), height difference {dz} m",
    v3NoPoint: "No point there; click closer to the points.",
    v3Sites: "Geological sites",
    v3NoSites: "No geological sites in the data.",
    v3View: "View in 3D",
    v3ViewLabel: "View {name} in 3D",
    v3Points: "{n} points loaded ({nodes} octree nodes)",
    v3NoCloud: "No point cloud in the API (msip load copc).",
    v3CanvasLabel: "3D view of the point cloud; arrows pan, + and − zoom",
  },
};

/** Values the data holds in Polish (or as codes) with their English wording. */
const VALUES_EN = {
  dobry: "good",
  "średni": "fair",
  "zły": "poor",
  "bardzo zły": "very poor",
  martwy: "dead",
  park: "park",
  skwer: "square",
  zieleniec: "green patch",
  compliant: "compliant",
  non_compliant: "violates the rules",
};

const VALUES_PL = {
  good: "dobry",
  fair: "średni",
  poor: "zły",
  compliant: "zgodny z uchwałą",
  non_compliant: "narusza uchwałę",
  led_screen: "ekran LED",
  mural: "mural",
  banner: "baner",
  pylon: "pylon",
  citylight: "citylight",
  column: "słup ogłoszeniowy",
  sign: "szyld",
  board: "tablica (billboard)",
  other: "inny",
  building_mounted: "na budynku",
  free_standing: "wolnostojący",
};

const CARRIERS_EN = {
  led_screen: "LED screen",
  banner: "banner",
  column: "advertising column",
  board: "board (billboard)",
  other: "other",
  building_mounted: "on a building",
  free_standing: "free-standing",
};

/** Advertising rule codes of the compliance analysis. */
const RULES = {
  FACE_AREA_EXCEEDED: { pl: "za duża powierzchnia reklamy", en: "display area too large" },
  HEIGHT_EXCEEDED: { pl: "za wysoki nośnik", en: "carrier too high" },
  TYPE_NOT_ALLOWED: { pl: "rodzaj nośnika niedozwolony w strefie", en: "carrier type not allowed in the zone" },
  MIN_SPACING_FREESTANDING: {
    pl: "za blisko innego nośnika wolnostojącego",
    en: "too close to another free-standing carrier",
  },
  LED_IN_ZONE_A: { pl: "ekran LED w strefie A", en: "LED screen in zone A" },
  MIN_DISTANCE_TREE: { pl: "za blisko drzewa", en: "too close to a tree" },
};

/** Zone symbols of the general plan (plan ogólny) and their English names. */
export const ZONE_SYMBOLS = {
  SW: { pl: "wielofunkcyjna z zabudową wielorodzinną", en: "mixed use, multi-family housing" },
  SJ: { pl: "wielofunkcyjna z zabudową jednorodzinną", en: "mixed use, single-family housing" },
  SZ: { pl: "zabudowy zagrodowej", en: "farmstead housing" },
  SU: { pl: "usługowa", en: "services" },
  SH: { pl: "handlu wielkopowierzchniowego", en: "large-format retail" },
  SP: { pl: "gospodarcza", en: "economic (industry)" },
  SR: { pl: "produkcji rolniczej", en: "agricultural production" },
  SI: { pl: "infrastrukturalna", en: "infrastructure" },
  SN: { pl: "zieleni i rekreacji", en: "green space and recreation" },
  SC: { pl: "cmentarzy", en: "cemeteries" },
  SG: { pl: "górnictwa", en: "mining" },
  SO: { pl: "otwartych terenów", en: "open land" },
  SK: { pl: "komunikacyjna", en: "transport" },
};

/** English common names by Latin name; the Polish name comes from the inventory itself. */
const SPECIES_EN = {
  "Tilia cordata": "small-leaved lime",
  "Acer platanoides": "Norway maple",
  "Acer pseudoplatanus": "sycamore maple",
  "Sorbus aucuparia": "rowan",
  "Aesculus hippocastanum": "horse chestnut",
  "Fraxinus excelsior": "European ash",
  "Carpinus betulus": "hornbeam",
  "Robinia pseudoacacia": "black locust",
  "Quercus robur": "English oak",
  "Crataegus monogyna": "common hawthorn",
  "Betula pendula": "silver birch",
  "Pinus sylvestris": "Scots pine",
  "Picea abies": "Norway spruce",
  "Fagus sylvatica": "European beech",
  "Salix alba": "white willow",
};

let current = "pl";

export function lang() {
  return current;
}

export function setLang(value) {
  current = LANGS.includes(value) ? value : "pl";
  document.documentElement.lang = current;
  return current;
}

/** The UI text `key` in the current language, with {name} placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const text = UI[current][key] ?? UI.pl[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** `{pl, en}` → the text of the current language. */
export function pick(texts) {
  return typeof texts === "string" ? texts : texts[current] ?? texts.pl;
}

/** A data value in plain words of the current language (codes translated, numbers localised). */
export function value(v, unit = "") {
  if (v === null || v === undefined || v === "") return t("none");
  if (typeof v === "boolean") return t(v ? "yes" : "no");
  if (typeof v === "number") {
    const digits = Math.abs(v) >= 100 ? 0 : 1;
    const text = v.toLocaleString(current === "pl" ? "pl-PL" : "en-GB", { maximumFractionDigits: digits });
    return unit ? `${text} ${unit}` : text;
  }
  const s = String(v);
  if (current === "en") return CARRIERS_EN[s] ?? VALUES_EN[s] ?? s;
  return VALUES_PL[s] ?? s;
}

/** A yes/no result that may be unknown: null is "no data" (unknown), never "none" or "no". */
export function flag(v) {
  return v === null || v === undefined ? t("noData") : t(v ? "yes" : "no");
}

/** The species as "Polish name (Latin)" in Polish, "English name (Latin)" in English. */
export function species(props) {
  const latin = props.species_latin;
  const name = current === "en" ? SPECIES_EN[latin] ?? props.species : props.species;
  if (!name) return latin || t("none");
  return latin && latin !== name ? `${name} (${latin})` : name;
}

/** Violated advertising rules as a comma-separated plain-language list. */
export function rules(codes) {
  const list = Array.isArray(codes) ? codes : String(codes ?? "").replace(/[{}"]/g, "").split(",");
  const named = list.filter((c) => c);
  if (named.length === 0) return t("none");
  return named.map((c) => (RULES[c] ? pick(RULES[c]) : c)).join(", ");
}

/** A zone symbol (e.g. SW) with its designation in words. */
export function zoneSymbol(symbol) {
  const z = ZONE_SYMBOLS[symbol];
  return z ? `${symbol} — ${pick(z)}` : symbol || t("none");
}
