// Context under the points: the orthophoto's map tiles (WebMercatorQuad, from this server)
// draped on a coarse terrain surface. The surface is a grid of the lowest ground-class (ASPRS 2)
// point per cell from the coarse octree levels already streamed — a DTM good to a metre or so,
// without fetching the DTM coverage. Tile corners and mesh vertices are moved into EPSG:2180 with
// proj4, so the texture lines up with the points to well under a pixel of the tile.
import * as THREE from "three";
import proj4 from "proj4";

const EPSG2180 =
  "+proj=tmerc +lat_0=0 +lon_0=19 +k=0.9993 +x_0=500000 +y_0=-5300000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs";
const toLonLat = proj4(EPSG2180, "EPSG:4326");
const GRID = 48; // cells per side of the terrain grid
const SEGMENTS = 8; // mesh segments per tile side

function tileXY(lon, lat, z) {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = THREE.MathUtils.degToRad(lat);
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return [x, y];
}

function tileLonLat(x, y, z) {
  const n = 2 ** z;
  const lon = (x / n) * 360 - 180;
  const lat = THREE.MathUtils.radToDeg(Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))));
  return [lon, lat];
}

/** Lowest ground point per cell of a GRID×GRID grid over the bounds; holes filled from neighbours. */
export function terrainGrid(nodes, bounds, origin) {
  const [x0, y0] = bounds.min;
  const w = (bounds.max[0] - x0) / GRID;
  const h = (bounds.max[1] - y0) / GRID;
  const z = new Float32Array(GRID * GRID).fill(Infinity);
  for (const p of nodes) {
    const pos = p.geometry.getAttribute("position").array;
    const { cls } = p.userData;
    for (let i = 0; i < cls.length; i++) {
      if (cls[i] !== 2) continue;
      const c = Math.min(GRID - 1, Math.floor((pos[3 * i] + origin.x - x0) / w));
      const r = Math.min(GRID - 1, Math.floor((pos[3 * i + 1] + origin.y - y0) / h));
      if (c >= 0 && r >= 0) z[r * GRID + c] = Math.min(z[r * GRID + c], pos[3 * i + 2]);
    }
  }
  const fallback = Math.min(...z.filter(Number.isFinite), 0);
  for (let pass = 0; pass < GRID && z.some((v) => !Number.isFinite(v)); pass++) {
    const prev = z.slice();
    for (let r = 0; r < GRID; r++) {
      for (let c = 0; c < GRID; c++) {
        if (Number.isFinite(prev[r * GRID + c])) continue;
        const near = [[r - 1, c], [r + 1, c], [r, c - 1], [r, c + 1]]
          .filter(([rr, cc]) => rr >= 0 && cc >= 0 && rr < GRID && cc < GRID)
          .map(([rr, cc]) => prev[rr * GRID + cc])
          .filter(Number.isFinite);
        if (near.length) z[r * GRID + c] = near.reduce((s, v) => s + v, 0) / near.length;
      }
    }
  }
  for (let i = 0; i < z.length; i++) if (!Number.isFinite(z[i])) z[i] = fallback;
  return {
    at(x, y) {
      const c = Math.min(GRID - 1, Math.max(0, Math.floor((x + origin.x - x0) / w)));
      const r = Math.min(GRID - 1, Math.max(0, Math.floor((y + origin.y - y0) / h)));
      return z[r * GRID + c] - 0.3; // a little under the ground points, so they stay visible
    },
  };
}

/** Orthophoto tiles over the bounds at zoom `zoom`, as meshes on the terrain (local coordinates). */
export function orthophotoMeshes(apiBase, bounds, origin, terrain, onLoad, zoom = 17) {
  const [w, s] = toLonLat.forward([bounds.min[0], bounds.min[1]]);
  const [e, n] = toLonLat.forward([bounds.max[0], bounds.max[1]]);
  const [xa, ya] = tileXY(Math.min(w, e), Math.max(n, s), zoom);
  const [xb, yb] = tileXY(Math.max(w, e), Math.min(n, s), zoom);
  const group = new THREE.Group();
  const loader = new THREE.TextureLoader();
  const fromLonLat = proj4("EPSG:4326", EPSG2180);
  const sampleMinMax = { x0: bounds.min[0], x1: bounds.max[0], y0: bounds.min[1], y1: bounds.max[1] };
  for (let tx = xa; tx <= xb; tx++) {
    for (let ty = ya; ty <= yb; ty++) {
      const geom = new THREE.PlaneGeometry(1, 1, SEGMENTS, SEGMENTS);
      const pos = geom.getAttribute("position");
      const uv = geom.getAttribute("uv");
      for (let i = 0; i < pos.count; i++) {
        const u = uv.getX(i);
        const v = uv.getY(i);
        const [lon, lat] = tileLonLat(tx + u, ty + 1 - v, zoom);
        let [x, y] = fromLonLat.forward([lon, lat]);
        x = Math.min(Math.max(x, sampleMinMax.x0), sampleMinMax.x1) - origin.x;
        y = Math.min(Math.max(y, sampleMinMax.y0), sampleMinMax.y1) - origin.y;
        pos.setXYZ(i, x, y, terrain.at(x, y));
      }
      pos.needsUpdate = true;
      geom.computeBoundingSphere();
      const url = `${apiBase}collections/orthophoto/tiles/WebMercatorQuad/${zoom}/${ty}/${tx}?f=png`;
      const mat = new THREE.MeshBasicMaterial({ color: 0xffffff, side: THREE.DoubleSide });
      loader.load(url, (tex) => {
        tex.colorSpace = THREE.SRGBColorSpace;
        mat.map = tex;
        mat.needsUpdate = true;
        onLoad();
      });
      group.add(new THREE.Mesh(geom, mat));
    }
  }
  return group;
}
