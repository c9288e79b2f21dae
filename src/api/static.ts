import { HttpLayerRouter, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { existsSync, lstatSync, realpathSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, resolve, sep } from "node:path"
import { STATIC_DIR, VENDOR_DIR } from "../paths.js"

const require = createRequire(import.meta.url)
// htmx and its SSE extension come from their npm packages, served by us: the page loads nothing from other hosts.
const vendorFile = (pkg: string, file: string) =>
  existsSync(join(VENDOR_DIR, file)) ? join(VENDOR_DIR, file) : join(dirname(require.resolve(`${pkg}/package.json`)), "dist", file)

/** Files that change only with a new version of the service. */
export const CACHE = { "cache-control": "public, max-age=3600" }

export const VendorRoutes = HttpLayerRouter.addAll([
  HttpLayerRouter.route("GET", "/vendor/htmx.min.js", HttpServerResponse.file(vendorFile("htmx.org", "htmx.min.js"), { headers: CACHE }).pipe(Effect.orDie)),
  HttpLayerRouter.route("GET", "/vendor/sse.js", HttpServerResponse.file(vendorFile("htmx-ext-sse", "sse.js"), { headers: CACHE }).pipe(Effect.orDie))
])

/**
 * A regular file inside `root`, or undefined: no climbing out, and no symlink anywhere on the
 * way (a link placed in static/ must not publish what it points at).
 */
export const staticFile = (root: string, rel: string): string | undefined => {
  const base = resolve(root)
  const file = resolve(base, rel)
  if (!file.startsWith(base + sep)) return undefined
  try {
    const realBase = realpathSync(base)
    return lstatSync(file).isFile() && realpathSync(file) === join(realBase, file.slice(base.length + 1)) ? file : undefined
  } catch {
    return undefined
  }
}

/** Files under static/: only regular files inside it (see staticFile). */
export const StaticRoutes = (root: string = STATIC_DIR) => HttpLayerRouter.add("GET", "/static/*", (request) => {
  let rel: string
  try {
    rel = decodeURIComponent((request.url.split("?")[0] ?? "").replace(/^\/static\//, ""))
  } catch {
    rel = ""
  }
  const file = staticFile(root, rel)
  if (file === undefined) return Effect.succeed(HttpServerResponse.text("not found", { status: 404 }))
  return HttpServerResponse.file(file, { headers: CACHE }).pipe(Effect.orDie)
})

export const FaviconRoute = HttpLayerRouter.add("GET", "/favicon.ico", (_) =>
  HttpServerResponse.file(join(STATIC_DIR, "favicon.svg"), { headers: { ...CACHE, "content-type": "image/svg+xml" } }).pipe(Effect.orDie))
