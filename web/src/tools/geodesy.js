// Lengths and areas on the GRS80 ellipsoid (the one EPSG:2180 and ETRS89 use), so measured values
// are true ground distances, not the few-tenths-of-a-per-mille-scaled lengths of a projected plane.
// Lengths: Vincenty's inverse formula (sub-millimetre at city scale). Areas: the polygon in a
// sinusoidal (equal-area) plane with the ellipsoid's meridian and prime-vertical radii at its
// centroid, accurate to well under 0.1 % for city-sized polygons.

const A_M = 6378137.0;
const F = 1 / 298.257222101;
const B_M = A_M * (1 - F);
const E2 = F * (2 - F);
const RAD = Math.PI / 180;

/** The geodesic distance [m] between two [lon, lat] points (degrees). */
export function geodesicLengthM([lon1, lat1], [lon2, lat2]) {
  const L = (lon2 - lon1) * RAD;
  const U1 = Math.atan((1 - F) * Math.tan(lat1 * RAD));
  const U2 = Math.atan((1 - F) * Math.tan(lat2 * RAD));
  const [sinU1, cosU1, sinU2, cosU2] = [Math.sin(U1), Math.cos(U1), Math.sin(U2), Math.cos(U2)];
  let lambda = L;
  let sinSigma = 0, cosSigma = 1, sigma = 0, cos2Alpha = 1, cos2SigmaM = 0;
  for (let i = 0; i < 200; i += 1) {
    const sinL = Math.sin(lambda), cosL = Math.cos(lambda);
    sinSigma = Math.hypot(cosU2 * sinL, cosU1 * sinU2 - sinU1 * cosU2 * cosL);
    if (sinSigma === 0) return 0; // the same point
    cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
    sigma = Math.atan2(sinSigma, cosSigma);
    const sinAlpha = (cosU1 * cosU2 * sinL) / sinSigma;
    cos2Alpha = 1 - sinAlpha * sinAlpha;
    cos2SigmaM = cos2Alpha ? cosSigma - (2 * sinU1 * sinU2) / cos2Alpha : 0;
    const C = (F / 16) * cos2Alpha * (4 + F * (4 - 3 * cos2Alpha));
    const prev = lambda;
    lambda = L + (1 - C) * F * sinAlpha * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM ** 2)));
    if (Math.abs(lambda - prev) < 1e-12) break;
  }
  const u2 = (cos2Alpha * (A_M * A_M - B_M * B_M)) / (B_M * B_M);
  const A = 1 + (u2 / 16384) * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
  const B = (u2 / 1024) * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
  const dSigma = B * sinSigma * (cos2SigmaM + (B / 4) * (cosSigma * (-1 + 2 * cos2SigmaM ** 2) -
    (B / 6) * cos2SigmaM * (-3 + 4 * sinSigma ** 2) * (-3 + 4 * cos2SigmaM ** 2)));
  return B_M * A * (sigma - dSigma);
}

/** The length [m] of a line through [lon, lat] points. */
export function pathLengthM(points) {
  let total = 0;
  for (let i = 1; i < points.length; i += 1) total += geodesicLengthM(points[i - 1], points[i]);
  return total;
}

/** The area [m²] of the polygon with these [lon, lat] vertices (open ring; fewer than 3 → 0). */
export function polygonAreaM2(points) {
  if (points.length < 3) return 0;
  const lat0 = (points.reduce((s, p) => s + p[1], 0) / points.length) * RAD;
  const lon0 = (points.reduce((s, p) => s + p[0], 0) / points.length) * RAD;
  const w = 1 - E2 * Math.sin(lat0) ** 2;
  const n = A_M / Math.sqrt(w); // prime-vertical radius
  const m = (A_M * (1 - E2)) / w ** 1.5; // meridian radius
  const xy = points.map(([lon, lat]) => [(lon * RAD - lon0) * n * Math.cos(lat * RAD), (lat * RAD - lat0) * m]);
  let twice = 0;
  for (let i = 0; i < xy.length; i += 1) {
    const [x1, y1] = xy[i];
    const [x2, y2] = xy[(i + 1) % xy.length];
    twice += x1 * y2 - x2 * y1;
  }
  return Math.abs(twice) / 2;
}
