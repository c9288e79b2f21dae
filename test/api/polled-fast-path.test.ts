/**
 * The polled reads answered before the Effect handler (src/api/polled-fast-path.ts), on the
 * service's own HTTP server layer (src/launch.ts): the early answer is byte for byte the answer
 * the router gives, headers included; it is given only while the database is unchanged; and it
 * never lets a request through that the middleware would refuse (a missing or wrong key, an
 * address the sign-in limiter holds back).
 */
import { HttpServer } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { AppLayer } from "../../src/App.js"
import { MAX_FAILURES } from "../../src/api/rate-limit.js"
import { NodeRequestHook } from "../../src/api/polled-fast-path.js"
import { httpServerLayer } from "../../src/launch.js"
import { tempDbFile } from "../support/db.js"

const STATS = "/api/downloads/manager/stats"
const ACTIVE = "/api/downloads/manager/active"
const KEY = "a-key-of-twenty-characters"

/** How many requests the early answer took, by URL. */
const early: Array<string> = []

/** The real hook, counting the requests it answered. */
const CountedHook = Layer.effect(NodeRequestHook, Effect.map(NodeRequestHook, (real) => NodeRequestHook.of({
  install: (answer) => real.install((request, response) => {
    const took = answer(request, response)
    if (took) early.push(request.url ?? "")
    return took
  })
})))

const liveApp = (env: Record<string, string> = {}) =>
  AppLayer({ db: tempDbFile(), workers: false }).pipe(
    Layer.provideMerge(CountedHook.pipe(Layer.provideMerge(httpServerLayer({ port: 0, host: "127.0.0.1" })))),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({ SOULSPOT_SLSKD_URL: "http://127.0.0.1:9", ...env })))))
  )

interface Answer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
  readonly early: boolean
}

const call = (path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) =>
  Effect.gen(function*() {
    const address = (yield* HttpServer.HttpServer).address
    const port = address._tag === "TcpAddress" ? address.port : 0
    const before = early.length
    const r = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}${path}`, {
      method: init.method ?? "GET",
      headers: { ...(init.body === undefined ? {} : { "content-type": "application/json" }), ...init.headers },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) })
    }))
    const headers = Object.fromEntries([...r.headers].filter(([k]) => k !== "date"))
    return { status: r.status, headers, body: yield* Effect.promise(() => r.text()), early: early.length > before } satisfies Answer
  })

/** The answer without whether it came early: what a client can tell apart. */
const seen = ({ early: _, ...rest }: Answer) => rest

describe("the polled reads' early answer", () => {
  it.layer(liveApp(), { timeout: 30_000 })((it) => {
    it.effect("the first read goes through the router, the next is answered early with the same bytes and headers", () =>
      Effect.gen(function*() {
        for (const url of [STATS, ACTIVE]) {
          const routed = yield* call(url)
          expect(routed).toMatchObject({ status: 200, early: false })
          const fast = yield* call(url)
          expect(fast.early).toBe(true)
          expect(seen(fast)).toEqual(seen(routed))
          expect(fast.headers).toMatchObject({ "content-type": "application/json", "x-frame-options": "DENY", "x-content-type-options": "nosniff" })
        }
      }))

    it.effect("after a write the next read is routed and shows it; then it is early again", () =>
      Effect.gen(function*() {
        yield* call(STATS)
        const before = JSON.parse((yield* call(STATS)).body) as { waiting: number }
        const created = yield* call("/api/downloads", { method: "POST", body: { title: "Roads", artist: "Portishead" } })
        expect(created.status).toBe(201)
        const after = yield* call(STATS)
        expect(after.early).toBe(false)
        expect(JSON.parse(after.body)).toMatchObject({ waiting: before.waiting + 1 })
        expect(yield* call(STATS)).toMatchObject({ early: true, body: after.body })
        yield* call(ACTIVE)
        const id = (JSON.parse(created.body) as { id: string }).id
        expect((yield* call(ACTIVE)).body).toContain(id)
      }))

    it.effect("any other form of the URL, and HEAD, always go through the router", () =>
      Effect.gen(function*() {
        for (const url of [STATS, ACTIVE]) yield* call(url)
        for (const url of [`${STATS}?a=1`, `${ACTIVE}?limit=100`, `${ACTIVE}?q=roads`, `${STATS}/`]) {
          expect((yield* call(url)).early).toBe(false)
        }
        expect((yield* call(STATS, { method: "HEAD" })).early).toBe(false)
      }))
  })

  it.layer(liveApp({ SOULSPOT_API_KEY: KEY }), { timeout: 30_000 })((it) => {
    it.effect("with a key: only a correct X-API-Key is answered early; no key or a wrong one get the router's 401", () =>
      Effect.gen(function*() {
        const key = { "x-api-key": KEY }
        expect(yield* call(STATS, { headers: key })).toMatchObject({ status: 200, early: false })
        const fast = yield* call(STATS, { headers: key })
        expect(fast).toMatchObject({ status: 200, early: true })
        expect(yield* call(STATS)).toMatchObject({ status: 401, early: false })
        const wrong = yield* call(STATS, { headers: { "x-api-key": `${KEY}x` } })
        expect(wrong).toMatchObject({ status: 401, early: false })
        expect(JSON.parse(wrong.body)).toMatchObject({ error: "Unauthorized" })
      }))

    it.effect("an address held back by the sign-in limiter gets the router's 429 even with the right key", () =>
      Effect.gen(function*() {
        const key = { "x-api-key": KEY }
        yield* call(STATS, { headers: key })
        expect((yield* call(STATS, { headers: key })).early).toBe(true)
        for (let i = 0; i < MAX_FAILURES; i++) yield* call(STATS, { headers: { "x-api-key": "wrong" } })
        const held = yield* call(STATS, { headers: key })
        expect(held).toMatchObject({ status: 429, early: false })
        expect(held.headers["retry-after"]).toBeDefined()
      }))
  })
})
