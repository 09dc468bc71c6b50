// The 3D point-cloud viewer at /map/3d/: one epoch's COPC file streamed by view (stream.js),
// coloured by class, height, RGB or intensity, over the orthophoto draped on the ground points,
// with a two-click measure and the geological sites' viewpoints. Exposes window.msip3d for tests.
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { LANGS, lang, setLang, t } from "../i18n.js";
import { MODES, colourPoints, pointMaterial } from "./colour.js";
import { orthophotoMeshes, terrainGrid } from "./ground.js";
import { measure, measureLine, pickPoint } from "./measure.js";
import { CopcCloud } from "./stream.js";

const API = new URL("../../", document.baseURI); // /map/3d/ → the API root
const $ = (id) => document.getElementById(id);
const canvas = $("view");
const renderer = new THREE.WebGLRenderer({ canvas, antialias: false, preserveDrawingBuffer: true });
renderer.setPixelRatio(1);
const scene = new THREE.Scene();
scene.background = new THREE.Color(0x1d2430);
const camera = new THREE.PerspectiveCamera(55, 1, 0.5, 20000);
camera.up.set(0, 0, 1);
const controls = new OrbitControls(camera, canvas);
controls.listenToKeyEvents(canvas);
controls.keyPanSpeed = 25;

const material = pointMaterial(2);
/** Draw only when something changed: software WebGL on a shared CPU must not redraw millions of points idly. */
let dirty = true;
const redraw = () => (dirty = true);
controls.addEventListener("change", redraw);
const state = { cloud: null, mode: "classification", range: { zMin: 0, zMax: 1, iMax: 1 }, ground: null,
  measuring: false, picks: [], line: null, result: null, firstViewMs: null, flights: 0, sites: [] };

function resize() {
  const { clientWidth: w, clientHeight: h } = canvas.parentElement;
  renderer.setSize(w, h, false);
  camera.aspect = w / h;
  camera.updateProjectionMatrix();
  redraw();
}

function status(text) {
  $("status").textContent = text;
}

function pointsStatus() {
  const c = state.cloud;
  if (!c) return;
  const n = c.pointsLoaded.toLocaleString(lang() === "pl" ? "pl-PL" : "en-GB");
  $("points").textContent = t("v3Points", { n, nodes: [...c.loaded.values()].filter(Boolean).length });
  canvas.dataset.pointsLoaded = String(c.pointsLoaded);
}

function loadedNodes() {
  return state.cloud ? [...state.cloud.loaded.values()].filter(Boolean) : [];
}

function onNode(key, points) {
  points.material = material;
  colourPoints(points, state.mode, state.range);
  pointsStatus();
  redraw();
  if (key === "0-0-0-0" && state.ground === null) addGround();
}

function addGround() {
  const c = state.cloud;
  const terrain = terrainGrid(loadedNodes(), c.bounds, c.origin);
  state.ground = orthophotoMeshes(API.href, c.bounds, c.origin, terrain, redraw);
  state.ground.visible = $("ortho").checked;
  scene.add(state.ground);
}

/** Look at the whole cloud from the south, 35° down. */
function homeView() {
  const c = state.cloud;
  const [dx, dy] = [c.bounds.max[0] - c.bounds.min[0], c.bounds.max[1] - c.bounds.min[1]];
  const target = new THREE.Vector3(0, 0, (c.bounds.max[2] + c.bounds.min[2]) / 2 - c.origin.z);
  const r = Math.max(dx, dy) * 1.2;
  camera.position.set(0, -r * Math.cos(0.6), target.z + r * Math.sin(0.6));
  controls.target.copy(target);
  controls.update();
}

async function openEpoch(feature) {
  if (state.cloud) scene.remove(state.cloud.group);
  if (state.ground) scene.remove(state.ground);
  state.ground = null;
  const url = new URL(feature.properties.copc_href, API).href;
  const cloud = await CopcCloud.open(url, onNode);
  state.cloud = cloud;
  const p = feature.properties;
  state.range = { zMin: p.z_min_m ?? cloud.bounds.min[2], zMax: p.z_max_m ?? cloud.bounds.max[2], iMax: 0 };
  scene.add(cloud.group);
  $("colour").querySelector('option[value="rgb"]').disabled = !cloud.hasRgb;
  if (!cloud.hasRgb && state.mode === "rgb") setMode("classification");
  homeView();
}

function setMode(mode) {
  state.mode = mode;
  $("colour").value = mode;
  for (const p of loadedNodes()) colourPoints(p, mode, state.range);
  redraw();
}

function recomputeIntensityRange() {
  let max = 1;
  for (const p of loadedNodes()) for (const v of p.userData.intensity) if (v > max) max = v;
  if (max !== state.range.iMax) {
    state.range.iMax = max;
    if (state.mode === "intensity") setMode("intensity");
  }
}

// ---- measuring -------------------------------------------------------------------------------

function toggleMeasure(on = !state.measuring) {
  state.measuring = on;
  state.picks = [];
  $("measure").setAttribute("aria-pressed", String(on));
  $("measure-result").textContent = on ? t("v3MeasureHelp") : "";
  if (state.line) scene.remove(state.line);
  state.line = null;
  redraw();
}

function pickAt(px, py) {
  const { clientWidth: w, clientHeight: h } = canvas;
  const p = pickPoint(loadedNodes(), camera, w, h, px, py, state.cloud.origin);
  if (!p) {
    $("measure-result").textContent = t("v3NoPoint");
    return;
  }
  state.picks = state.picks.length >= 2 ? [p] : [...state.picks, p];
  if (state.line) scene.remove(state.line);
  state.line = null;
  if (state.picks.length === 1) {
    $("measure-result").textContent = t("v3MeasureFirst");
    return;
  }
  const [a, b] = state.picks;
  const m = measure(a, b);
  state.result = { a, b, ...m };
  const f = (v) => v.toLocaleString(lang() === "pl" ? "pl-PL" : "en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  $("measure-result").textContent = t("v3MeasureResult", { d: f(m.distance_m), h: f(m.horizontal_m), dz: f(m.dz_m) });
  state.line = measureLine(a, b, state.cloud.origin);
  scene.add(state.line);
  redraw();
}

let down = null;
canvas.addEventListener("pointerdown", (e) => (down = [e.offsetX, e.offsetY]));
canvas.addEventListener("pointerup", (e) => {
  const still = down && Math.hypot(e.offsetX - down[0], e.offsetY - down[1]) < 4;
  if (state.measuring && still) pickAt(e.offsetX, e.offsetY);
});
canvas.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && state.measuring) pickAt(canvas.clientWidth / 2, canvas.clientHeight / 2);
  else if (e.key === "+" || e.key === "-") {
    const dir = camera.position.clone().sub(controls.target);
    camera.position.copy(controls.target).add(dir.multiplyScalar(e.key === "+" ? 0.8 : 1.25));
    controls.update();
  } else if (e.key === "Escape") toggleMeasure(false);
});

// ---- geological sites ------------------------------------------------------------------------

/** Fly to a stored viewpoint: x, y (EPSG:2180 m), z (m), heading (0 = north, clockwise), pitch (° down < 0). */
function flyTo(vp) {
  const o = state.cloud.origin;
  const to = new THREE.Vector3(vp.x - o.x, vp.y - o.y, vp.z - o.z);
  const h = THREE.MathUtils.degToRad(vp.heading_deg ?? 0);
  const p = THREE.MathUtils.degToRad(vp.pitch_deg ?? -30);
  const dir = new THREE.Vector3(Math.sin(h) * Math.cos(p), Math.cos(h) * Math.cos(p), Math.sin(p));
  const look = to.clone().add(dir.multiplyScalar(100));
  const from = camera.position.clone();
  const fromTarget = controls.target.clone();
  const start = performance.now();
  const step = () => {
    const k = Math.min((performance.now() - start) / 1200, 1);
    const e = k * k * (3 - 2 * k);
    camera.position.lerpVectors(from, to, e);
    controls.target.lerpVectors(fromTarget, look, e);
    controls.update();
    if (k < 1) requestAnimationFrame(step);
    else state.flights += 1;
  };
  requestAnimationFrame(step);
}

function renderSites() {
  const list = $("sites");
  list.replaceChildren();
  if (state.sites.length === 0) list.append(Object.assign(document.createElement("li"), { textContent: t("v3NoSites") }));
  for (const f of state.sites) {
    const li = document.createElement("li");
    const name = f.properties.name;
    const vp = (f.properties.viewpoints ?? [])[0];
    li.append(Object.assign(document.createElement("strong"), { textContent: name }));
    if (f.properties.protection) li.append(` (${f.properties.protection})`);
    const b = Object.assign(document.createElement("button"), { type: "button", textContent: t("v3View") });
    b.className = "site-view";
    b.setAttribute("aria-label", t("v3ViewLabel", { name }));
    b.disabled = !vp || !state.cloud;
    b.addEventListener("click", () => flyTo(vp));
    li.append(" ", b);
    list.append(li);
  }
}

async function loadSites() {
  try {
    const r = await fetch(new URL("collections/geosites/items?f=json&limit=100", API));
    state.sites = r.ok ? (await r.json()).features : [];
  } catch {
    state.sites = [];
  }
  renderSites();
}

// ---- page ------------------------------------------------------------------------------------

function applyLang() {
  document.title = t("v3Title");
  $("title").textContent = t("v3Title");
  $("back").textContent = t("v3Back");
  $("lang-toggle").textContent = t("langButton");
  $("lang-toggle").setAttribute("aria-label", t("langButtonLabel"));
  $("epoch-label").textContent = t("v3Epoch");
  $("colour-label").textContent = t("v3Colour");
  const names = { classification: "v3ByClass", height: "v3ByHeight", rgb: "v3ByRgb", intensity: "v3ByIntensity" };
  for (const m of MODES) $("colour").querySelector(`option[value="${m}"]`).textContent = t(names[m]);
  $("ortho-label").textContent = t("v3Ortho");
  $("measure").textContent = t("v3Measure");
  $("sites-heading").textContent = t("v3Sites");
  canvas.setAttribute("aria-label", t("v3CanvasLabel"));
  pointsStatus();
  renderSites();
}

function frame() {
  requestAnimationFrame(frame);
  if (state.cloud) {
    state.cloud.update(camera, canvas.clientHeight);
    if (state.firstViewMs === null && state.cloud.pointsLoaded > 0) state.firstViewMs = performance.now();
  }
  controls.update();
  if (!dirty) return;
  dirty = false;
  renderer.render(scene, camera);
}

async function main() {
  setLang(new URLSearchParams(location.search).get("lang") ?? "pl");
  $("lang-toggle").addEventListener("click", () => {
    setLang(LANGS[(LANGS.indexOf(lang()) + 1) % LANGS.length]);
    applyLang();
  });
  $("colour").addEventListener("change", (e) => setMode(e.target.value));
  $("ortho").addEventListener("change", (e) => {
    if (state.ground) state.ground.visible = e.target.checked;
    redraw();
  });
  $("measure").addEventListener("click", () => toggleMeasure());
  window.addEventListener("resize", resize);
  resize();
  applyLang();
  frame();
  setInterval(recomputeIntensityRange, 2000);
  const r = await fetch(new URL("collections/point_clouds/items?f=json&limit=100", API));
  const epochs = r.ok ? (await r.json()).features.filter((f) => f.properties.copc_href) : [];
  epochs.sort((a, b) => String(b.id).localeCompare(String(a.id)));
  const select = $("epoch");
  select.replaceChildren(...epochs.map((f) => new Option(String(f.id), String(f.id))));
  if (epochs.length === 0) {
    status(t("v3NoCloud"));
    return;
  }
  select.addEventListener("change", () => openEpoch(epochs.find((f) => String(f.id) === select.value)));
  await openEpoch(epochs[0]);
  await loadSites();
}

window.msip3d = {
  get pointsLoaded() {
    return state.cloud ? state.cloud.pointsLoaded : 0;
  },
  get firstViewMs() {
    return state.firstViewMs;
  },
  get flights() {
    return state.flights;
  },
  get measurement() {
    return state.result;
  },
  requests: () => (state.cloud ? { ...state.cloud.stats } : null),
  idle: () => Boolean(state.cloud && state.cloud.idle() && state.cloud.wanted(camera, canvas.clientHeight).length === 0),
  camera: () => ({ x: camera.position.x + (state.cloud?.origin.x ?? 0), y: camera.position.y + (state.cloud?.origin.y ?? 0),
    z: camera.position.z + (state.cloud?.origin.z ?? 0) }),
  /** Screen position (CSS px in the canvas) of a world point, for tests that click a known point. */
  project: (x, y, z) => {
    const o = state.cloud.origin;
    const v = new THREE.Vector3(x - o.x, y - o.y, z - o.z).project(camera);
    return [((v.x + 1) / 2) * canvas.clientWidth, ((1 - v.y) / 2) * canvas.clientHeight];
  },
  /** Up to `n` loaded points in world coordinates, spread over the loaded nodes. */
  samplePoints: (n = 1000) => {
    const o = state.cloud.origin;
    const out = [];
    for (const p of loadedNodes()) {
      const pos = p.geometry.getAttribute("position").array;
      const stride = Math.max(1, Math.floor(pos.length / 3 / n));
      for (let i = 0; i < pos.length / 3 && out.length < n; i += stride) {
        out.push([pos[3 * i] + o.x, pos[3 * i + 1] + o.y, pos[3 * i + 2] + o.z]);
      }
    }
    return out;
  },
  measureMode: (on) => toggleMeasure(on),
  /** Look (almost) straight down at world point (x, y, z) from `height_m` above it. */
  lookDown: (x, y, z, height_m) => {
    const o = state.cloud.origin;
    controls.target.set(x - o.x, y - o.y, z - o.z);
    camera.position.set(x - o.x, y - o.y - 1, z - o.z + height_m);
    controls.update();
  },
};

main().catch((e) => status(String(e)));
