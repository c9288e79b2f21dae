/**
 * SOULSPOT_API_KEY: what a script (X-API-Key) and a browser (login form, session cookie) meet,
 * over a real socket (fetch, redirects not followed, so every 303 and Set-Cookie is visible).
 */
import { HttpServer } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SESSION_COOKIE, sameSecret, sessionToken } from "../../src/api/auth.js"
import { AppTest } from "../support/app.js"

const KEY = "s3cret-key-for-tests-0123456789"

const baseUrl = Effect.map(HttpServer.HttpServer, (s) =>
  s.address._tag === "TcpAddress" ? `http://127.0.0.1:${s.address.port}` : "http://unreachable")

const call = (path: string, init: RequestInit = {}) => Effect.flatMap(baseUrl, (base) =>
  Effect.promise(async () => {
    const r = await fetch(base + path, { redirect: "manual", ...init })
    const text = await r.text()
    return { status: r.status, headers: r.headers, text }
  }))

const jsonOf = (text: string): any => JSON.parse(text)

/** Opens an event stream, reads its first bytes, then hangs up. */
const firstEvents = (path: string, headers: Record<string, string>) => Effect.flatMap(baseUrl, (base) =>
  Effect.promise(async () => {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), 5_000)
    try {
      const r = await fetch(base + path, { headers, redirect: "manual", signal: controller.signal })
      let text = ""
      if (r.status === 200 && r.body) {
        const reader = r.body.getReader()
        const decoder = new TextDecoder()
        while (!text.includes("event:")) {
          const { value, done } = await reader.read()
          if (done) break
          text += decoder.decode(value, { stream: true })
        }
      }
      return { status: r.status, contentType: r.headers.get("content-type"), text }
    } finally {
      clearTimeout(timer)
      controller.abort()
    }
  }))

/** POST /login as the browser's form does; the session cookie's value from Set-Cookie. */
const login = (key: string) => Effect.map(
  call("/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ key }).toString() }),
  (r) => {
    const setCookie = r.headers.get("set-cookie") ?? ""
    const value = new RegExp(`${SESSION_COOKIE}=([^;]*)`).exec(setCookie)?.[1]
    return { ...r, setCookie, value }
  })

describe("sameSecret and sessionToken", () => {
  it("compares secrets exactly, whatever their lengths", () => {
    expect(sameSecret(KEY, KEY)).toBe(true)
    expect(sameSecret(KEY, `${KEY} `)).toBe(false)
    expect(sameSecret(KEY.toUpperCase(), KEY)).toBe(false)
    expect(sameSecret("", KEY)).toBe(false)
    expect(sameSecret("", "")).toBe(true)
    expect(sameSecret("a".repeat(10_000), "a")).toBe(false)
  })

  it("derives a session token that is stable, per key, and does not reveal the key", () => {
    const t = sessionToken(KEY)
    expect(t).toMatch(/^[0-9a-f]{64}$/)
    expect(sessionToken(KEY)).toBe(t)
    expect(sessionToken(`${KEY}x`)).not.toBe(t)
    expect(t).not.toContain(KEY)
    expect(sameSecret(t, KEY)).toBe(false)
  })
})

describe("with SOULSPOT_API_KEY set", () => {
  layer(AppTest({}, { SOULSPOT_API_KEY: KEY }), { timeout: 20_000 })((it) => {
    it.effect("/api/* needs X-API-Key: none or a wrong one is a 401 in the error shape, the right one works", () =>
      Effect.gen(function*() {
        for (const headers of [{}, { "x-api-key": "wrong" }, { "x-api-key": `${KEY}x` }, { "x-api-key": "" }]) {
          const r = yield* call("/api/downloads", { headers })
          expect(r.status).toBe(401)
          expect(r.headers.get("content-type")).toMatch(/application\/json/)
          const body = jsonOf(r.text)
          expect(body).toEqual({ error: "Unauthorized", _tag: "Unauthorized", message: expect.stringContaining("X-API-Key") })
          expect(r.text).not.toContain(KEY)
        }
        const posted = yield* call("/api/downloads", {
          method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: "Angel", artist: "Massive Attack" })
        })
        expect(posted.status).toBe(401)
        const ok = yield* call("/api/downloads", { headers: { "x-api-key": KEY } })
        expect(ok.status).toBe(200)
        expect(jsonOf(ok.text)).toMatchObject({ downloads: [], total: 0 })
        const unknown = yield* call("/api/nothing-here", { headers: { "x-api-key": KEY } })
        expect(unknown.status).toBe(404)
      }))

    it.effect("health, /metrics, the login page and static files stay open", () =>
      Effect.gen(function*() {
        const health = yield* call("/api/downloads/manager/health")
        expect(health.status).toBe(200)
        expect(jsonOf(health.text)).toMatchObject({ provider: "slskd" })
        const metrics = yield* call("/metrics")
        expect(metrics.status).toBe(200)
        expect(metrics.text).toContain("soulspot_downloads{")
        const form = yield* call("/login")
        expect(form.status).toBe(200)
        expect(form.text).toMatch(/<form method="post" action="\/login">/)
        expect((yield* call("/vendor/htmx.min.js")).status).toBe(200)
        expect((yield* call("/favicon.ico")).status).toBe(200)
      }))

    it.effect("a browser without the cookie is sent to /login; htmx gets a 401 with HX-Redirect", () =>
      Effect.gen(function*() {
        const page = yield* call("/download-manager", { headers: { accept: "text/html" } })
        expect(page.status).toBe(303)
        expect(page.headers.get("location")).toBe("/login")
        expect(page.text).not.toContain("<table")
        const settings = yield* call("/download-manager/settings")
        expect(settings.status).toBe(303)
        const events = yield* call("/download-manager/events")
        expect(events.status).toBe(303)

        const swap = yield* call("/download-manager", { headers: { "hx-request": "true" } })
        expect(swap.status).toBe(401)
        expect(swap.headers.get("hx-redirect")).toBe("/login")
        const form = yield* call("/download-manager/queue", {
          method: "POST", headers: { "hx-request": "true", "content-type": "application/x-www-form-urlencoded" },
          body: "title=Angel&artist=Massive+Attack"
        })
        expect(form.status).toBe(401)
        expect(form.headers.get("hx-redirect")).toBe("/login")
        // the page's partials live under /api: htmx must be sent to the login page there too
        const partial = yield* call("/api/downloads/manager/htmx/list", { headers: { "hx-request": "true" } })
        expect(partial.status).toBe(401)
        expect(partial.headers.get("hx-redirect")).toBe("/login")
        // and nothing was queued by the refused form
        const stats = yield* call("/api/downloads/manager/stats", { headers: { "x-api-key": KEY } })
        expect(jsonOf(stats.text).total).toBe(0)
      }))

    it.effect("login: a wrong key gets the form again with 401; the right one a 303 and an HttpOnly, SameSite=Strict cookie that is not the key", () =>
      Effect.gen(function*() {
        const wrong = yield* login("not the key")
        expect(wrong.status).toBe(401)
        expect(wrong.text).toContain("That key is not right.")
        expect(wrong.text).toMatch(/<form/)
        expect(wrong.setCookie).toBe("")
        const empty = yield* login("")
        expect(empty.status).toBe(401)

        const right = yield* login(KEY)
        expect(right.status).toBe(303)
        expect(right.headers.get("location")).toBe("/download-manager")
        expect(right.setCookie).toMatch(/HttpOnly/i)
        expect(right.setCookie).toMatch(/SameSite=Strict/i)
        expect(right.setCookie).toMatch(/Path=\//)
        expect(right.value).toBeDefined()
        expect(right.value).not.toBe(KEY)
        expect(right.setCookie).not.toContain(KEY)
        expect(right.value).toBe(sessionToken(KEY))
      }))

    it.effect("with the session cookie the page, the API and both event streams work; the key itself as a cookie does not", () =>
      Effect.gen(function*() {
        const { value } = yield* login(KEY)
        const cookie = { cookie: `${SESSION_COOKIE}=${value}` }
        const page = yield* call("/download-manager", { headers: cookie })
        expect(page.status).toBe(200)
        expect(page.headers.get("content-type")).toMatch(/text\/html/)
        expect(page.text).toMatch(/<html/i)
        expect((yield* call("/api/downloads/manager/active", { headers: cookie })).status).toBe(200)
        expect((yield* call("/api/downloads/manager/htmx/list", { headers: { ...cookie, "hx-request": "true" } })).status).toBe(200)

        const api = yield* firstEvents("/api/downloads/manager/events", cookie)
        expect(api.status).toBe(200)
        expect(api.contentType).toMatch(/text\/event-stream/)
        expect(api.text).toMatch(/event: (stats|health)/)
        const html = yield* firstEvents("/download-manager/events", cookie)
        expect(html.status).toBe(200)
        expect(html.contentType).toMatch(/text\/event-stream/)
        expect(html.text).toMatch(/event: (stats-html|health-html)/)

        const noCookie = yield* firstEvents("/api/downloads/manager/events", {})
        expect(noCookie.status).toBe(401)
        const forged = { cookie: `${SESSION_COOKIE}=${KEY}` }
        expect((yield* call("/download-manager", { headers: forged })).status).toBe(303)
        expect((yield* call("/api/downloads", { headers: forged })).status).toBe(401)
        expect((yield* call("/api/downloads", { headers: { cookie: `${SESSION_COOKIE}=${sessionToken("another key")}` } })).status).toBe(401)
      }))
  })
})

describe("without SOULSPOT_API_KEY", () => {
  layer(AppTest(), { timeout: 20_000 })((it) => {
    it.effect("everything is open: API, page, event stream; the login form just leads to the page", () =>
      Effect.gen(function*() {
        const api = yield* call("/api/downloads")
        expect(api.status).toBe(200)
        const queued = yield* call("/api/downloads", {
          method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: "Angel", artist: "Massive Attack" })
        })
        expect(queued.status).toBe(201)
        const page = yield* call("/download-manager")
        expect(page.status).toBe(200)
        expect(page.text).toContain("Angel")
        expect((yield* call("/download-manager", { headers: { "hx-request": "true" } })).status).toBe(200)
        const events = yield* firstEvents("/api/downloads/manager/events", {})
        expect(events.status).toBe(200)
        const form = yield* login("anything")
        expect(form.status).toBe(303)
        expect(form.headers.get("location")).toBe("/download-manager")
        expect(form.setCookie).toBe("")
      }))
  })
})
