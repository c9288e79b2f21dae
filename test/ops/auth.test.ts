/**
 * SOULSPOT_API_KEY: what a script (X-API-Key) and a browser (login form, session cookie) meet,
 * over a real socket (fetch, redirects not followed, so every 303 and Set-Cookie is visible).
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Either, Layer, Option, Redacted, TestClock } from "effect"
import { SESSION_COOKIE, sameSecret } from "../../src/api/auth.js"
import { blockedFor, MAX_FAILURES } from "../../src/api/rate-limit.js"
import { checkSession, keyFingerprint, signSession } from "../../src/api/sessions.js"
import { ServerConfig } from "../../src/config.js"
import { AppTest } from "../support/app.js"
import { baseUrl, call, untilFirstEvent } from "../support/http.js"

const KEY = "s3cret-key-for-tests-0123456789"

const jsonOf = (text: string): any => JSON.parse(text)

/** Opens an event stream, reads its first bytes, then hangs up. */
const firstEvents = (path: string, headers: Record<string, string>) => Effect.flatMap(baseUrl, (base) =>
  Effect.promise(async () => {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), 5_000)
    try {
      const r = await fetch(base + path, { headers, redirect: "manual", signal: controller.signal })
      const text = r.status === 200 ? await untilFirstEvent(r) : ""
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

describe("sameSecret, session cookies, the sign-in budget, the key", () => {
  it("compares secrets exactly, whatever their lengths", () => {
    expect(sameSecret(KEY, KEY)).toBe(true)
    expect(sameSecret(KEY, `${KEY} `)).toBe(false)
    expect(sameSecret(KEY.toUpperCase(), KEY)).toBe(false)
    expect(sameSecret("", KEY)).toBe(false)
    expect(sameSecret("", "")).toBe(true)
    expect(sameSecret("a".repeat(10_000), "a")).toBe(false)
  })

  const DAY = 86_400_000
  const secret = "0123456789abcdef".repeat(4)
  const fp = keyFingerprint(KEY)
  const cookie = signSession(secret, fp, 1_000 * DAY, "0123456789abcdef0123456789abcdef")
  it.each([
    ["the same day", cookie, fp, 1_000 * DAY + 1000, "Valid"],
    ["29 days later", cookie, fp, 1_029 * DAY, "Valid"],
    ["30 days later", cookie, fp, 1_030 * DAY, "Expired"],
    ["issued an hour in the future", cookie, fp, 1_000 * DAY - 3_600_000, "Invalid"],
    ["after the API key changed", cookie, keyFingerprint(`${KEY}2`), 1_000 * DAY, "Invalid"],
    ["with another issue time", cookie.replace(`v1.${1_000 * DAY}.`, `v1.${1_010 * DAY}.`), fp, 1_020 * DAY, "Invalid"],
    ["with one character of the MAC changed", cookie.slice(0, -1) + (cookie.endsWith("A") ? "B" : "A"), fp, 1_000 * DAY, "Invalid"],
    ["signed with another secret", signSession("x".repeat(64), fp, 1_000 * DAY, "0123456789abcdef0123456789abcdef"), fp, 1_000 * DAY, "Invalid"],
    ["the key itself", KEY, fp, 1_000 * DAY, "Invalid"],
    ["empty", "", fp, 1_000 * DAY, "Invalid"]
  ])("a session cookie checked %s is %s", (_, value, fingerprint, now, expected) => {
    expect(checkSession(value, secret, fingerprint, now)._tag).toBe(expected)
  })

  it.each([
    [[], 0],
    [Array.from({ length: MAX_FAILURES - 1 }, (_, i) => i * 1000), 0],
    [Array.from({ length: MAX_FAILURES }, (_, i) => i * 1000), 60_000 - 10_000],
    [Array.from({ length: MAX_FAILURES }, (_, i) => i * 1000 - 60_000), 0]
  ])("failures %j at 10 s → blocked for %i ms", (failures, wait) => expect(blockedFor(failures, 10_000)).toBe(wait))

  it.each([
    ["short", false], ["  fifteen-chars  ", false], [`  ${KEY}\n`, true]
  ])("SOULSPOT_API_KEY %j accepted: %s (trimmed)", (key, ok) => {
    const result = Effect.runSync(Effect.either(Effect.withConfigProvider(ServerConfig, ConfigProvider.fromMap(new Map([["SOULSPOT_API_KEY", key]])))))
    expect(Either.isRight(result)).toBe(ok)
    if (Either.isLeft(result)) expect(String(result.left)).toContain("must be at least 16 characters")
    else expect(Option.map(result.right.apiKey, Redacted.value)).toEqual(Option.some(KEY))
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
        expect(right.value).toMatch(/^v1\.\d+\.[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/)
        expect(right.setCookie).toMatch(/Max-Age=2592000/)
        expect(right.setCookie).not.toMatch(/Secure/i)
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
        const otherSecret = signSession("f".repeat(64), keyFingerprint(KEY), Date.now(), "0123456789abcdef0123456789abcdef")
        expect((yield* call("/api/downloads", { headers: { cookie: `${SESSION_COOKIE}=${otherSecret}` } })).status).toBe(401)
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

describe("sign-in over time (the service on TestClock)", () => {
  const app = (env: Record<string, string> = {}) => Layer.fresh(AppTest({}, { SOULSPOT_API_KEY: KEY, ...env }))
  const from = (address: string, headers: Record<string, string> = {}) => ({ "x-forwarded-for": address, ...headers })

  it.effect("wrong keys are limited per client address: the 11th try within a minute is a 429 with Retry-After, even with the right key; others are unaffected", () =>
    Effect.gen(function*() {
      for (let i = 0; i < MAX_FAILURES; i++) {
        expect((yield* call("/api/downloads", { headers: from("10.0.0.1", { "x-api-key": `wrong-${i}` }) })).status).toBe(401)
      }
      const blocked = yield* call("/api/downloads", { headers: from("10.0.0.1", { "x-api-key": KEY }) })
      expect(blocked.status).toBe(429)
      expect(blocked.headers.get("retry-after")).toBe("60")
      expect(jsonOf(blocked.text)).toMatchObject({ error: "TooManyRequests" })
      const login = yield* call("/login", {
        method: "POST", headers: from("10.0.0.1", { "content-type": "application/x-www-form-urlencoded" }), body: `key=${KEY}`
      })
      expect(login.status).toBe(429)
      expect(login.text).toContain("Too many wrong keys")
      // another address is not punished for it
      expect((yield* call("/api/downloads", { headers: from("10.0.0.2", { "x-api-key": KEY }) })).status).toBe(200)
      // the window moves on: the first address may try again
      yield* TestClock.adjust(Duration.seconds(61))
      expect((yield* call("/api/downloads", { headers: from("10.0.0.1", { "x-api-key": KEY }) })).status).toBe(200)
    }).pipe(Effect.provide(app({ SOULSPOT_TRUSTED_PROXY: "127.0.0.1" }))))

  it.effect("wrong keys in the login form count too", () =>
    Effect.gen(function*() {
      for (let i = 0; i < MAX_FAILURES; i++) expect((yield* login(`wrong-${i}`)).status).toBe(401)
      const r = yield* login(KEY)
      expect(r.status).toBe(429)
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0)
      expect(r.setCookie).toBe("")
    }).pipe(Effect.provide(app())))

  it.effect("a session lasts 30 days, then the page sends the browser to /login again", () =>
    Effect.gen(function*() {
      const { value } = yield* login(KEY)
      const cookie = { cookie: `${SESSION_COOKIE}=${value}` }
      yield* TestClock.adjust(Duration.days(29))
      expect((yield* call("/download-manager", { headers: cookie })).status).toBe(200)
      yield* TestClock.adjust(Duration.days(1))
      const expired = yield* call("/download-manager", { headers: cookie })
      expect(expired.status).toBe(303)
      expect(expired.headers.get("location")).toBe("/login")
      expect((yield* call("/api/downloads", { headers: cookie })).status).toBe(401)
    }).pipe(Effect.provide(app())))

  it.effect("/logout revokes the session on the server (the old cookie no longer works) and clears the cookie; other sessions stay", () =>
    Effect.gen(function*() {
      const first = `${SESSION_COOKIE}=${(yield* login(KEY)).value}`
      const second = `${SESSION_COOKIE}=${(yield* login(KEY)).value}`
      expect((yield* call("/logout")).text).toContain('<form method="post" action="/logout">')
      const out = yield* call("/logout", { method: "POST", headers: { cookie: first } })
      expect(out.status).toBe(303)
      expect(out.headers.get("location")).toBe("/login")
      expect(out.headers.get("set-cookie")).toMatch(new RegExp(`${SESSION_COOKIE}=;.*Max-Age=0`))
      expect((yield* call("/download-manager", { headers: { cookie: first } })).status).toBe(303)
      expect((yield* call("/download-manager", { headers: { cookie: second } })).status).toBe(200)
    }).pipe(Effect.provide(app())))

  it.effect("the cookie is Secure when a trusted proxy says the browser used HTTPS; the same header from anyone else is ignored", () =>
    Effect.gen(function*() {
      const form = { "content-type": "application/x-www-form-urlencoded", "x-forwarded-proto": "https" }
      const viaProxy = yield* call("/login", { method: "POST", headers: form, body: `key=${KEY}` })
      expect(viaProxy.headers.get("set-cookie")).toMatch(/; Secure/i)
    }).pipe(Effect.provide(app({ SOULSPOT_TRUSTED_PROXY: "127.0.0.1" }))))

  it.effect("X-Forwarded-Proto from an address that is not the trusted proxy does not make the cookie Secure", () =>
    Effect.gen(function*() {
      const form = { "content-type": "application/x-www-form-urlencoded", "x-forwarded-proto": "https" }
      const direct = yield* call("/login", { method: "POST", headers: form, body: `key=${KEY}` })
      expect(direct.status).toBe(303)
      expect(direct.headers.get("set-cookie")).not.toMatch(/Secure/i)
    }).pipe(Effect.provide(app({ SOULSPOT_TRUSTED_PROXY: "192.0.2.10" }))))

  it.effect("the open health endpoint has the same fields without upstream error text; with the key the text is there", () =>
    Effect.gen(function*() {
      // nothing listens on port 9: the first check records why
      yield* call("/api/downloads/manager/health", { headers: { "x-api-key": KEY } })
      yield* call("/api/downloads/preview", { method: "POST", headers: { "x-api-key": KEY, "content-type": "application/json" }, body: JSON.stringify({ title: "T", artist: "A" }) })
      const authed = jsonOf((yield* call("/api/downloads/manager/health", { headers: { "x-api-key": KEY } })).text)
      const open = jsonOf((yield* call("/api/downloads/manager/health")).text)
      expect(authed.last_error).toEqual(expect.stringContaining("slskd"))
      expect(Object.keys(open).sort()).toEqual(Object.keys(authed).sort())
      expect(open.last_error).toBeNull()
      expect(open.state).toBe(authed.state)
    }).pipe(Effect.provide(app())))
})
