import { HttpApiClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { SoulSpotApi } from "../../src/api/api.js"
import { AppTest } from "../support/app.js"

// The client is derived from the same HttpApi definition the server serves: a route, payload or
// response shape that drifts from it fails here (and in the type check).
const client = HttpApiClient.make(SoulSpotApi)

describe("the API through its typed client", () => {
  it.layer(AppTest(), { timeout: 20_000 })((it) => {
    it.effect("queue, read, list, cancel, retry, stats, health, settings", () =>
      Effect.gen(function*() {
        const api = yield* client
        const created = yield* api.downloads.create({ payload: { title: "Unfinished Sympathy", artist: "Massive Attack", album: "Blue Lines", priority: 7 } })
        expect(created).toMatchObject({ status: "WAITING", priority: 7, track: { title: "Unfinished Sympathy", album: "Blue Lines" } })
        expect(yield* api.downloads.get({ path: { id: created.id } })).toEqual(created)
        const list = yield* api.downloads.list({ urlParams: { status: ["WAITING"], limit: 10 } })
        expect(list.downloads.map((d) => d.id)).toContain(created.id)
        expect(list.next_cursor).toBeNull()
        const active = yield* api.manager.active({ urlParams: {} })
        expect(active).toMatchObject({ total: 1, next_cursor: null })
        expect(active.downloads[0]?.id).toBe(created.id)
        const page = yield* api.manager.active({ urlParams: { limit: 1, q: "sympathy", status: ["WAITING"] } })
        expect(page.downloads.map((d) => d.id)).toEqual([created.id])
        expect((yield* api.downloads.update({ path: { id: created.id }, payload: { priority: 9 } })).priority).toBe(9)
        const bulk = yield* api.downloads.bulk({ payload: { ids: [created.id, "nope"], action: "priority", priority: 7 } })
        expect(bulk).toEqual({ done: [created.id], refused: [{ id: "nope", error: "NotFound", message: "no download with id nope" }] })
        const cancelled = yield* api.downloads.cancel({ path: { id: created.id }, urlParams: {} })
        expect(cancelled).toMatchObject({ status: "CANCELLED" })
        const retried = yield* api.downloads.retry({ path: { id: created.id } })
        expect(retried).toMatchObject({ status: "WAITING", attempts: 0 })
        const stats = yield* api.manager.stats()
        expect(stats.waiting).toBeGreaterThanOrEqual(1)
        const health = yield* api.manager.health()
        expect(health).toMatchObject({ provider: "slskd", state: "CLOSED" })
        const settings = yield* api.settings.update({ payload: { "retry.max_attempts": 6 } })
        expect(settings.settings.find((s) => s.key === "retry.max_attempts")).toMatchObject({ value: "6", source: "database" })
      }))

    it.effect("errors arrive as the declared tagged errors", () =>
      Effect.gen(function*() {
        const api = yield* client
        const missing = yield* api.downloads.get({ path: { id: "no-such-id" } }).pipe(Effect.flip)
        expect(missing).toMatchObject({ _tag: "NotFound", message: "no download with id no-such-id" })
        const d = yield* api.downloads.create({ payload: { title: "Hymn of the Big Wheel", artist: "Massive Attack" } })
        const conflict = yield* api.downloads.retry({ path: { id: d.id } }).pipe(Effect.flip)
        expect(conflict._tag).toBe("Conflict")
        const bad = yield* api.downloads.create({ payload: { title: "", artist: "x" } }).pipe(Effect.flip)
        expect(bad._tag).toBe("BadRequest")
        const profile = yield* api.downloads.create({ payload: { title: "x", artist: "y", quality_profile: "nope" } }).pipe(Effect.flip)
        expect(profile._tag).toBe("Unprocessable")
      }))
  })
})
