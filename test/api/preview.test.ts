import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeSimulator } from "../../src/dev/slskd-simulator/index.js"
import { AppTest } from "../support/app.js"
import { withTime } from "../support/simulator.js"

const post = (body: unknown) =>
  Effect.flatMap(HttpClient.HttpClient, (c) => c.execute(HttpClientRequest.post("/api/downloads/preview").pipe(HttpClientRequest.bodyUnsafeJson(body))))

describe("POST /api/downloads/preview", () => {
  it.effect("searches through slskd and explains the choice, without creating a download", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* withTime(Effect.gen(function*() {
        const r = yield* post({ title: "Karma Police", artist: "Radiohead", album: "OK Computer", duration_ms: 261000 })
        expect(r.status).toBe(200)
        const body = (yield* Effect.orDie(r.json)) as any
        expect(body.queries[0]).toBe("Radiohead Karma Police")
        expect(body.chosen.filename).toContain("Karma Police")
        expect(body.candidates[0]).toMatchObject({ username: body.chosen.username, filename: body.chosen.filename, accepted: true })
        expect(body.candidates.some((c: any) => !c.accepted && c.reasons.some((x: string) => x.startsWith("rejected")))).toBe(true)
        const stats = (yield* Effect.orDie((yield* Effect.flatMap(HttpClient.HttpClient, (c) => c.get("/api/downloads/manager/stats"))).json)) as any
        expect(stats.total).toBe(0)
      }).pipe(Effect.provide(AppTest({}, { SOULSPOT_SLSKD_URL: sim.url, SOULSPOT_SLSKD_API_KEY: sim.apiKey ?? "" }))))
    }).pipe(Effect.scoped))

  it.effect("slskd down: 503 with a message naming slskd", () =>
    Effect.gen(function*() {
      const r = yield* post({ title: "Karma Police", artist: "Radiohead" })
      expect(r.status).toBe(503)
      const body = (yield* Effect.orDie(r.json)) as any
      expect(body.error).toBe("Unavailable")
      expect(body.message).toMatch(/^slskd: /)
    }).pipe(Effect.provide(AppTest())))
})
