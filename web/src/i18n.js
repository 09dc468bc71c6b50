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
    panelButtonLabel: "Warstwy: pokaż lub ukryj panel warstw",
    layers: "Warstwy",
    epoch: "Ortofotomapa z dnia",
    epochNote: "Pozostałe warstwy pokazują stan bieżący.",
    inApi: "dane w API",
    inApiLabel: "dane w API: warstwa {layer} (OGC API)",
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
    searchLabel: "Szukaj adresu, ulicy, planu, drzewa lub reklamy",
    searchPlaceholder: "Szukaj: adres, ulica, plan…",
    searchFound: "Znaleziono: {n}. Strzałki wybierają, Enter pokazuje.",
    searchNothing: "Nic nie znaleziono dla „{q}”.",
    searchError: "Wyszukiwanie nie powiodło się: {reason}",
    kind_address: "adres",
    kind_street: "ulica",
    kind_plan: "plan miejscowy",
    kind_zone: "strefa planu",
    kind_place: "miejsce",
    kind_tree: "drzewo",
    kind_ad: "nośnik reklamowy",
    hereButton: "Co tu jest? (środek mapy)",
    reportTitle: "Co tu jest?",
    reportLoading: "Wczytywanie…",
    reportError: "Nie udało się wczytać raportu: {reason}",
    reportPrint: "Wersja do druku",
    unknown: "nieznane",
    notAssessed: "nie oceniono",
    rPlace: "Miejsce", rAddress: "Najbliższy adres", rLat: "Szerokość geogr.", rLon: "Długość geogr.",
    rZone: "Strefa", rZoning: "Plan miejscowy", rNoPlan: "Żaden plan miejscowy nie obejmuje tego miejsca.",
    rUse: "Przeznaczenie", rPlan: "Plan", rPlanNumber: "Numer planu", rMaxHeight: "Maks. wysokość zabudowy",
    rCoverage: "Maks. powierzchnia zabudowy", rBioActive: "Min. powierzchnia biologicznie czynna",
    rIntensity: "Maks. intensywność zabudowy", rHeights: "Wysokości (LiDAR)", rDtm: "Teren (NMT)",
    rDsm: "Pokrycie terenu (NMPT)", rEpoch: "Stan na", rTrees: "Drzewa w promieniu {r} m", rCount: "Liczba",
    rHealth: "Stan", rNoInventory: "Inwentaryzacja drzew nie obejmuje tego miejsca.",
    rGreen: "3-30-300 (najbliższy budynek mieszkalny)", rNoBuilding: "Brak budynku mieszkalnego z wynikiem w pobliżu.",
    r_building_id: "Budynek", r_distance_m: "Odległość", r_meets_3: "3 drzewa w zasięgu 15 m",
    r_meets_30: "30% koron w okolicy", r_meets_300: "Park w zasięgu 300 m", r_meets_3_30_300: "Spełnia 3-30-300",
    rHeat: "Temperatura powietrza w dzień (model)", rTair: "Temperatura", rCarriers: "Reklamy w promieniu {r} m",
    rNonCompliant: "Niezgodne z uchwałą", rChanges: "Zmiany tutaj (do {r} m)", rSince: "Od",
    rNoData: "Brak danych dla tego miejsca.",
    change_new_building: "nowy budynek", change_raised_building: "nadbudowa", change_demolished_building: "rozbiórka",
    change_lowered_building: "obniżenie budynku", change_canopy_lost: "ubytek koron drzew",
    change_canopy_gained: "przyrost koron drzew", change_felled_tree: "wycięte drzewo",
    change_health_decline: "pogorszenie kondycji drzewa", change_terrain_change: "zmiana terenu",
    change_new_ad: "nowa reklama", change_removed_ad: "usunięta reklama",
    // geoportal tools (issue 19): measuring, printing, epochs side by side, change filter, features list
    toolsTitle: "Narzędzia",
    measureLengthTitle: "Zmierz odległość", measureAreaTitle: "Zmierz powierzchnię",
    measureHint: "Klikaj punkty na mapie albo dodaj środek mapy (celownik); dwuklik lub Enter kończy.",
    measureLength: "Długość: {v}", measureArea: "Powierzchnia: {v}; obwód: {p}",
    measureAreaNeeds: "Dodaj co najmniej 3 punkty.", measureAddCentre: "Dodaj środek mapy",
    measureUndo: "Cofnij punkt", measureFinish: "Zakończ", measureClose: "Zamknij pomiar",
    compareTitle: "Porównaj epoki", compareKind: "Dane", compareLeft: "Z lewej", compareRight: "Z prawej",
    compareSlider: "Położenie linii podziału (procent szerokości mapy)", compareClose: "Zamknij porównanie",
    compareMapLabel: "Porównanie epok; strzałki przesuwają mapę",
    printTitle: "Drukuj mapę (A4)", printGo: "Drukuj", printClose: "Zamknij podgląd wydruku",
    printDate: "Stan na {d}", printLegend: "Legenda", printNorth: "Strzałka północy",
    printScale: "skala ok. 1:{n} na A4", printMapAlt: "Widok mapy do druku",
    changeKinds: "Pokaż rodzaje zmian",
    featuresTitle: "Obiekty w widoku", featuresShow: "Pokaż listę obiektów", featuresHide: "Ukryj listę obiektów",
    featuresCount: "{n} obiektów w widoku; Enter otwiera opis.",
    featuresMore: "{n} obiektów w widoku, pokazano {m}; przybliż mapę.",
    // indicators, trends and the PDF report (issue 19, georeport)
    reportPdf: "PDF", trendTitle: "Zmiany w czasie", trendIndicator: "Wskaźnik:", trendCell: "oczko",
    trendDistrict: "strefa", trendEpoch: "Stan na", trendValue: "Wartość",
    trendNone: "brak wyników analiz dla tego miejsca",
    trendNote: "Jeden punkt na epokę pomiarów (ostatnie obliczenie analizy); oś pionowa obejmuje całą stałą skalę wskaźnika.",
    // "Dane / Data" page: the open-data catalogue with downloads (issue 18)
    dataLink: "Dane", dataLinkLabel: "Dane otwarte: katalog zbiorów i pobieranie",
    dataTitle: "MSIP — dane otwarte", dataSubtitle: "Katalog zbiorów danych: wyszukiwanie, licencje, pobieranie",
    dataMapLink: "Mapa", dataSearchLabel: "Szukaj w katalogu", dataSearchPlaceholder: "np. drzewa, zieleń, plan",
    dataDateLabel: "Dane z dnia (opcjonalnie)", dataBboxLabel: "Tylko w widoku mapy", dataSearchButton: "Szukaj",
    dataResetButton: "Wyczyść", dataFound: "Zbiory danych: {n}.", dataNothing: "Żaden zbiór danych nie pasuje.",
    dataError: "Nie udało się wczytać katalogu: {reason}", dataLicence: "Licencja", dataUpdated: "Aktualizacja",
    dataSizeLater: "rozmiar po przygotowaniu", dataDownloadLabel: "Pobierz {title} jako {format} ({size})",
    dataMetadata: "Metadane XML", dataMetadataLabel: "Metadane zbioru {title} (ISO 19139, XML)",
    dataApiLabel: "Zbiór {title} w OGC API", dataDownloadsOf: "Pobieranie: {title}",
    dataPreparing: "{file}: plik jest przygotowywany, ponowna próba za {s} s…",
    dataReady: "{file}: pobieranie rozpoczęte.", dataDownloadError: "{file}: nie udało się pobrać ({reason}).",
    dataTooLong: "plik wciąż jest przygotowywany; spróbuj później",
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
    panelButtonLabel: "Layers: show or hide the layer panel",
    layers: "Layers",
    epoch: "Orthophoto of",
    epochNote: "The other layers show the current state.",
    inApi: "data in the API",
    inApiLabel: "data in the API: the layer {layer} (OGC API)",
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
    searchLabel: "Search for an address, street, plan, tree or advertisement",
    searchPlaceholder: "Search: address, street, plan…",
    searchFound: "Found: {n}. Arrow keys choose, Enter shows.",
    searchNothing: "Nothing found for “{q}”.",
    searchError: "The search failed: {reason}",
    kind_address: "address",
    kind_street: "street",
    kind_plan: "zoning plan",
    kind_zone: "plan zone",
    kind_place: "place",
    kind_tree: "tree",
    kind_ad: "advertising carrier",
    hereButton: "What is here? (map centre)",
    reportTitle: "What is here?",
    reportLoading: "Loading…",
    reportError: "Could not load the report: {reason}",
    reportPrint: "Print view",
    unknown: "unknown",
    notAssessed: "not assessed",
    rPlace: "Place", rAddress: "Nearest address", rLat: "Latitude", rLon: "Longitude",
    rZone: "Zone", rZoning: "Zoning plan", rNoPlan: "No zoning plan covers this place.",
    rUse: "Land use", rPlan: "Plan", rPlanNumber: "Plan number", rMaxHeight: "Max. building height",
    rCoverage: "Max. building coverage", rBioActive: "Min. biologically active area",
    rIntensity: "Max. building intensity", rHeights: "Heights (LiDAR)", rDtm: "Ground (DTM)",
    rDsm: "Surface (DSM)", rEpoch: "As of", rTrees: "Trees within {r} m", rCount: "Count",
    rHealth: "Health", rNoInventory: "No tree inventory covers this place.",
    rGreen: "3-30-300 (nearest residential building)", rNoBuilding: "No residential building with a result nearby.",
    r_building_id: "Building", r_distance_m: "Distance", r_meets_3: "3 trees within 15 m",
    r_meets_30: "30% canopy around", r_meets_300: "Park within 300 m", r_meets_3_30_300: "Meets 3-30-300",
    rHeat: "Daytime air temperature (model)", rTair: "Temperature", rCarriers: "Advertising within {r} m",
    rNonCompliant: "Violating the rules", rChanges: "Changes here (within {r} m)", rSince: "Since",
    rNoData: "No data for this place.",
    change_new_building: "new building", change_raised_building: "raised building",
    change_demolished_building: "demolished building", change_lowered_building: "lowered building",
    change_canopy_lost: "tree canopy lost", change_canopy_gained: "tree canopy gained",
    change_felled_tree: "felled tree", change_health_decline: "tree health decline",
    change_terrain_change: "terrain change", change_new_ad: "new advertisement", change_removed_ad: "removed advertisement",
    // geoportal tools (issue 19): measuring, printing, epochs side by side, change filter, features list
    toolsTitle: "Tools",
    measureLengthTitle: "Measure distance", measureAreaTitle: "Measure area",
    measureHint: "Click points on the map or add the map centre (cross-hair); double-click or Enter ends.",
    measureLength: "Length: {v}", measureArea: "Area: {v}; perimeter: {p}",
    measureAreaNeeds: "Add at least 3 points.", measureAddCentre: "Add the map centre",
    measureUndo: "Undo point", measureFinish: "Finish", measureClose: "Close measuring",
    compareTitle: "Compare epochs", compareKind: "Data", compareLeft: "Left", compareRight: "Right",
    compareSlider: "Position of the divider (percent of the map width)", compareClose: "Close the comparison",
    compareMapLabel: "Epoch comparison; arrow keys pan the map",
    printTitle: "Print the map (A4)", printGo: "Print", printClose: "Close the print preview",
    printDate: "As of {d}", printLegend: "Legend", printNorth: "North arrow",
    printScale: "scale about 1:{n} on A4", printMapAlt: "Map view for printing",
    changeKinds: "Show kinds of change",
    featuresTitle: "Features in view", featuresShow: "Show the list of features", featuresHide: "Hide the list of features",
    featuresCount: "{n} features in view; Enter opens the details.",
    featuresMore: "{n} features in view, {m} shown; zoom in.",
    // indicators, trends and the PDF report (issue 19, georeport)
    reportPdf: "PDF", trendTitle: "Changes over time", trendIndicator: "Indicator:", trendCell: "cell",
    trendDistrict: "zone", trendEpoch: "As of", trendValue: "Value",
    trendNone: "no analysis results for this place",
    trendNote: "One point per survey epoch (the analysis's latest run); the vertical axis spans the indicator's whole fixed scale.",
    // "Dane / Data" page: the open-data catalogue with downloads (issue 18)
    dataLink: "Data", dataLinkLabel: "Open data: the dataset catalogue and downloads",
    dataTitle: "MSIP — open data", dataSubtitle: "Dataset catalogue: search, licences, downloads",
    dataMapLink: "Map", dataSearchLabel: "Search the catalogue", dataSearchPlaceholder: "e.g. trees, green, plan",
    dataDateLabel: "Data of the day (optional)", dataBboxLabel: "Only in the map's view", dataSearchButton: "Search",
    dataResetButton: "Clear", dataFound: "Datasets: {n}.", dataNothing: "No dataset matches.",
    dataError: "Could not load the catalogue: {reason}", dataLicence: "Licence", dataUpdated: "Updated",
    dataSizeLater: "size once prepared", dataDownloadLabel: "Download {title} as {format} ({size})",
    dataMetadata: "Metadata XML", dataMetadataLabel: "Metadata of {title} (ISO 19139, XML)",
    dataApiLabel: "{title} in the OGC API", dataDownloadsOf: "Downloads: {title}",
    dataPreparing: "{file}: the file is being prepared, trying again in {s} s…",
    dataReady: "{file}: download started.", dataDownloadError: "{file}: the download failed ({reason}).",
    dataTooLong: "the file is still being prepared; try later",
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

/** Where the chosen language is kept between visits and pages (the map and the data page share it). */
export const LANG_KEY = "msip-map-lang";

/** The language asked in the URL (?lang=pl|en), else the one chosen before, else Polish. */
export function initialLang() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (LANGS.includes(asked)) return asked;
  try {
    return localStorage.getItem(LANG_KEY) || "pl";
  } catch {
    return "pl";
  }
}

/** Switch between Polish and English and remember the choice (kept for this page only in private mode). */
export function switchLang() {
  setLang(current === "pl" ? "en" : "pl");
  try {
    localStorage.setItem(LANG_KEY, current);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  return current;
}

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
