/**
 * Every answer carries the security headers, whichever part of the service gives it: the
 * authentication (401, 303), the guard's refusals, the error shape (400, 413), the /api
 * fallback (404, 405), the platform's 404 for a path no route takes, pages, static files,
 * the polled reads answered from the cache, and event streams. Over a real socket.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { MAX_BODY_BYTES } from "../../src/api/error-shape.js"
import { AppTest } from "../support/app.js"
import { baseUrl } from "../support/http.js"

interface Case {
  readonly name: string
  readonly path: string
  readonly init?: RequestInit
  readonly status: number
  /** The error tag of a JSON error answer. */
  readonly error?: string
  readonly docs?: boolean
}

const json = (body: string, headers: Record<string, string> = {}): RequestInit =>
  ({ method: "POST", headers: { "content-type": "application/json", ...headers }, body })

const KEY = "security-headers-test-key-0123456789"

const OPEN: ReadonlyArray<Case> = [
  { name: "the page", path: "/download-manager", status: 200 },
  { name: "an htmx fragment", path: "/download-manager", init: { headers: { "hx-request": "true" } }, status: 200 },
  { name: "a static file", path: "/static/app.css", status: 200 },
  { name: "a vendored script", path: "/vendor/htmx.min.js", status: 200 },
  { name: "the favicon", path: "/favicon.ico", status: 200 },
  { name: "the polled stats (read cache)", path: "/api/downloads/manager/stats", status: 200 },
  { name: "the polled first page (read cache)", path: "/api/downloads/manager/active", status: 200 },
  { name: "the same read past the cache", path: "/api/downloads/manager/active?limit=5", status: 200 },
  { name: "the API docs", path: "/docs", status: 200, docs: true },
  { name: "a HEAD of the page", path: "/download-manager", init: { method: "HEAD" }, status: 200 },
  { name: "a cross-site POST", path: "/api/downloads", init: json('{"title":"T","artist":"A"}', { origin: "http://127.0.0.1:1" }), status: 403, error: "Forbidden" },
  { name: "a form body under /api", path: "/api/downloads", init: { method: "POST", headers: { "content-type": "text/plain" }, body: "x" }, status: 415, error: "UnsupportedMediaType" },
  { name: "bad JSON", path: "/api/downloads", init: json("{not json"), status: 400, error: "BadRequest" },
  { name: "a body the schema refuses", path: "/api/downloads", init: json('{"title":""}'), status: 400, error: "BadRequest" },
  { name: "deep JSON", path: "/api/downloads", init: json("[".repeat(100) + "]".repeat(100)), status: 400, error: "BadRequest" },
  { name: "an oversized body", path: "/api/downloads", init: json(`{"title":"${"x".repeat(MAX_BODY_BYTES)}"}`), status: 413, error: "PayloadTooLarge" },
  { name: "an unknown /api path", path: "/api/nope", status: 404, error: "NotFound" },
  { name: "an unknown download", path: "/api/downloads/nope", status: 404, error: "NotFound" },
  { name: "a method the path does not take", path: "/api/downloads/manager/stats", init: { method: "DELETE" }, status: 405, error: "MethodNotAllowed" },
  { name: "an unknown page path", path: "/no-such-page", status: 404 }
]

const KEYED: ReadonlyArray<Case> = [
  { name: "the API without a key", path: "/api/downloads", status: 401, error: "Unauthorized" },
  { name: "the API with a wrong key", path: "/api/downloads", init: { headers: { "x-api-key": "wrong-key-but-long-enough" } }, status: 401, error: "Unauthorized" },
  { name: "a polled read without a key", path: "/api/downloads/manager/stats", status: 401, error: "Unauthorized" },
  { name: "a polled read with the key", path: "/api/downloads/manager/stats", init: { headers: { "x-api-key": KEY } }, status: 200 },
  { name: "the page without a session", path: "/download-manager", status: 303 },
  { name: "an htmx swap without a session", path: "/download-manager", init: { headers: { "hx-request": "true" } }, status: 401 },
  { name: "an event stream without a key", path: "/api/downloads/manager/events", status: 401, error: "Unauthorized" },
  { name: "the login page", path: "/login", status: 200 },
  { name: "a wrong key in the login form", path: "/login", init: { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "key=nope" }, status: 401 },
  { name: "an unknown page path without a session", path: "/no-such-page", status: 303 },
  { name: "health without a key", path: "/api/downloads/manager/health", status: 200 }
]

/** Status, error tag and headers of one answer; an event stream is left after its headers. */
const answer = (path: string, init: RequestInit = {}) => Effect.flatMap(baseUrl, (base) =>
  Effect.promise(async () => {
    const controller = new AbortController()
    try {
      const r = await fetch(base + path, { redirect: "manual", ...init, signal: controller.signal })
      const text = r.headers.get("content-type")?.startsWith("text/event-stream") ? "" : await r.text()
      const error = r.headers.get("content-type")?.startsWith("application/json") ? (JSON.parse(text) as { error?: string }).error : undefined
      return { status: r.status, error, headers: r.headers }
    } finally {
      controller.abort()
    }
  }))

const expectHeaders = (c: Case) => Effect.gen(function*() {
  const r = yield* answer(c.path, c.init)
  expect(r.status, c.name).toBe(c.status)
  if (c.error !== undefined) expect(r.error, c.name).toBe(c.error)
  const csp = r.headers.get("content-security-policy")
  expect(csp, c.name).toContain("default-src 'self'")
  expect(csp, c.name).toContain("frame-ancestors 'none'")
  expect(csp?.includes("'unsafe-inline'"), c.name).toBe(c.docs === true)
  expect(r.headers.get("x-content-type-options"), c.name).toBe("nosniff")
  expect(r.headers.get("referrer-policy"), c.name).toBe("same-origin")
  expect(r.headers.get("x-frame-options"), c.name).toBe("DENY")
})

describe("security headers without an API key", () => {
  layer(AppTest(), { timeout: 30_000 })((it) => {
    for (const c of OPEN) it.effect(`${c.name}: ${c.status}`, () => expectHeaders(c))
    it.effect("an event stream: 200", () => expectHeaders({ name: "an event stream", path: "/api/downloads/manager/events", status: 200 }))
  })
})

describe("security headers with an API key", () => {
  layer(AppTest({}, { SOULSPOT_API_KEY: KEY }), { timeout: 30_000 })((it) => {
    for (const c of KEYED) it.effect(`${c.name}: ${c.status}`, () => expectHeaders(c))
  })
})
