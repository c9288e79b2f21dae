import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { AppTest } from "../support/app.js"
import { request } from "../support/http.js"

const post = (url: string, json: unknown) => Effect.map(request("POST", url, { json }), (r) => ({ ...r, body: JSON.parse(r.text) }))
const stats = Effect.map(request("GET", "/api/downloads/manager/stats"), (r) => JSON.parse(r.text) as { total: number; waiting: number })

describe("POST /api/downloads/batch", () => {
  it.layer(AppTest(), { timeout: 30_000 })((it) => {
    it.effect("queues the valid items, refuses the invalid ones by index, and is idempotent per track", () =>
      Effect.gen(function*() {
        const before = (yield* stats).total
        const tracks = [
          { title: "Teardrop", artist: "Massive Attack", album: "Mezzanine", duration_ms: 330000 },
          { title: "", artist: "Nobody" },
          { title: "Angel", artist: "Massive Attack", album: "Mezzanine" },
          "not a track",
          { title: "Karma Police", artist: "Radiohead", duration_ms: -5 },
          { title: "  teardrop ", artist: "MASSIVE ATTACK", album: "mezzanine" },
          { artist: "Radiohead" }
        ]
        const first = yield* post("/api/downloads/batch", { tracks, priority: 5 })
        expect(first.status).toBe(200)
        expect(first.body.created).toBe(2)
        expect(first.body.existing).toBe(1)
        expect(first.body.refused.map((r: any) => r.index)).toEqual([1, 3, 4, 6])
        expect(first.body.refused[0]).toEqual({ index: 1, error: "BadRequest", message: "tracks.1: title: must not be empty" })
        expect(first.body.refused[2].message).toMatch(/^tracks\.4: duration_ms/)
        expect(first.body.refused[3].message).toMatch(/title: is required/)
        expect(first.body.downloads.map((d: any) => d.index)).toEqual([0, 2, 5])
        // the repeated spelling in the same batch is the same download
        expect(first.body.downloads[2].id).toBe(first.body.downloads[0].id)
        expect((yield* stats).total).toBe(before + 2)

        const one = yield* request("GET", `/api/downloads/${first.body.downloads[0].id}`)
        expect(JSON.parse(one.text)).toMatchObject({ status: "WAITING", priority: 5, track: { title: "Teardrop", album: "Mezzanine", duration_ms: 330000 } })

        // the same batch again creates nothing; the single POST sees the same download
        const again = yield* post("/api/downloads/batch", { tracks })
        expect(again.body).toMatchObject({ created: 0, existing: 3 })
        expect(again.body.downloads.map((d: any) => d.id)).toEqual(first.body.downloads.map((d: any) => d.id))
        const single = yield* post("/api/downloads", { title: "Angel", artist: "Massive Attack", album: "Mezzanine" })
        expect(single.status).toBe(200)
        expect(single.body.id).toBe(first.body.downloads[1].id)
        expect((yield* stats).total).toBe(before + 2)
      }))

    it.effect("a track the single POST queued is answered with that download", () =>
      Effect.gen(function*() {
        const single = yield* post("/api/downloads", { title: "Roads", artist: "Portishead", spotify_id: "0aBcDeFgHiJkLmNoPqRsTu" })
        const batch = yield* post("/api/downloads/batch", { tracks: [{ title: "Roads (other spelling)", artist: "Portishead", spotify_id: "0aBcDeFgHiJkLmNoPqRsTu" }] })
        expect(batch.body).toMatchObject({ created: 0, existing: 1, downloads: [{ index: 0, id: single.body.id, status: "WAITING" }] })
      }))

    it.effect("a cancelled track is queued afresh, like the single POST does", () =>
      Effect.gen(function*() {
        const first = yield* post("/api/downloads/batch", { tracks: [{ title: "Glory Box", artist: "Portishead" }] })
        const id = first.body.downloads[0].id
        yield* request("DELETE", `/api/downloads/${id}`)
        const again = yield* post("/api/downloads/batch", { tracks: [{ title: "Glory Box", artist: "Portishead" }] })
        expect(again.body.created).toBe(1)
        expect(again.body.downloads[0].id).not.toBe(id)
      }))

    it.effect("whole-request problems are a 400/422 and store nothing", () =>
      Effect.gen(function*() {
        const before = (yield* stats).total
        const empty = yield* post("/api/downloads/batch", { tracks: [] })
        expect(empty.status).toBe(400)
        expect(empty.body).toMatchObject({ error: "BadRequest", message: "tracks: must hold at least one track" })
        const tooMany = yield* post("/api/downloads/batch", { tracks: Array.from({ length: 10_001 }, () => ({})) })
        expect(tooMany.status).toBe(400)
        expect(tooMany.body.message).toMatch(/at most 10000 tracks/)
        const noList = yield* post("/api/downloads/batch", { tracks: "x" })
        expect(noList.status).toBe(400)
        const profile = yield* post("/api/downloads/batch", { tracks: [{ title: "a", artist: "b" }], quality_profile: "nope" })
        expect(profile.status).toBe(422)
        expect(profile.body.error).toBe("Unprocessable")
        const priority = yield* post("/api/downloads/batch", { tracks: [{ title: "a", artist: "b" }], priority: 5000 })
        expect(priority.status).toBe(400)
        expect((yield* stats).total).toBe(before)
      }))

    it.effect("10,000 tracks in one request, in list order", () =>
      Effect.gen(function*() {
        const tracks = Array.from({ length: 10_000 }, (_, i) => ({ title: `Song ${i}`, artist: `Artist ${i % 97}`, album: `Album ${i % 500}` }))
        const r = yield* post("/api/downloads/batch", { tracks })
        expect(r.status).toBe(200)
        expect(r.body.created).toBe(10_000)
        expect(r.body.refused).toEqual([])
        const active = JSON.parse((yield* request("GET", "/api/downloads?status=WAITING&limit=500")).text)
        expect(active.total).toBeGreaterThanOrEqual(10_000)
        const metrics = (yield* request("GET", "/metrics")).text
        expect(metrics).toMatch(/soulspot_imported_tracks_total\{source="batch"\} (1\d{4})/)
      }))

    it.effect("a batch body above 1 MiB (10,000 tracks with albums and durations) is read, not refused as too large", () =>
      Effect.gen(function*() {
        const tracks = Array.from({ length: 10_000 }, (_, i) => ({
          title: `A rather long bench song title ${i}`, artist: `Bench artist number ${i % 300}`,
          album: `Bench album with a long name ${Math.floor(i / 12)}`, duration_ms: 180_000 + (i % 120) * 1000, track_number: (i % 12) + 1
        }))
        expect(JSON.stringify({ tracks }).length).toBeGreaterThan(1024 * 1024)
        const r = yield* post("/api/downloads/batch", { tracks })
        expect(r.status).toBe(200)
        expect(r.body.created).toBe(10_000)
      }))
  })
})
