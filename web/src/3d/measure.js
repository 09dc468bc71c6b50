// Picking and measuring: the point nearest to a screen position (within RADIUS_PX, the nearest
// to the camera among those), and the distance and height difference between two picked points.
import * as THREE from "three";

const RADIUS_PX = 6;

/** The loaded point nearest to (px, py) on screen, in world (EPSG:2180) coordinates, or null. */
export function pickPoint(nodes, camera, widthPx, heightPx, px, py, origin) {
  const m = new THREE.Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse);
  const e = m.elements;
  let best = null;
  let bestScore = Infinity;
  for (const p of nodes) {
    const pos = p.geometry.getAttribute("position").array;
    for (let i = 0; i < pos.length; i += 3) {
      const x = pos[i];
      const y = pos[i + 1];
      const z = pos[i + 2];
      const w = e[3] * x + e[7] * y + e[11] * z + e[15];
      if (w <= 0) continue;
      const sx = ((e[0] * x + e[4] * y + e[8] * z + e[12]) / w + 1) * 0.5 * widthPx;
      const sy = (1 - (e[1] * x + e[5] * y + e[9] * z + e[13]) / w) * 0.5 * heightPx;
      const d2 = (sx - px) ** 2 + (sy - py) ** 2;
      if (d2 > RADIUS_PX ** 2) continue;
      const score = d2 + w * 1e-3; // screen distance first, then the nearer point
      if (score < bestScore) {
        bestScore = score;
        best = [x + origin.x, y + origin.y, z + origin.z];
      }
    }
  }
  return best;
}

/** Horizontal and 3D distance and height difference (m) from a to b. */
export function measure(a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const dz = b[2] - a[2];
  return { distance_m: Math.hypot(dx, dy, dz), horizontal_m: Math.hypot(dx, dy), dz_m: dz };
}

/** A line with two markers between picked points (local coordinates). */
export function measureLine(a, b, origin) {
  const pts = [a, b].map((p) => new THREE.Vector3(p[0] - origin.x, p[1] - origin.y, p[2] - origin.z));
  const group = new THREE.Group();
  const line = new THREE.Line(
    new THREE.BufferGeometry().setFromPoints(pts),
    new THREE.LineBasicMaterial({ color: 0xffd400, depthTest: false }),
  );
  line.renderOrder = 10;
  group.add(line);
  for (const v of pts) {
    const dot = new THREE.Mesh(
      new THREE.SphereGeometry(0.6, 12, 8),
      new THREE.MeshBasicMaterial({ color: 0xff3b00, depthTest: false }),
    );
    dot.position.copy(v);
    dot.renderOrder = 11;
    group.add(dot);
  }
  return group;
}
