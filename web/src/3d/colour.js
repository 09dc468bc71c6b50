// Point colours by ASPRS class, height (a ramp over the cloud's Z range), RGB or intensity,
// written into each node's `color` attribute from the raw values kept in its userData.
import * as THREE from "three";

export const MODES = ["classification", "height", "rgb", "intensity"];

/** ASPRS LAS 1.4 classes as 0–1 RGB (unknown classes grey). */
const CLASS_RGB = {
  1: [0.62, 0.62, 0.62], // unclassified
  2: [0.65, 0.5, 0.32], // ground
  3: [0.62, 0.85, 0.45], // low vegetation
  4: [0.3, 0.7, 0.25], // medium vegetation
  5: [0.1, 0.45, 0.12], // high vegetation
  6: [0.85, 0.3, 0.25], // building
  7: [1.0, 0.0, 1.0], // low noise
  9: [0.2, 0.45, 0.95], // water
  17: [0.95, 0.8, 0.2], // bridge deck
  18: [1.0, 0.0, 1.0], // high noise
};

/** Viridis-like ramp stops for height and intensity. */
const RAMP = [
  [0.27, 0.0, 0.33],
  [0.23, 0.32, 0.55],
  [0.13, 0.57, 0.55],
  [0.37, 0.79, 0.38],
  [0.99, 0.91, 0.14],
];

function ramp(t, out, o) {
  const x = Math.min(Math.max(t, 0), 1) * (RAMP.length - 1);
  const i = Math.min(Math.floor(x), RAMP.length - 2);
  const f = x - i;
  for (let c = 0; c < 3; c++) out[o + c] = RAMP[i][c] * (1 - f) + RAMP[i + 1][c] * f;
}

/** Colour one node's points for `mode`; `range` is {zMin, zMax, iMax} of the whole cloud. */
export function colourPoints(points, mode, range) {
  const a = points.userData;
  const col = points.geometry.getAttribute("color");
  const out = col.array;
  const n = a.z.length;
  const rgbScale = a.rgb && a.rgb.some((v) => v > 255) ? 65535 : 255;
  for (let i = 0; i < n; i++) {
    const o = 3 * i;
    if (mode === "rgb" && a.rgb) {
      out[o] = a.rgb[o] / rgbScale;
      out[o + 1] = a.rgb[o + 1] / rgbScale;
      out[o + 2] = a.rgb[o + 2] / rgbScale;
    } else if (mode === "height") {
      ramp((a.z[i] - range.zMin) / Math.max(range.zMax - range.zMin, 1e-6), out, o);
    } else if (mode === "intensity") {
      const g = Math.sqrt(a.intensity[i] / Math.max(range.iMax, 1));
      out[o] = out[o + 1] = out[o + 2] = 0.1 + 0.9 * g;
    } else {
      const c = CLASS_RGB[a.cls[i]] ?? [0.5, 0.5, 0.5];
      out[o] = c[0];
      out[o + 1] = c[1];
      out[o + 2] = c[2];
    }
  }
  col.needsUpdate = true;
}

/** One shared material: vertex colours, a fixed size in pixels (readable at any distance). */
export function pointMaterial(sizePx = 2) {
  return new THREE.PointsMaterial({ size: sizePx, sizeAttenuation: false, vertexColors: true });
}
