// The map's layers: which API collection each shows, how (raster tiles, vector tiles or GeoJSON
// items), its colours (shared by the map style and the HTML legend) and its popup fields.

import { flag, pick, rules, species, t, value, zoneSymbol, ZONE_SYMBOLS } from "./i18n.js";
import { indicatorControl } from "./trends/panel.js";
import { indicators, scaleLegend } from "./trends/scales.js";

const HEALTH = [
  { values: ["dobry", "good"], color: "#1a9641", label: { pl: "stan dobry", en: "good health" } },
  { values: ["średni", "fair"], color: "#fdae61", label: { pl: "stan średni", en: "fair health" } },
  {
    values: ["zły", "bardzo zły", "martwy", "poor", "dead"],
    color: "#d7191c",
    label: { pl: "stan zły", en: "poor health" },
  },
];
const OTHER = "#9e9e9e";

const VERDICT = [
  { values: ["compliant"], color: "#2b83ba", label: { pl: "zgodna z uchwałą", en: "compliant" } },
  { values: ["non_compliant"], color: "#e41a1c", label: { pl: "narusza uchwałę", en: "violates the rules" } },
];

/** How many of the 3-30-300 criteria a building meets → colour. */
const ACCESS = [
  { count: 3, color: "#1a9850", label: { pl: "spełnia 3-30-300", en: "meets 3-30-300" } },
  { count: 2, color: "#a6d96a", label: { pl: "spełnia 2 z 3", en: "meets 2 of 3" } },
  { count: 1, color: "#fdae61", label: { pl: "spełnia 1 z 3", en: "meets 1 of 3" } },
  { count: 0, color: "#d73027", label: { pl: "nie spełnia żadnego", en: "meets none" } },
];

const ZONE_COLORS = {
  SW: "#e6550d",
  SJ: "#fdd0a2",
  SZ: "#fdae6b",
  SU: "#de2d26",
  SH: "#a50f15",
  SP: "#756bb1",
  SR: "#c7e9c0",
  SI: "#969696",
  SN: "#31a354",
  SC: "#636363",
  SG: "#8c6d31",
  SO: "#d9f0a3",
  SK: "#bdbdbd",
};

/** A MapLibre `match` expression giving each group's colour (first value list wins). */
function matchColor(property, groups) {
  const expr = ["match", ["get", property]];
  for (const g of groups) expr.push(g.values, g.color);
  expr.push(OTHER);
  return expr;
}

const metCount = ["+", ...["meets_3", "meets_30", "meets_300"].map((p) => ["case", ["==", ["get", p], true], 1, 0])];
/** A building whose three criteria are all unknown (no data) is grey, not "meets none". */
const NO_DATA = { color: OTHER, label: { pl: "brak danych", en: "no data" } };
const allUnknown = ["all", ...["meets_3", "meets_30", "meets_300"].map((p) => ["==", ["get", p], null])];
/** "yes (detail)" / "no (detail)", or just "no data" when the result is unknown. */
const known = (f, detail) => (f === null || f === undefined ? flag(f) : `${flag(f)} (${detail})`);

const row = (label, get) => ({ label, get });

/**
 * Layer definitions, bottom to top. `kind`: raster (map tiles), mvt (vector tiles, `sourceLayer`)
 * or geojson (items of the current view, `query` added, fetched from `minzoom`).
 */
export const LAYERS = [
  {
    id: "orthophoto",
    collection: "orthophoto",
    kind: "raster",
    epochs: true,
    visible: true,
    title: { pl: "Ortofotomapa", en: "Orthophoto" },
    style: [{ type: "raster", paint: { "raster-opacity": 1 } }],
    legend: [],
  },
  {
    id: "heat",
    collection: "heat_tair",
    kind: "raster",
    visible: false,
    title: { pl: "Wyspy ciepła (temperatura powietrza)", en: "Heat islands (air temperature)" },
    style: [{ type: "raster", paint: { "raster-opacity": 0.7 } }],
    legend: "gradient",
  },
  {
    // The living-conditions grid as a choropleth of the indicator chosen in its panel entry, on
    // that indicator's fixed scale from the API (trends/panel.js sets the fill once it is known).
    id: "living",
    collection: "living_conditions",
    kind: "geojson",
    query: "&cell_size_m=100&grid_epsg=2180",
    minzoom: 12,
    visible: false,
    title: { pl: "Warunki życia (siatka 100 m)", en: "Living conditions (100 m grid)" },
    style: [
      { type: "fill", paint: { "fill-color": OTHER, "fill-opacity": 0.65 } },
      { type: "line", paint: { "line-color": "#ffffff", "line-width": 1 } },
    ],
    legend: () => (indicators.all[indicators.current] ? scaleLegend(indicators.all[indicators.current]) : []),
    control: indicatorControl,
    popup: {
      title: { pl: "Oczko siatki", en: "Grid cell" },
      rows: [
        row({ pl: "Oczko", en: "Cell" }, (p) => p.cell_code),
        row({ pl: "Mieszkańcy", en: "Residents" }, (p) => value(p.population)),
        row({ pl: "Pokrycie koronami", en: "Tree canopy" }, (p) => value(p.canopy_pct, "%")),
        row({ pl: "Powierzchnia biologicznie czynna", en: "Biologically active" }, (p) => value(p.bio_active_pct, "%")),
        row({ pl: "Powierzchnia zabudowy", en: "Building coverage" }, (p) => value(p.built_pct, "%")),
        row({ pl: "Mieszkańcy spełniający 3-30-300", en: "Residents meeting 3-30-300" }, (p) => value(p.pct_3_30_300, "%")),
        row({ pl: "Drzewa na 100 mieszkańców", en: "Trees per 100 residents" }, (p) => value(p.trees_per_100_residents)),
        row({ pl: "Stan na dzień", en: "As of" }, (p) => p.epoch),
      ],
    },
  },
  {
    // terrain change: DoD map tiles show only cells above the level of detection (red cut, blue fill)
    id: "terrain-change",
    collection: "terrain_dod",
    kind: "raster",
    visible: false,
    title: { pl: "Zmiany terenu (powyżej progu wykrywalności)", en: "Terrain change (above the level of detection)" },
    style: [{ type: "raster", paint: { "raster-opacity": 0.8 } }],
    legend: "gradient",
  },
  {
    id: "zoning",
    collection: "zoning_zones",
    kind: "mvt",
    sourceLayer: "zoning_zone_current",
    visible: false,
    title: { pl: "Strefy planistyczne", en: "Planning zones" },
    style: [
      {
        type: "fill",
        paint: {
          "fill-color": ["match", ["get", "symbol"], ...Object.entries(ZONE_COLORS).flat(), OTHER],
          "fill-opacity": 0.35,
        },
      },
      { type: "line", paint: { "line-color": "#3a3a3a", "line-width": 1.5 } },
    ],
    legend: () =>
      Object.keys(ZONE_COLORS).map((s) => ({ color: ZONE_COLORS[s], label: `${s} — ${pick(ZONE_SYMBOLS[s])}` })),
    popup: {
      title: { pl: "Strefa planistyczna", en: "Planning zone" },
      rows: [
        row({ pl: "Oznaczenie", en: "Designation" }, (p) => p.designation),
        row({ pl: "Przeznaczenie", en: "Land use" }, (p) => zoneSymbol(p.symbol)),
        row({ pl: "Maks. wysokość zabudowy", en: "Max. building height" }, (p) => value(p.max_height_m, "m")),
        row({ pl: "Maks. powierzchnia zabudowy", en: "Max. building coverage" }, (p) =>
          value(p.max_building_coverage_pct, "%"),
        ),
        row({ pl: "Maks. intensywność zabudowy", en: "Max. building intensity" }, (p) =>
          value(p.max_above_ground_intensity),
        ),
        row({ pl: "Min. powierzchnia biologicznie czynna", en: "Min. biologically active area" }, (p) =>
          value(p.min_biologically_active_pct, "%"),
        ),
        row({ pl: "Plan", en: "Plan" }, (p) => p.plan_title),
      ],
    },
  },
  {
    id: "green",
    collection: "green_spaces",
    kind: "geojson",
    minzoom: 12,
    visible: true,
    title: { pl: "Tereny zieleni", en: "Green spaces" },
    style: [
      { type: "fill", paint: { "fill-color": "#4daf4a", "fill-opacity": 0.3 } },
      { type: "line", paint: { "line-color": "#00441b", "line-width": 2 } },
    ],
    legend: [{ color: "#4daf4a", label: { pl: "park, skwer, zieleniec", en: "park, square, green patch" } }],
    popup: {
      title: { pl: "Teren zieleni", en: "Green space" },
      rows: [
        row({ pl: "Nazwa", en: "Name" }, (p) => p.name),
        row({ pl: "Rodzaj", en: "Kind" }, (p) => value(p.kind)),
        row({ pl: "Dostępny publicznie", en: "Open to the public" }, (p) => value(p.public_access)),
        row({ pl: "Powierzchnia", en: "Area" }, (p) => value(p.area_m2 / 10000, "ha")),
      ],
    },
  },
  {
    id: "buildings",
    collection: "greenspace_access",
    kind: "geojson",
    query: "&is_current=true",
    minzoom: 14,
    visible: false,
    title: { pl: "Budynki: zieleń 3-30-300", en: "Buildings: 3-30-300 green rule" },
    style: [
      {
        type: "fill",
        paint: {
          "fill-color": ["case", allUnknown, NO_DATA.color,
            ["match", metCount, ...ACCESS.flatMap((a) => [a.count, a.color]), OTHER]],
          "fill-opacity": 0.75,
        },
      },
      { type: "line", paint: { "line-color": "#252525", "line-width": 1 } },
    ],
    legend: [...ACCESS, NO_DATA],
    popup: {
      title: { pl: "Budynek", en: "Building" },
      rows: [
        row({ pl: "Budynek", en: "Building" }, (p) => p.building_id),
        row({ pl: "Mieszkańcy", en: "Residents" }, (p) => value(p.population)),
        row({ pl: "3 drzewa w pobliżu (15 m)", en: "3 trees nearby (15 m)" }, (p) =>
          known(p.meets_3, value(p.trees_15m)),
        ),
        row({ pl: "30% koron drzew w okolicy", en: "30% tree canopy around" }, (p) =>
          known(p.meets_30, value(p.canopy_pct, "%")),
        ),
        row({ pl: "Park w zasięgu 300 m", en: "Park within 300 m" }, (p) =>
          known(p.meets_300, value(p.park_distance_m, "m")),
        ),
        row({ pl: "Spełnia 3-30-300", en: "Meets 3-30-300" }, (p) => flag(p.meets_3_30_300)),
      ],
    },
  },
  {
    id: "trees",
    collection: "trees",
    kind: "mvt",
    sourceLayer: "tree_current",
    visible: true,
    title: { pl: "Drzewa (stan zdrowotny)", en: "Trees (health)" },
    style: [
      {
        type: "circle",
        paint: {
          "circle-color": matchColor("health", HEALTH),
          "circle-radius": ["interpolate", ["linear"], ["zoom"], 14, 2, 17, 5, 20, 11],
          "circle-stroke-color": "#ffffff",
          "circle-stroke-width": 1,
        },
      },
    ],
    legend: HEALTH,
    popup: {
      title: { pl: "Drzewo", en: "Tree" },
      rows: [
        row({ pl: "Gatunek", en: "Species" }, (p) => species(p)),
        row({ pl: "Wysokość", en: "Height" }, (p) => value(p.height_m, "m")),
        row({ pl: "Obwód pnia", en: "Trunk circumference" }, (p) => value(p.trunk_circumference_cm, "cm")),
        row({ pl: "Średnica korony", en: "Crown diameter" }, (p) => value(p.crown_diameter_m, "m")),
        row({ pl: "Stan zdrowotny", en: "Health" }, (p) => value(p.health)),
        row({ pl: "Nr w inwentaryzacji", en: "Inventory number" }, (p) => p.source_id),
        row({ pl: "Stan na dzień", en: "Surveyed on" }, (p) => p.valid_from),
      ],
    },
  },
  {
    id: "ads",
    collection: "ad_compliance",
    kind: "geojson",
    minzoom: 12,
    visible: true,
    title: { pl: "Reklamy: zgodność z uchwałą krajobrazową", en: "Advertising: landscape-rule compliance" },
    style: [
      {
        type: "circle",
        paint: {
          "circle-color": matchColor("verdict", VERDICT),
          "circle-radius": ["interpolate", ["linear"], ["zoom"], 14, 4, 18, 8],
          "circle-stroke-color": "#000000",
          "circle-stroke-width": 2,
        },
      },
    ],
    legend: VERDICT,
    popup: {
      title: { pl: "Nośnik reklamowy", en: "Advertising carrier" },
      rows: [
        row({ pl: "Nr w rejestrze", en: "Register number" }, (p) => p.source_id),
        row({ pl: "Rodzaj", en: "Type" }, (p) => `${value(p.carrier_type)}, ${value(p.mounting)}`),
        row({ pl: "Strefa uchwały", en: "Landscape zone" }, (p) => p.zone_code),
        row({ pl: "Ocena", en: "Verdict" }, (p) => value(p.verdict)),
        row({ pl: "Naruszenia", en: "Violations" }, (p) => rules(p.violated_rules)),
        row({ pl: "Oceniono na dzień", en: "Assessed on" }, (p) => p.assessed_epoch),
      ],
    },
  },
];

// ---- change events (geoportal tools, issue 19) -------------------------------------------

/** Change kinds (the `type` of msip.change_event) → colour; the label comes from i18n (change_<type>). */
const CHANGE_AREA_KINDS = [
  ["new_building", "#d7191c"], ["raised_building", "#fdae61"], ["demolished_building", "#2c7bb6"],
  ["lowered_building", "#abd9e9"], ["canopy_lost", "#a6611a"], ["canopy_gained", "#1a9641"],
  ["terrain_change", "#7b3294"],
];
const CHANGE_POINT_KINDS = [
  ["felled_tree", "#a6611a"], ["health_decline", "#dfc27d"], ["new_ad", "#d01c8b"], ["removed_ad", "#4dac26"],
];
const changeColor = (kinds) => ["match", ["get", "type"], ...kinds.flat(), OTHER];
const changeLegend = (kinds) => () => kinds.map(([k, color]) => ({ color, label: t(`change_${k}`), value: k }));
const changeRows = [
  row({ pl: "Rodzaj zmiany", en: "Kind of change" }, (p) => t(`change_${p.type}`)),
  row({ pl: "Od", en: "From" }, (p) => p.epoch_from),
  row({ pl: "Do", en: "To" }, (p) => p.epoch_to),
  row({ pl: "Powierzchnia", en: "Area" }, (p) => value(p.area_m2, "m²")),
  row({ pl: "Zmiana wysokości", en: "Height change" }, (p) => value(p.height_change_m, "m")),
  row({ pl: "Obiekt", en: "Object" }, (p) => p.object_id),
];

/** The change-events layers: areas and points apart (one geometry type per collection), filtered by kind. */
export const CHANGE_LAYERS = [
  {
    id: "changes-areas",
    collection: "change_events_areas",
    kind: "geojson",
    minzoom: 12,
    visible: false,
    title: { pl: "Zmiany między epokami — obszary", en: "Changes between epochs — areas" },
    style: [
      { type: "fill", paint: { "fill-color": changeColor(CHANGE_AREA_KINDS), "fill-opacity": 0.45 } },
      { type: "line", paint: { "line-color": changeColor(CHANGE_AREA_KINDS), "line-width": 2 } },
    ],
    legend: changeLegend(CHANGE_AREA_KINDS),
    filterBy: "type",
    popup: { title: { pl: "Zmiana (obszar)", en: "Change (area)" }, rows: changeRows },
  },
  {
    id: "changes-points",
    collection: "change_events_points",
    kind: "geojson",
    minzoom: 12,
    visible: false,
    title: { pl: "Zmiany między epokami — punkty", en: "Changes between epochs — points" },
    style: [
      {
        type: "circle",
        paint: {
          "circle-color": changeColor(CHANGE_POINT_KINDS),
          "circle-radius": ["interpolate", ["linear"], ["zoom"], 14, 4, 18, 8],
          "circle-stroke-color": "#ffffff",
          "circle-stroke-width": 2,
        },
      },
    ],
    legend: changeLegend(CHANGE_POINT_KINDS),
    filterBy: "type",
    popup: { title: { pl: "Zmiana (punkt)", en: "Change (point)" }, rows: changeRows },
  },
];
LAYERS.push(...CHANGE_LAYERS);

/** The legend entries of a layer as [{color, label}] in the current language. */
export function legendEntries(layer) {
  const entries = typeof layer.legend === "function" ? layer.legend() : layer.legend;
  if (!Array.isArray(entries)) return [];
  return entries.map((e) => ({ color: e.color, label: pick(e.label), value: e.value }));
}
