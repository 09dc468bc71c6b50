// "Co tu jest? / What is here?": the side panel showing the API's /report for a point or an
// address. Every value element carries data-key (its path in the report JSON) and data-value
// (the JSON value), like the server's print view, so what the panel shows can be checked
// against the API. A null is "unknown", never 0.

import { lang, rules, t, value as plain } from "./i18n.js";

const UNITS = [["_m", "m"], ["_pct", "%"], ["_c", "°C"]];

function lookup(doc, path) {
  return path.split(".").reduce((v, part) => (v == null ? v : v[part]), doc);
}

function shown(v, key) {
  if (v === null || v === undefined) return t("unknown");
  if (typeof v === "boolean") return t(v ? "yes" : "no");
  if (typeof v === "number") {
    const unit = UNITS.find(([suffix]) => key.endsWith(suffix))?.[1] ?? "";
    const text = v.toLocaleString(lang() === "pl" ? "pl-PL" : "en-GB", { maximumFractionDigits: 7, useGrouping: false });
    return unit ? `${text} ${unit}` : text;
  }
  if (key.endsWith("verdict")) return plain(v === "not_assessed" ? t("notAssessed") : v);
  return plain(v);
}

function node(tag, attrs = {}, text = null) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== null) el.textContent = text;
  return el;
}

/** A <dt>/<dd> pair for the value at `key` of `report`, labelled `label`. */
function row(report, key, label) {
  const v = lookup(report, key);
  const dd = node("dd", { "data-key": key, "data-value": JSON.stringify(v ?? null) }, shown(v, key));
  return [node("dt", {}, label), dd];
}

function section(title, note, ...rows) {
  const box = node("section", { class: "report-section" });
  box.append(node("h3", {}, title));
  if (note) box.append(node("p", { class: "note" }, note));
  if (rows.length) {
    const dl = node("dl");
    dl.append(...rows.flat());
    box.append(dl);
  }
  return box;
}

/** The report as panel content (a list of <section>s) in the current language. */
export function reportContent(rep) {
  const out = [];
  const loc = rep.location;
  out.push(section(t("rPlace"), null,
    ...(loc.address ? [row(rep, "location.address.label", t("rAddress"))] : []),
    row(rep, "location.lat", t("rLat")), row(rep, "location.lon", t("rLon"))));
  const zones = rep.zoning.zones.map((z, i) => {
    const base = `zoning.zones.${i}`;
    return section(`${t("rZone")} ${z.designation ?? ""}`, null,
      row(rep, `${base}.name`, t("rUse")),
      ...(z.plan ? [row(rep, `${base}.plan.title`, t("rPlan")), row(rep, `${base}.plan.number`, t("rPlanNumber"))] : []),
      row(rep, `${base}.max_height_m`, t("rMaxHeight")),
      row(rep, `${base}.max_building_coverage_pct`, t("rCoverage")),
      row(rep, `${base}.min_biologically_active_pct`, t("rBioActive")),
      row(rep, `${base}.max_above_ground_intensity`, t("rIntensity")));
  });
  out.push(...(zones.length ? zones : [section(t("rZoning"), t("rNoPlan"))]));
  out.push(section(t("rHeights"), rep.heights.note && t("rNoData"),
    row(rep, "heights.dtm_m", t("rDtm")), row(rep, "heights.dsm_m", t("rDsm")), row(rep, "heights.epoch", t("rEpoch"))));
  const tr = rep.trees;
  out.push(section(t("rTrees", { r: tr.radius_m }), tr.note && t("rNoInventory"),
    row(rep, "trees.count", t("rCount")),
    ...tr.species.map((s, i) => row(rep, `trees.species.${i}.count`, s.species ?? s.species_latin ?? t("unknown"))),
    ...tr.health.map((h, i) => row(rep, `trees.health.${i}.count`, `${t("rHealth")}: ${plain(h.health ?? null)}`))));
  const g = rep.green_rule;
  out.push(section(t("rGreen"), g.note && t("rNoBuilding"),
    ...(g.building_id ? ["building_id", "distance_m", "meets_3", "meets_30", "meets_300", "meets_3_30_300"]
      .map((k) => row(rep, `green_rule.${k}`, t(`r_${k}`))) : [])));
  out.push(section(t("rHeat"), rep.air_temperature.note && t("rNoData"),
    row(rep, "air_temperature.t_air_c", t("rTair")), row(rep, "air_temperature.epoch", t("rEpoch"))));
  const c = rep.carriers;
  out.push(section(t("rCarriers", { r: c.radius_m }), c.note && t("rNoData"),
    row(rep, "carriers.count", t("rCount")), row(rep, "carriers.non_compliant", t("rNonCompliant")),
    ...c.items.map((item, i) => row(rep, `carriers.items.${i}.verdict`,
      `${item.source_id}${item.violated_rules.length ? ` (${rules(item.violated_rules)})` : ""}`))));
  const ch = rep.changes;
  out.push(section(t("rChanges", { r: ch.radius_m }), ch.note && t("rNoData"),
    row(rep, "changes.since", t("rSince")), row(rep, "changes.count", t("rCount")),
    ...ch.items.map((ev, i) => row(rep, `changes.items.${i}.epoch_to`, t(`change_${ev.type}`)))));
  return out;
}

/** The report's query string for a selection: `pt:lon,lat` or `address:id`. */
export function reportQuery(sel) {
  if (sel.startsWith("address:")) return `address=${encodeURIComponent(sel.slice(8))}`;
  const [lon, lat] = sel.slice(3).split(",");
  return `lon=${lon}&lat=${lat}`;
}

/**
 * The side panel: `open(sel)` fetches and shows the report of a selection, marks the place on
 * the map and calls `onChange(sel)` (for the permalink); `close()` hides it.
 */
export class ReportPanel {
  constructor({ map, apiUrl, onChange }) {
    this.map = map;
    this.apiUrl = apiUrl;
    this.onChange = onChange;
    this.sel = null;
    this.report = null;
    this.pending = 0;
    this.marker = null;
    this.aside = document.getElementById("report");
    document.getElementById("report-close").addEventListener("click", () => this.close());
    this.aside.addEventListener("keydown", (e) => e.key === "Escape" && this.close());
  }

  async open(sel, { focus = true } = {}) {
    this.sel = sel;
    this.onChange(sel);
    this.aside.hidden = false;
    document.body.classList.add("report-open");
    const status = document.getElementById("report-status");
    status.textContent = t("reportLoading");
    this.pending += 1;
    try {
      const resp = await fetch(this.apiUrl(`report?${reportQuery(sel)}`), { headers: { Accept: "application/json" } });
      const body = await resp.json();
      if (!resp.ok) throw new Error(body.description || `HTTP ${resp.status}`);
      if (this.sel !== sel) return; // a newer selection is on its way
      this.report = body;
      status.textContent = "";
      this.render();
      this.mark([body.location.lon, body.location.lat]);
      if (focus) document.getElementById("report-heading").focus();
    } catch (err) {
      status.textContent = t("reportError", { reason: err.message });
    } finally {
      this.pending -= 1;
    }
  }

  render() {
    if (!this.report) return;
    document.getElementById("report-heading").textContent = t("reportTitle");
    document.getElementById("report-body").replaceChildren(...reportContent(this.report));
    const print = document.getElementById("report-print");
    print.textContent = t("reportPrint");
    print.href = this.apiUrl(`report?${reportQuery(this.sel)}&f=html&lang=${lang()}`);
    document.getElementById("report-close").setAttribute("aria-label", t("close"));
  }

  mark(lonLat) {
    /* global maplibregl */
    if (!this.marker) {
      const dot = document.createElement("div");
      dot.className = "here-marker";
      dot.setAttribute("aria-hidden", "true");
      this.marker = new maplibregl.Marker({ element: dot });
    }
    this.marker.setLngLat(lonLat).addTo(this.map);
  }

  close() {
    this.sel = null;
    this.report = null;
    this.aside.hidden = true;
    document.body.classList.remove("report-open");
    this.marker?.remove();
    this.onChange(null);
  }
}
