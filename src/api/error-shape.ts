import { HttpApi, HttpLayerRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Cause, Effect, Option, Schema } from "effect"
import { SoulSpotApi } from "./api.js"
import { LARGE_BODY_LIMITS } from "./playlist-api.js"

export const MAX_BODY_BYTES = 1024 * 1024

/** The most bytes a request's body may hold: 1 MiB, more for the list uploads (POST /api/downloads/batch, ...). */
export const bodyLimit = (method: string, path: string): number =>
  (method === "POST" && LARGE_BODY_LIMITS[path]) || MAX_BODY_BYTES

/**
 * The contract's shape, {"error": "<tag>", "message": "..."}; `_tag` repeats the tag so the body
 * is also what the OpenAPI document declares, and typed clients decode it.
 */
export const jsonError = (status: number, error: string, message: string, extra: Record<string, unknown> = {}) =>
  HttpServerResponse.unsafeJson({ error, message: shortMessage(message), ...extra, _tag: error }, { status })

/**
 * A backstop: messages quote only short excerpts of what was sent, and a 1 MiB field must never
 * come back in a 1 MiB error. Long enough for the sentences that name a way out.
 */
export const MAX_MESSAGE_LENGTH = 600

export const shortMessage = (message: string): string =>
  message.length <= MAX_MESSAGE_LENGTH ? message : `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…`

/** Decoding a pathological body can overflow the stack: the client's doing, so a 400. */
const isStackOverflow = (defect: unknown) => defect instanceof RangeError && /call stack/i.test(defect.message)

interface DecodeIssue {
  readonly path?: ReadonlyArray<string | number>
  readonly message?: string
}

/** "title: must not be empty" rather than a schema dump; the path is left off when the message names its field. */
const readableIssues = (issues: ReadonlyArray<DecodeIssue>): string => {
  // An optional field reports "Expected undefined" beside the real complaint: keep the real one.
  const useful = issues.filter((i) => !/^Expected undefined/.test(i.message ?? ""))
  const lines = (useful.length > 0 ? useful : issues).map((i) => {
    const path = (i.path ?? []).join(".")
    const message = (i.message ?? "is invalid").split("\n")[0]!
    return path && !message.startsWith(`${path}:`) && !message.startsWith(`${path.split(".").pop()}:`) ? `${path}: ${message}` : message
  })
  return [...new Set(lines)].join("; ")
}

const decodeJson = Schema.decodeUnknownOption(Schema.parseJson())

const STATUS_ERRORS: Record<number, readonly [string, string]> = {
  400: ["BadRequest", "the request body is not valid JSON or not readable"],
  401: ["Unauthorized", "this needs the X-API-Key header"],
  404: ["NotFound", "no such resource"],
  405: ["MethodNotAllowed", "method not allowed"],
  413: ["PayloadTooLarge", `the request body is larger than 1048576 bytes`],
  415: ["UnsupportedMediaType", "send the body as application/json"]
}

/**
 * Errors leave as {"error": "<tag>", "message": "...", ...} (the shape README.md documents): the tagged
 * errors HttpApi encodes are renamed here, decode failures get readable messages, a defect is
 * logged and answered without internals.
 */
const reshape = (response: HttpServerResponse.HttpServerResponse) => {
  if (response.status < 400) return response
  if (response.body._tag === "Empty") {
    const [error, message] = STATUS_ERRORS[response.status] ?? ["Error", `request failed with status ${response.status}`]
    // keep what the response said in its headers (HX-Redirect, Allow, WWW-Authenticate)
    return HttpServerResponse.setHeaders(jsonError(response.status, error, message), response.headers)
  }
  if (response.body._tag !== "Uint8Array") return response
  if (!response.body.contentType.startsWith("application/json")) return response
  const json = decodeJson(new TextDecoder().decode(response.body.body))
  if (Option.isNone(json)) return response
  const parsed = json.value
  if (!parsed || typeof parsed !== "object" || !("_tag" in parsed) || "error" in parsed) return response
  const { _tag, message, issues, ...rest } = parsed as { _tag: string; message?: string; issues?: ReadonlyArray<DecodeIssue> }
  if (_tag === "HttpApiDecodeError") {
    return jsonError(400, "BadRequest", issues && issues.length > 0 ? readableIssues(issues) : (message ?? "the request is not valid"))
  }
  return jsonError(response.status, _tag, message ?? _tag, rest)
}

export const ErrorShapeMiddleware = HttpLayerRouter.middleware((effect) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const length = Number(request.headers["content-length"] ?? "0")
    const limit = bodyLimit(request.method, request.url.split("?")[0] ?? "")
    if (length > limit) {
      return jsonError(413, "PayloadTooLarge", `the request body is larger than ${limit} bytes`)
    }
    return yield* effect.pipe(
      Effect.map(reshape),
      // HttpApi turns an unreadable body into a defect: it is the client's mistake, so 400, never a 500.
      Effect.catchAllDefect((defect) => {
        const e = defect as { _tag?: string; reason?: string }
        if (e?._tag === "RequestError") {
          return Effect.succeed(jsonError(400, "BadRequest", e.reason === "Decode" ? "the request body is not valid JSON" : "the request body could not be read"))
        }
        if (isStackOverflow(defect)) return Effect.succeed(jsonError(400, "BadRequest", "the request body is nested too deeply"))
        // as a Cause, so the log line carries the message and the stack, not `message={}`
        return Effect.logError("request failed", Cause.die(defect)).pipe(
          Effect.as(jsonError(500, "InternalError", "something went wrong on our side; the log has the details")))
      })
    )
  }), { global: true })

// Method and path pattern of every API endpoint, for telling 404 from 405.
const endpoints: ReadonlyArray<{ readonly method: string; readonly pattern: RegExp }> = (() => {
  const out: Array<{ method: string; pattern: RegExp }> = []
  HttpApi.reflect(SoulSpotApi, {
    onGroup: () => {},
    onEndpoint: ({ endpoint }) => {
      const re = endpoint.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\:?:\w+|:\w+/g, "[^/]+")
      out.push({ method: endpoint.method, pattern: new RegExp(`^${re}/?$`) })
    }
  })
  out.push({ method: "GET", pattern: /^\/api\/openapi\.json$/ })
  out.push({ method: "GET", pattern: /^\/api\/downloads\/manager\/(events|htmx\/list|htmx\/stats|htmx\/provider-health)$/ })
  return out
})()

/** Everything under /api that no route took: 405 when the path exists for another method, else 404. */
export const ApiFallbackRoute = HttpLayerRouter.add("*", "/api/*", (request) => {
  const path = request.url.split("?")[0] ?? request.url
  if (path === MALFORMED) return Effect.succeed(jsonError(400, "BadRequest", "the URL has a malformed %-escape"))
  const allowed = [...new Set(endpoints.filter((e) => e.pattern.test(path)).map((e) => e.method))]
  return Effect.succeed(allowed.length > 0
    ? jsonError(405, "MethodNotAllowed", `${request.method} is not allowed on ${path}; use ${allowed.join(", ")}`).pipe(
      HttpServerResponse.setHeader("allow", allowed.join(", ")))
    : jsonError(404, "NotFound", `no such resource: ${request.method} ${path}`))
})

/**
 * A path with a malformed %-escape matches no route, not even the /api fallback, and would get
 * an empty 404. Before the request reaches the router such a URL is pointed at a path the
 * fallback answers in the contract's shape. (Install on the Node server: see launch.ts.)
 */
const MALFORMED = "/api/_malformed-url"

export const normaliseMalformedUrl = (req: { url?: string | undefined }): void => {
  const url = req.url ?? "/"
  if (!url.startsWith("/api/")) return
  try {
    decodeURI(url.split("?")[0] ?? url)
  } catch {
    req.url = MALFORMED
  }
}
