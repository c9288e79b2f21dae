/**
 * What every request meets before any route: cross-site state changes refused, /api bodies
 * only as JSON, bodies bounded in size and JSON in depth before anything parses them, the
 * browser told not to frame, sniff or load from elsewhere, and one log line per request
 * with the path but never the query string (a key sent as ?api_key= must not reach the log).
 */
import { HttpApp, HttpIncomingMessage, HttpLayerRouter, HttpMiddleware, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Cause, Effect, Exit, Layer, Option } from "effect"
import { ServerConfig } from "../config.js"
import { fromTrustedProxy, requestScheme } from "./client-address.js"
import { bodyLimit, jsonError } from "./error-shape.js"

/** Deeper than any body SoulSpot takes (a batch of tracks is 3 levels), far below a stack overflow. */
export const MAX_JSON_DEPTH = 32

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"])

/** Routes under /api that take something other than JSON, with the media types they take. */
export const NON_JSON_BODIES: Readonly<Record<string, ReadonlyArray<string>>> = {
  "/api/downloads/file": ["multipart/form-data", "text/csv", "audio/x-mpegurl", "application/vnd.apple.mpegurl", "text/plain"]
}

const PAGE_CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
// The API docs page (/docs) is Scalar (src/api/docs.ts): its script from /vendor compiles WebAssembly
// (wasm-unsafe-eval, not eval) and sets inline styles; nothing inline runs and nothing comes from other hosts.
const DOCS_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"

export const securityHeaders = (path: string): Record<string, string> => ({
  "content-security-policy": path === "/docs" ? DOCS_CSP : PAGE_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY"
})

/** Whether a JSON text nests arrays/objects deeper than `limit` (strings skipped; not a validator). */
export const jsonDeeperThan = (text: string, limit: number): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

/**
 * Why a state-changing request is not from the service's own page, or undefined when it is
 * (or when it carries no browser headers at all: scripts). `Sec-Fetch-Site` also catches
 * another port on the same host ("same-site"), which SameSite cookies do not.
 */
export const crossSiteReason = (headers: Readonly<Record<string, string | undefined>>, own: string): string | undefined => {
  const site = headers["sec-fetch-site"]
  if (site !== undefined && site !== "same-origin" && site !== "none") return `the browser says it came from another site (Sec-Fetch-Site: ${site.slice(0, 20)})`
  const origin = headers["origin"]
  if (origin === undefined) return undefined
  return origin.toLowerCase() === own.toLowerCase() ? undefined : `it came from another origin (${origin.slice(0, 100)}, not ${own.slice(0, 100)})`
}

/** The origin the browser used: scheme and host as this server saw them, or as a trusted proxy reports them. */
export const ownOrigin = (request: HttpServerRequest.HttpServerRequest, trusted: ReadonlyArray<string>): string => {
  const forwardedHost = fromTrustedProxy(request, trusted) ? request.headers["x-forwarded-host"]?.split(",")[0]?.trim() : undefined
  return `${requestScheme(request, trusted)}://${forwardedHost || request.headers["host"] || ""}`
}

const mediaType = (contentType: string | undefined) => (contentType ?? "").split(";")[0]!.trim().toLowerCase()

const hasBody = (headers: Readonly<Record<string, string | undefined>>) =>
  (headers["content-length"] !== undefined && headers["content-length"] !== "0") || headers["transfer-encoding"] !== undefined

/** The refusal for a state-changing request, if any, before it reaches a route (GET, HEAD and OPTIONS pass). */
const refusal = (request: HttpServerRequest.HttpServerRequest, path: string, own: string) => Effect.gen(function*() {
  const crossSite = crossSiteReason(request.headers, own)
  if (crossSite !== undefined) {
    yield* Effect.logWarning(`refused ${request.method} ${path}: ${crossSite}`)
    return jsonError(403, "Forbidden", `cross-site request refused: ${crossSite}`)
  }
  const type = mediaType(request.headers["content-type"])
  if (path.startsWith("/api/") && (type !== "" || hasBody(request.headers)) && type !== "application/json"
    && !(NON_JSON_BODIES[path] ?? []).includes(type)) {
    return jsonError(415, "UnsupportedMediaType", `send the body as application/json (got ${type === "" ? "no content type" : type.slice(0, 60)})`)
  }
  if (type === "application/json" || type.endsWith("+json")) {
    // Read (and cache) the body here, bounded, so a deep document is refused before anything parses it.
    const text = yield* Effect.either(request.text)
    if (text._tag === "Left") {
      return jsonError(413, "PayloadTooLarge", `the request body is larger than ${bodyLimit(request.method, path)} bytes or could not be read`)
    }
    if (jsonDeeperThan(text.right, MAX_JSON_DEPTH)) {
      return jsonError(400, "BadRequest", `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`)
    }
  }
  return undefined
})

/** The line for an answer sent (also written by the fast path, polled-fast-path.ts). */
export const logSent = (method: string, path: string, status: number) =>
  // checked first: the annotations cost more than the line when Info is filtered out
  Effect.whenLogLevel(Effect.annotateLogs(Effect.log("Sent HTTP Response"), { "http.method": method, "http.path": path, "http.status": status }), "Info")

const logRequest = (method: string, path: string, exit: Exit.Exit<HttpServerResponse.HttpServerResponse, unknown>) =>
  Exit.match(exit, {
    onSuccess: (response) => logSent(method, path, response.status),
    onFailure: (cause) => Cause.isInterruptedOnly(cause)
      ? Effect.void
      : Effect.annotateLogs(Effect.logError("request failed", cause), { "http.method": method, "http.path": path })
  })

/** The request path without its query string (the query may carry a key: never logged). */
const pathOf = (request: HttpServerRequest.HttpServerRequest): string => request.url.split("?")[0] ?? "/"

export const PAGE_HEADERS = securityHeaders("/")
const DOCS_HEADERS = securityHeaders("/docs")

export const GuardMiddleware = HttpLayerRouter.middleware(Effect.gen(function*() {
  const { trustedProxies } = yield* ServerConfig
  return (effect) => Effect.gen(function*() {
    // our own request log replaces the platform's, which logs the full URL
    yield* HttpMiddleware.withLoggerDisabled(Effect.void)
    const request = yield* HttpServerRequest.HttpServerRequest
    const path = pathOf(request)
    // GET, HEAD and OPTIONS handlers read no body, so only the others need the size bound
    const exit = yield* Effect.exit(SAFE_METHODS.has(request.method)
      ? effect
      : Effect.flatMap(refusal(request, path, ownOrigin(request, trustedProxies)), (refused) => refused ?? effect)
        .pipe(HttpIncomingMessage.withMaxBodySize(Option.some(bodyLimit(request.method, path)))))
    yield* logRequest(request.method, path, exit)
    return yield* exit
  })
}), { global: true })

const addSecurityHeaders: HttpApp.PreResponseHandler = (request, response) =>
  Effect.succeed(HttpServerResponse.setHeaders(response, pathOf(request) === "/docs" ? DOCS_HEADERS : PAGE_HEADERS))

/**
 * The security headers on every answer, whoever gives it: the authentication's 401 and 303, the
 * guard's refusals, the error shape's 400 and 413, the read cache, and the platform's own 404 for
 * a path no route takes. A pre-response handler, run as the server sends each response, so no
 * middleware's order and no error path can leave them out; installed once for the server's
 * request fibers (App.ts), which costs a request nothing but the headers themselves.
 */
export const withSecurityHeaders = <A, E, R>(layer: Layer.Layer<A, E, R>): Layer.Layer<A, E, R> =>
  Layer.locally(layer, HttpApp.currentPreResponseHandlers, Option.some(addSecurityHeaders))
