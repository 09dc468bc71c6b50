// Streams one COPC file into three.js: the header and hierarchy pages first, then octree nodes
// chosen by the view — a node is wanted when its parent is loaded, its cube is in the camera's
// frustum and its point spacing would cover more than MIN_PIXELS on screen; nearer and coarser
// nodes first, at most MAX_REQUESTS at once and POINT_BUDGET points in all. The whole file is
// never fetched: every read is an HTTP Range request for one node's compressed bytes.
import * as THREE from "three";
import { Copc } from "copc";
import { createLazPerf } from "laz-perf";

const MIN_PIXELS = 1.5;
const MAX_REQUESTS = 4;
const POINT_BUDGET = 2_000_000;
const DIMENSIONS = ["X", "Y", "Z", "Classification", "Intensity", "Red", "Green", "Blue"];

let lazPerfPromise = null;

/** laz-perf's decoder, its .wasm fetched from next to the page (the CSP allows only 'self'). */
function lazPerf() {
  lazPerfPromise ??= createLazPerf({ locateFile: (name) => new URL(name, document.baseURI).href });
  return lazPerfPromise;
}

/** A Range getter over `url` that counts the bytes it fetched (copc.js asks [begin, end)). */
function rangeGetter(url, stats) {
  return async (begin, end) => {
    const r = await fetch(url, { headers: { Range: `bytes=${begin}-${end - 1}` } });
    if (r.status !== 206 && r.status !== 200) throw new Error(`HTTP ${r.status} for ${url}`);
    const buf = new Uint8Array(await r.arrayBuffer());
    stats.bytes += buf.byteLength;
    stats.requests += 1;
    return r.status === 200 ? buf.subarray(begin, end) : buf;
  };
}

function parseKey(key) {
  const [d, x, y, z] = key.split("-").map(Number);
  return { d, x, y, z };
}

export class CopcCloud {
  /** Open `url` (header, info and root hierarchy page); `origin` is subtracted from every coordinate. */
  static async open(url, onNode) {
    const stats = { bytes: 0, requests: 0 };
    const getter = rangeGetter(url, stats);
    const copc = await Copc.create(getter);
    const root = await Copc.loadHierarchyPage(getter, copc.info.rootHierarchyPage);
    return new CopcCloud(url, getter, copc, root, stats, onNode);
  }

  constructor(url, getter, copc, root, stats, onNode) {
    this.url = url;
    this.getter = getter;
    this.copc = copc;
    this.stats = stats;
    this.onNode = onNode;
    this.nodes = { ...root.nodes };
    this.pages = { ...root.pages };
    this.loading = new Set();
    this.loaded = new Map(); // key → THREE.Points
    this.failed = new Set();
    this.pointsLoaded = 0;
    const [x0, y0, z0, x1, y1, z1] = copc.info.cube;
    this.cube = { x0, y0, z0, size: x1 - x0 };
    const b = copc.header;
    this.bounds = { min: b.min, max: b.max };
    this.origin = new THREE.Vector3((b.min[0] + b.max[0]) / 2, (b.min[1] + b.max[1]) / 2, b.min[2]);
    this.group = new THREE.Group();
    this.hasRgb = [2, 3, 5, 7, 8, 10].includes(b.pointDataRecordFormat);
    this.totalPoints = b.pointCount;
  }

  /** The node's cube in local (origin-relative) coordinates. */
  nodeBox(key) {
    const { d, x, y, z } = parseKey(key);
    const s = this.cube.size / 2 ** d;
    const min = new THREE.Vector3(this.cube.x0 + x * s, this.cube.y0 + y * s, this.cube.z0 + z * s).sub(this.origin);
    return new THREE.Box3(min, min.clone().addScalar(s));
  }

  parentKey(key) {
    const { d, x, y, z } = parseKey(key);
    return d === 0 ? null : `${d - 1}-${x >> 1}-${y >> 1}-${z >> 1}`;
  }

  /** Nodes the view wants next, most needed first (larger on screen = more needed). */
  wanted(camera, heightPx) {
    const frustum = new THREE.Frustum().setFromProjectionMatrix(
      new THREE.Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse),
    );
    const scale = heightPx / (2 * Math.tan(THREE.MathUtils.degToRad(camera.fov) / 2));
    const out = [];
    for (const key of [...Object.keys(this.nodes), ...Object.keys(this.pages)]) {
      if (this.loaded.has(key) || this.loading.has(key) || this.failed.has(key)) continue;
      const parent = this.parentKey(key);
      if (parent && !this.loaded.has(parent)) continue;
      const box = this.nodeBox(key);
      if (!frustum.intersectsBox(box)) continue;
      const dist = Math.max(box.distanceToPoint(camera.position), 1);
      const spacing = this.copc.info.spacing / 2 ** parseKey(key).d;
      const px = (spacing / dist) * scale;
      if (parent && px < MIN_PIXELS) continue;
      out.push({ key, px });
    }
    return out.sort((a, b) => b.px - a.px);
  }

  /** Start loads for the view; resolves nothing — nodes arrive through onNode. */
  update(camera, heightPx) {
    if (this.pointsLoaded >= POINT_BUDGET) return;
    for (const { key } of this.wanted(camera, heightPx)) {
      if (this.loading.size >= MAX_REQUESTS) break;
      if (this.pages[key] && !this.nodes[key]) this.loadPage(key);
      else this.loadNode(key);
    }
  }

  idle() {
    return this.loading.size === 0;
  }

  async loadPage(key) {
    this.loading.add(key);
    try {
      const sub = await Copc.loadHierarchyPage(this.getter, this.pages[key]);
      Object.assign(this.nodes, sub.nodes);
      for (const [k, p] of Object.entries(sub.pages)) if (!this.nodes[k]) this.pages[k] = p;
      delete this.pages[key];
    } catch (e) {
      this.failed.add(key);
      console.warn(`hierarchy page ${key}: ${e}`);
    } finally {
      this.loading.delete(key);
    }
  }

  async loadNode(key) {
    const node = this.nodes[key];
    this.loading.add(key);
    try {
      if (node.pointCount === 0) {
        this.loaded.set(key, null);
        return;
      }
      const include = DIMENSIONS.filter((d) => this.hasRgb || !["Red", "Green", "Blue"].includes(d));
      const view = await Copc.loadPointDataView(this.getter, this.copc, node, { lazPerf: await lazPerf(), include });
      const points = this.toPoints(view);
      this.loaded.set(key, points);
      this.group.add(points);
      this.pointsLoaded += view.pointCount;
      this.onNode(key, points);
    } catch (e) {
      this.failed.add(key);
      console.warn(`octree node ${key}: ${e}`);
    } finally {
      this.loading.delete(key);
    }
  }

  /** One node as THREE.Points with the raw attributes kept for recolouring and picking. */
  toPoints(view) {
    const n = view.pointCount;
    const get = Object.fromEntries(include(view).map((d) => [d, view.getter(d)]));
    const pos = new Float32Array(n * 3);
    const attrs = { z: new Float32Array(n), cls: new Uint8Array(n), intensity: new Uint16Array(n) };
    if (get.Red) attrs.rgb = new Uint16Array(n * 3);
    const [ox, oy, oz] = [this.origin.x, this.origin.y, this.origin.z];
    for (let i = 0; i < n; i++) {
      const z = get.Z(i);
      pos[3 * i] = get.X(i) - ox;
      pos[3 * i + 1] = get.Y(i) - oy;
      pos[3 * i + 2] = z - oz;
      attrs.z[i] = z;
      attrs.cls[i] = get.Classification(i);
      attrs.intensity[i] = get.Intensity(i);
      if (attrs.rgb) {
        attrs.rgb[3 * i] = get.Red(i);
        attrs.rgb[3 * i + 1] = get.Green(i);
        attrs.rgb[3 * i + 2] = get.Blue(i);
      }
    }
    const geom = new THREE.BufferGeometry();
    geom.setAttribute("position", new THREE.BufferAttribute(pos, 3));
    geom.setAttribute("color", new THREE.BufferAttribute(new Float32Array(n * 3), 3));
    geom.computeBoundingSphere();
    const points = new THREE.Points(geom, null);
    points.userData = attrs;
    return points;
  }
}

function include(view) {
  return DIMENSIONS.filter((d) => d in view.dimensions);
}
