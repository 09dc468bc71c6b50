// Build the 3D point-cloud viewer into dist/3d/: its page and styles, one bundle of three.js,
// copc.js and proj4 made by esbuild (an ES module, no eval), and laz-perf's WebAssembly decoder
// copied next to it, so the served page needs nothing from the internet.
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const PAGE = ["index.html", "style.css"];

export async function build3d(web, dist) {
  const src = join(web, "src", "3d");
  const out = join(dist, "3d");
  const wasm = join(web, "node_modules", "laz-perf", "lib", "web", "laz-perf.wasm");
  if (!existsSync(wasm)) {
    console.error(`error: ${wasm} is missing; run \`npm ci\` in ${web} first (make web does)`);
    process.exit(1);
  }
  const { build } = await import("esbuild");
  mkdirSync(out, { recursive: true });
  for (const name of PAGE) cpSync(join(src, name), join(out, name));
  cpSync(wasm, join(out, "laz-perf.wasm"));
  await build({
    entryPoints: [join(src, "main.js")],
    outfile: join(out, "viewer3d.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    minify: true,
    sourcemap: false,
    legalComments: "linked", // the licences of three.js, copc.js, laz-perf and proj4: viewer3d.js.LEGAL.txt
    logLevel: "warning",
  });
}
