// npm run build: one ESM file for the server in dist/, with static/, migrations/ and the htmx
// files beside it. better-sqlite3 stays a native dependency (node_modules next to dist/).
import { build } from "esbuild"
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, relative, resolve } from "node:path"
import { loadScalarScript, SCALAR_FILE } from "../src/api/scalar-script.js"

// `--outdir DIR` builds somewhere else than dist/ (the bundle test builds into a temp dir).
const flag = process.argv.indexOf("--outdir")
const out = flag >= 0 ? process.argv[flag + 1] ?? "" : "dist"
const up = relative(resolve(out), process.cwd())
if (out === "" || up === "" || !up.startsWith("..") && !up.startsWith("/")) {
  // the directory is emptied first: never the project itself or one of its parents
  console.error(`refusing to build into "${out}": give a separate directory`)
  process.exit(2)
}
rmSync(out, { recursive: true, force: true })
mkdirSync(join(out, "vendor"), { recursive: true })

const started = Date.now()
// the server, and the audio worker thread it starts from the file beside it (src/infrastructure/library/audio-work.ts)
const bundles = [["src/main.ts", "soulspot.mjs"], ["src/infrastructure/library/audio-worker.ts", "audio-worker.mjs"]] as const
await Promise.all(bundles.map(([entry, file]) => build({
  entryPoints: [entry],
  outfile: join(out, file),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  sourcemap: false,
  external: ["better-sqlite3"],
  // bundled CommonJS dependencies call require(); give them one in the ESM output
  banner: { js: "import { createRequire as __soulspotRequire } from 'node:module'; const require = __soulspotRequire(import.meta.url);" },
  logLevel: "warning"
})))

cpSync("static", join(out, "static"), { recursive: true })
cpSync("migrations", join(out, "migrations"), { recursive: true })
const require = createRequire(import.meta.url)
for (const [pkg, file] of [["htmx.org", "htmx.min.js"], ["htmx-ext-sse", "sse.js"]] as const) {
  cpSync(join(dirname(require.resolve(`${pkg}/package.json`)), "dist", file), join(out, "vendor", file))
}
// the API reference viewer (src/api/docs.ts) as a file, so the server holds it in memory only when asked
writeFileSync(join(out, "vendor", SCALAR_FILE), await loadScalarScript())
const size = statSync(join(out, "soulspot.mjs")).size
console.log(`built ${join(out, "soulspot.mjs")} (${(size / 1024 / 1024).toFixed(2)} MiB) in ${Date.now() - started} ms`)
