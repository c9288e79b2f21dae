/** The cap on open event streams: per client address and in total, 503 at the limit, freed when a stream closes. */
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { AppTest } from "../support/app.js"
import { baseUrl, untilFirstEvent } from "../support/http.js"

/** Opens a stream as `client` and reads until its first event; `close` hangs up. */
const open = (path: string, client: string) => Effect.flatMap(baseUrl, (base) => Effect.promise(async () => {
  const controller = new AbortController()
  const r = await fetch(base + path, { headers: { "x-forwarded-for": client }, signal: controller.signal })
  const text = await untilFirstEvent(r)
  return { status: r.status, text, retryAfter: r.headers.get("retry-after"), close: () => controller.abort() }
}))

const settle = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))

describe("event stream cap", () => {
  layer(AppTest({}, { SOULSPOT_TRUSTED_PROXY: "127.0.0.1", SOULSPOT_MAX_EVENT_STREAMS: "3", SOULSPOT_MAX_EVENT_STREAMS_PER_CLIENT: "2" }), { timeout: 20_000 })((it) => {
    it.effect("a client gets 2 streams (API and page alike), the whole service 3; a 503 beyond; a closed stream frees its slot", () =>
      Effect.gen(function*() {
        const a1 = yield* open("/api/downloads/manager/events", "10.0.0.1")
        const a2 = yield* open("/download-manager/events", "10.0.0.1")
        expect([a1.status, a2.status]).toEqual([200, 200])
        const a3 = yield* open("/api/downloads/manager/events", "10.0.0.1")
        expect(a3.status).toBe(503)
        expect(a3.retryAfter).toBe("10")
        expect(JSON.parse(a3.text)).toMatchObject({ error: "Unavailable", message: expect.stringContaining("from this address (at most 2)") })

        const b1 = yield* open("/api/downloads/manager/events", "10.0.0.2")
        expect(b1.status).toBe(200)
        const c1 = yield* open("/api/downloads/manager/events", "10.0.0.3")
        expect(c1.status).toBe(503)
        expect(JSON.parse(c1.text).message).toContain("too many open event streams (at most 3)")

        a1.close()
        yield* settle
        const a4 = yield* open("/api/downloads/manager/events", "10.0.0.1")
        expect(a4.status).toBe(200)
        for (const s of [a2, a4, b1]) s.close()
        yield* settle
        const c2 = yield* open("/api/downloads/manager/events", "10.0.0.3")
        expect(c2.status).toBe(200)
        c2.close()
      }))
  })
})
