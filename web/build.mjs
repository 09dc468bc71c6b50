// Build the web map into dist/: the page from src/ plus MapLibre's CSP build copied from
// node_modules (installed by `npm ci`), so the served page needs nothing from the internet.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build3d } from "./src/3d/build3d.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
const dist = join(here, "dist");
const maplibre = join(here, "node_modules", "maplibre-gl", "dist");
// The CSP build loads its worker from a file, so the page's policy needs no blob: workers or eval.
const VENDOR = ["maplibre-gl-csp.js", "maplibre-gl-csp-worker.js", "maplibre-gl.css", "LICENSE.txt"];

if (!existsSync(maplibre)) {
  console.error(`error: ${maplibre} is missing; run \`npm ci\` in ${here} first (make web does)`);
  process.exit(1);
}
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
// recursive: modules in sub-folders (src/tools/) keep their relative import paths; src/3d is bundled by build3d.mjs
for (const name of readdirSync(src)) if (name !== "3d") cpSync(join(src, name), join(dist, name), { recursive: true });
for (const name of VENDOR) {
  const target = name === "LICENSE.txt" ? "maplibre-gl-LICENSE.txt" : name;
  cpSync(join(maplibre, name), join(dist, target));
}
await build3d(here, dist); // the 3D point-cloud viewer at /map/3d/ (src/3d/build3d.mjs)
console.log(`web map built into ${dist} (${readdirSync(dist).length} files)`);
