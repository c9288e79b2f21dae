/**
 * The API reference at /docs: Scalar's standalone viewer reading our OpenAPI document.
 *
 * @effect/platform's HttpApiScalar keeps the 3.4 MB viewer script as a string constant and an
 * HTML page of the same size built at start, about 16 MiB of memory in a process that may never
 * show /docs. Here the page only references `/vendor/scalar.js`: a file beside the bundle
 * (scripts/build.ts writes it), or, when running from src/, the constant loaded on the first
 * request for it. The page itself is built on its first request.
 */
import { HttpLayerRouter, HttpServerResponse, OpenApi } from "@effect/platform"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { VENDOR_DIR } from "../paths.js"
import { SoulSpotApi } from "./api.js"
import { escapeHtml } from "./html.js"
import { loadScalarScript, SCALAR_FILE } from "./scalar-script.js"

/** JSON inside a `<script>` element: `<` escaped so no `</script>` or `<!--` can end it early. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, "\\u003c")

/** The page: the document in a JSON script element, the viewer's settings in its data attribute. */
export const docsPage = (spec: OpenApi.OpenAPISpec): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(spec.info.title)}</title>
</head>
<body>
<script id="api-reference" type="application/json" data-configuration="${escapeHtml(JSON.stringify({ _integration: "html", withDefaultFonts: false }))}">${scriptJson(spec)}</script>
<script src="/vendor/${SCALAR_FILE}"></script>
</body>
</html>`

const CACHE = { "cache-control": "public, max-age=3600" }

const once = <A>(make: () => Promise<A>): Effect.Effect<A> => {
  let made: Promise<A> | undefined
  return Effect.promise(() => (made ??= make()))
}

const page = once(async () => docsPage(OpenApi.fromApi(SoulSpotApi)))
const bundled = join(VENDOR_DIR, SCALAR_FILE)
const script = once(loadScalarScript)

export const DocsRoutes = HttpLayerRouter.addAll([
  HttpLayerRouter.route("GET", "/docs", Effect.map(page, (body) => HttpServerResponse.html(body))),
  HttpLayerRouter.route("GET", `/vendor/${SCALAR_FILE}`, existsSync(bundled)
    ? HttpServerResponse.file(bundled, { headers: CACHE }).pipe(Effect.orDie)
    : Effect.map(script, (body) => HttpServerResponse.text(body, { contentType: "text/javascript; charset=utf-8", headers: CACHE })))
])
