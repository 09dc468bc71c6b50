// The permalink: the URL's hash holds the view, the layers shown, the orthophoto epoch and the
// selected place ("what is here" at a point or an address), so a copied link opens the same map.
// Format: #map=<zoom>/<lat>/<lon>&layers=<id>,<id>&epoch=<YYYY-MM-DD>&sel=<pt:lon,lat | address:id>

const SEL = /^(pt:-?\d+(\.\d+)?,-?\d+(\.\d+)?|address:\d+)$/;

/** The state a permalink holds ({} members only for what it names and what is well formed). */
export function readPermalink(hash = location.hash) {
  const out = {};
  for (const part of hash.replace(/^#/, "").split("&")) {
    const [key, raw = ""] = part.split("=");
    const val = decodeURIComponent(raw);
    if (key === "map") {
      const [zoom, lat, lon] = val.split("/").map(Number);
      if ([zoom, lat, lon].every(Number.isFinite) && Math.abs(lat) <= 85 && Math.abs(lon) <= 180) {
        out.view = { zoom, center: [lon, lat] };
      }
    } else if (key === "layers") out.layers = val.split(",").filter(Boolean);
    else if (key === "epoch" && /^\d{4}-\d{2}-\d{2}$/.test(val)) out.epoch = val;
    else if (key === "sel" && SEL.test(val)) out.sel = val;
  }
  return out;
}

/** The hash for a map state: {zoom, center: {lng, lat}, layers: [ids], epoch, sel}. */
export function permalinkHash({ zoom, center, layers, epoch, sel }) {
  const parts = [`map=${zoom.toFixed(2)}/${center.lat.toFixed(6)}/${center.lng.toFixed(6)}`, `layers=${layers.join(",")}`];
  if (epoch) parts.push(`epoch=${epoch}`);
  if (sel) parts.push(`sel=${sel}`);
  return `#${parts.join("&")}`;
}
