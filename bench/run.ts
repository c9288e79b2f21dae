// Runs every bench/*.bench.ts in its own process, one after another, and prints their figures.
import { spawnSync } from "node:child_process"
import { readdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const dir = dirname(fileURLToPath(import.meta.url))
const only = process.argv[2]
const files = readdirSync(dir).filter((f) => f.endsWith(".bench.ts") && (!only || f.includes(only))).sort()
let failed = 0
for (const f of files) {
  console.log(`\n=== ${f}`)
  const r = spawnSync(process.execPath, ["--import", "tsx", join(dir, f)], { stdio: "inherit" })
  if (r.status !== 0) failed++
}
if (files.length === 0) console.log("no benchmarks found")
process.exit(failed === 0 ? 0 : 1)
