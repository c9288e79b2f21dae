/**
 * What every request meets before a route, over a real socket: cross-site state changes
 * refused (and nothing changed), /api bodies only as JSON, deep or huge bodies a 400/413 on
 * every route of the OpenAPI document, security headers everywhere, a quiet request log.
 */
import { HttpLayerRouter } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer, Logger } from "effect"
import { request as httpRequest } from "node:http"
import { ErrorShapeMiddleware } from "../../src/api/error-shape.js"
import { crossSiteReason, jsonDeeperThan, MAX_JSON_DEPTH } from "../../src/api/guard.js"
import { AppTest } from "../support/app.js"
import { baseUrl, call } from "../support/http.js"

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body)
})

const deep = (levels: number) => "[".repeat(levels) + "]".repeat(levels)

describe("pure rules", () => {
  it.each([
    ["[]", 1, false], ["[[]]", 1, true], ['{"a":"[[[[[["}', 1, false], ['"\\"[[["', 0, false], [deep(33), 32, true], [deep(32), 32, false]
  ] as const)("depth of %s over %i: %s", (text, limit, over) => expect(jsonDeeperThan(text, limit)).toBe(over))

  it.each([
    [{ host: "127.0.0.1:8765" }, undefined],
    [{ origin: "http://127.0.0.1:8765", host: "127.0.0.1:8765" }, undefined],
    [{ origin: "http://127.0.0.1:8765", host: "127.0.0.1:8765", "sec-fetch-site": "same-origin" }, undefined],
    [{ origin: "http://127.0.0.1:9999", host: "127.0.0.1:8765" }, "another origin"],
    [{ origin: "https://127.0.0.1:8765", host: "127.0.0.1:8765" }, "another origin"],
    [{ origin: "null", host: "127.0.0.1:8765" }, "another origin"],
    [{ host: "127.0.0.1:8765", "sec-fetch-site": "same-site" }, "another site"],
    [{ host: "127.0.0.1:8765", "sec-fetch-site": "cross-site" }, "another site"]
  ] as const)("%o → %s", (headers, reason) => {
    const got = crossSiteReason(headers, `http://${headers.host}`)
    if (reason === undefined) expect(got).toBeUndefined()
    else expect(got).toContain(reason)
  })
})

describe("the guard in front of every route", () => {
  layer(AppTest(), { timeout: 60_000 })((it) => {
    it.effect("a cross-origin or same-site POST, PUT, DELETE is a 403 and changes nothing; no Origin or the own origin works", () =>
      Effect.gen(function*() {
        const base = yield* baseUrl
        const before = (yield* call("/api/settings")).text
        const evil = { origin: "http://127.0.0.1:1" }
        const attempts = [
          yield* call("/api/settings", { method: "PUT", headers: { "content-type": "application/json", ...evil }, body: JSON.stringify({ "slskd.url": "http://127.0.0.1:2" }) }),
          yield* call("/download-manager/settings", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...evil }, body: "slskd.url=http%3A%2F%2F127.0.0.1%3A2" }),
          yield* call("/download-manager/settings", { method: "POST", headers: { "content-type": "text/plain", "sec-fetch-site": "same-site" }, body: "slskd.url=http://127.0.0.1:2" }),
          yield* call("/api/downloads", json({ title: "T", artist: "A" }, evil)),
          yield* call("/download-manager/queue", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...evil }, body: "title=T&artist=A" })
        ]
        for (const r of attempts) {
          expect(r.status).toBe(403)
          expect(JSON.parse(r.text)).toMatchObject({ error: "Forbidden", _tag: "Forbidden" })
          expect(JSON.parse(r.text).message).toContain("cross-site request refused")
        }
        expect((yield* call("/api/settings")).text).toBe(before)
        expect(JSON.parse((yield* call("/api/downloads")).text).total).toBe(0)

        // scripts (no Origin) and the page itself (its own origin) are unaffected
        expect((yield* call("/api/downloads", json({ title: "T", artist: "A" }))).status).toBe(201)
        expect((yield* call("/api/downloads", json({ title: "U", artist: "A" }, { origin: base, "sec-fetch-site": "same-origin" }))).status).toBe(201)
      }))

    it.effect("/api takes JSON only: form, text and untyped bodies are a 415 that changes nothing", () =>
      Effect.gen(function*() {
        const before = JSON.parse((yield* call("/api/downloads")).text).total
        for (const init of [
          { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "title=T&artist=A" },
          { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ title: "T2", artist: "A" }) },
          { method: "POST", body: new Blob([JSON.stringify({ title: "T3", artist: "A" })]) }
        ] satisfies Array<RequestInit>) {
          const r = yield* call("/api/downloads", init)
          expect(r.status).toBe(415)
          expect(JSON.parse(r.text).error).toBe("UnsupportedMediaType")
        }
        expect(JSON.parse((yield* call("/api/downloads")).text).total).toBe(before)
        // a POST without a body needs no content type
        const missing = yield* call("/api/downloads/nope/retry", { method: "POST" })
        expect(missing.status).toBe(404)
      }))

    it.effect("JSON nested 3,000 and 100,000 levels deep is a 400 on every POST, PUT and PATCH route of the OpenAPI document", () =>
      Effect.gen(function*() {
        const spec = JSON.parse((yield* call("/api/openapi.json")).text) as { paths: Record<string, Record<string, unknown>> }
        const routes = Object.entries(spec.paths).flatMap(([path, ops]) =>
          Object.keys(ops).filter((m) => ["post", "put", "patch"].includes(m)).map((m) => [m.toUpperCase(), path.replace(/\{[^}]+\}/g, "x")] as const))
        expect(routes.length).toBeGreaterThanOrEqual(5)
        for (const [method, path] of routes) {
          for (const levels of [3_000, 100_000]) {
            for (const body of [deep(levels), `{"title":${deep(levels)}}`]) {
              const r = yield* call(path, { method, headers: { "content-type": "application/json" }, body })
              expect(r.status, `${method} ${path} ${levels}`).toBe(400)
              expect(JSON.parse(r.text).message).toBe(`the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`)
            }
          }
        }
      }))

    it.effect("a chunked body over 1 MiB is cut off and creates nothing; an error quotes at most a short excerpt of a huge value", () =>
      Effect.gen(function*() {
        const before = JSON.parse((yield* call("/api/downloads")).text).total
        const status = yield* Effect.flatMap(baseUrl, (base) => Effect.async<number | "closed">((resume) => {
          // chunked (no Content-Length): the limit must hold while reading, not only from the header
          const req = httpRequest(`${base}/api/downloads`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
            res.resume()
            resume(Effect.succeed(res.statusCode ?? 0))
          })
          req.on("error", () => resume(Effect.succeed("closed")))
          req.write(`{"title":"`)
          for (let i = 0; i < 40; i++) req.write("x".repeat(64 * 1024))
          req.end(`","artist":"A"}`)
        }))
        // the platform stops reading at the limit and closes the connection: never a 2xx or a 500
        expect([413, "closed"]).toContain(status)
        expect(JSON.parse((yield* call("/api/downloads")).text).total).toBe(before)
        const huge = yield* call("/api/downloads/album", json({ source: "y".repeat(500_000), album_id: "1" }))
        expect(huge.status).toBe(422)
        expect(huge.text.length).toBeLessThan(1000)
        const setting = yield* call("/api/settings", { ...json({ "search.timeout": "z".repeat(100_000) }), method: "PUT" })
        expect(setting.status).toBe(400)
        expect(setting.text.length).toBeLessThan(1000)
      }))

    it.effect("the OpenAPI document declares the X-API-Key scheme, required everywhere but health", () =>
      Effect.gen(function*() {
        const spec = JSON.parse((yield* call("/api/openapi.json")).text)
        expect(spec.components.securitySchemes.ApiKey).toMatchObject({ type: "apiKey", in: "header", name: "X-API-Key" })
        expect(spec.security).toEqual([{ ApiKey: [] }])
        expect(spec.paths["/api/downloads/manager/health"].get.security).toEqual([])
      }))

    it.effect("every response carries CSP, nosniff, Referrer-Policy and X-Frame-Options", () =>
      Effect.gen(function*() {
        for (const path of ["/download-manager", "/api/downloads", "/api/nope", "/static/app.css", "/favicon.ico", "/login"]) {
          const r = yield* call(path)
          expect(r.headers.get("content-security-policy"), path).toContain("default-src 'self'")
          expect(r.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'")
          expect(r.headers.get("x-content-type-options"), path).toBe("nosniff")
          expect(r.headers.get("referrer-policy"), path).toBe("same-origin")
          expect(r.headers.get("x-frame-options"), path).toBe("DENY")
        }
      }))
  })
})

describe("behind a trusted HTTPS proxy", () => {
  const proxied = { origin: "https://music.example.org", "x-forwarded-proto": "https", "x-forwarded-host": "music.example.org" }
  layer(AppTest({}, { SOULSPOT_TRUSTED_PROXY: "127.0.0.1" }))((it) => {
    it.effect("the page's origin as the proxy reports it is the service's own", () =>
      Effect.gen(function*() {
        expect((yield* call("/api/downloads", json({ title: "T", artist: "A" }, proxied))).status).toBe(201)
        expect((yield* call("/api/downloads", json({ title: "T", artist: "A" }, { ...proxied, origin: "https://evil.example.org" }))).status).toBe(403)
      }))
  })
  layer(AppTest({}, { SOULSPOT_TRUSTED_PROXY: "192.0.2.1" }))((it) => {
    it.effect("the same headers from anyone else prove nothing", () =>
      Effect.gen(function*() {
        expect((yield* call("/api/downloads", json({ title: "T", artist: "A" }, proxied))).status).toBe(403)
      }))
  })
})

describe("logs", () => {
  const lines: Array<string> = []
  const capture = Logger.replace(Logger.defaultLogger, Logger.map(Logger.logfmtLogger, (line) => {
    lines.push(line)
  }))
  const Boom = Layer.mergeAll(
    HttpLayerRouter.add("GET", "/boom", Effect.die(new Error("kaboom"))),
    HttpLayerRouter.add("GET", "/deep", Effect.die(new RangeError("Maximum call stack size exceeded"))))
  layer(AppTest().pipe(Layer.provide(capture)), { timeout: 20_000 })((it) => {
    it.effect("a request is logged with its path, never its query string", () =>
      Effect.gen(function*() {
        yield* call("/api/downloads?api_key=TOPSECRET123456789&limit=5")
        const line = lines.find((l) => l.includes("/api/downloads") && l.includes("Sent HTTP Response"))
        expect(line).toBeDefined()
        expect(line).toContain("http.path=/api/downloads")
        expect(lines.join("\n")).not.toContain("TOPSECRET")
      }))
  })
  layer(HttpLayerRouter.serve(Layer.mergeAll(Boom, ErrorShapeMiddleware)).pipe(Layer.provideMerge(NodeHttpServer.layerTest), Layer.provide(capture)))((it) => {
    it.effect("a defect is answered 500 without internals and logged with its message and stack", () =>
      Effect.gen(function*() {
        const r = yield* call("/boom")
        expect(r.status).toBe(500)
        expect(r.text).not.toContain("kaboom")
        const line = lines.find((l) => l.includes("request failed"))
        expect(line).toContain("kaboom")
        expect(line).toMatch(/at .*error-shape|guard\.test\.ts/)
      }))

    it.effect("a stack overflow while decoding is the client's doing: a 400", () =>
      Effect.gen(function*() {
        const r = yield* call("/deep")
        expect(r.status).toBe(400)
        expect(JSON.parse(r.text)).toMatchObject({ error: "BadRequest", message: "the request body is nested too deeply" })
      }))
  })
})
