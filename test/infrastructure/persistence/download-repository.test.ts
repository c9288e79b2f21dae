import { describe, expect, it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Either, Layer, Option, Queue } from "effect"
import { Events } from "../../../src/application/events.js"
import { DownloadRepository } from "../../../src/domain/ports/DownloadRepository.js"
import { PersistenceTest, tempDbFile } from "../../support/db.js"

const track = (title: string, extra: object = {}) => ({ title, artist: "Massive Attack", album: "Mezzanine", ...extra })
const queue = (title: string, priority = 0) =>
  Effect.flatMap(DownloadRepository, (r) => r.queue({ track: track(title), priority, qualityProfile: "balanced" }))

describe("DownloadRepository", () => {
  it.layer(PersistenceTest())((it) => {
    it.effect("queues a WAITING download with its track and finds it again", () =>
      Effect.gen(function*() {
        const repo = yield* DownloadRepository
        const { download, created } = yield* repo.queue({ track: track("Teardrop", { durationMs: 330000 }), priority: 5, qualityProfile: "lossless" })
        expect(created).toBe(true)
        expect(download).toMatchObject({
          status: "WAITING", priority: 5, qualityProfile: "lossless", attempts: 0, slskdId: null,
          track: { title: "Teardrop", artist: "Massive Attack", album: "Mezzanine", durationMs: 330000 }
        })
        expect(download.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
        const found = yield* repo.get(download.id)
        expect(found).toEqual(download)
        const missing = yield* repo.get("nope").pipe(Effect.flip)
        expect(missing._tag).toBe("DownloadNotFound")
      }))

    it.effect("the same track asked twice gives the existing download, not a second row", () =>
      Effect.gen(function*() {
        const repo = yield* DownloadRepository
        const first = yield* queue("Angel")
        const second = yield* repo.queue({ track: { title: " angel ", artist: "MASSIVE ATTACK", album: "mezzanine" }, priority: 9, qualityProfile: "any" })
        expect(second.created).toBe(false)
        expect(second.download.id).toBe(first.download.id)
        const { total } = yield* repo.list({ limit: 50, offset: 0, statuses: ["WAITING"] })
        const all = yield* repo.list({ limit: 500, offset: 0 })
        expect(all.downloads.filter((d) => d.track.title === "Angel")).toHaveLength(1)
        expect(total).toBeGreaterThanOrEqual(1)
      }))

    it.effect("a completed track is not queued again, a failed one is", () =>
      Effect.gen(function*() {
        const repo = yield* DownloadRepository
        const done = yield* queue("Inertia Creeps")
        for (const s of ["PENDING", "QUEUED", "DOWNLOADING", "COMPLETED"] as const) yield* repo.updateStatus(done.download.id, s)
        const again = yield* queue("Inertia Creeps")
        expect(again).toMatchObject({ created: false, download: { id: done.download.id, status: "COMPLETED" } })
        expect(again.download.completedAt).not.toBeNull()

        const failed = yield* queue("Dissolved Girl")
        yield* repo.updateStatus(failed.download.id, "FAILED", { error: "no acceptable file found" })
        const retry = yield* queue("Dissolved Girl")
        expect(retry.created).toBe(true)
        expect(retry.download.id).not.toBe(failed.download.id)
      }))

    it.effect("refuses an illegal move and leaves the row as it was", () =>
      Effect.gen(function*() {
        const repo = yield* DownloadRepository
        const { download } = yield* queue("Man Next Door")
        const error = yield* repo.updateStatus(download.id, "COMPLETED").pipe(Effect.flip)
        expect(error._tag).toBe("IllegalTransition")
        const after = yield* repo.get(download.id)
        expect(after.status).toBe("WAITING")
        expect(after.updatedAt).toBe(download.updatedAt)
      }))

    it.effect("one transaction applies a batch of changes and skips the illegal ones", () =>
      Effect.gen(function*() {
        const repo = yield* DownloadRepository
        const a = (yield* queue("Black Milk")).download
        const b = (yield* queue("Group Four")).download
        yield* repo.updateStatus(a.id, "PENDING", { username: "peer", filename: "x\\a.flac", size: 10 })
        yield* repo.updateStatus(a.id, "QUEUED", { slskdId: "t1" })
        const result = yield* repo.applyChanges([
          { id: a.id, status: "DOWNLOADING", patch: { bytesTransferred: 5, speedBps: 100, etaSeconds: 1 } },
          { id: b.id, status: "COMPLETED", patch: {} },
          { id: "unknown", status: "FAILED", patch: {} }
        ])
        expect(result.applied.map((d) => [d.id, d.status, d.bytesTransferred])).toEqual([[a.id, "DOWNLOADING", 5]])
        expect(result.rejected.map((r) => [r.id, r.from, r.to])).toEqual([[b.id, "WAITING", "COMPLETED"]])
        expect((yield* repo.get(b.id)).status).toBe("WAITING")
      }))

    it.effect("with the caller's rows, the results built in memory equal what a read-back gives", () =>
      Effect.gen(function*() {
        const repo = yield* DownloadRepository
        const a = (yield* queue("Known A")).download
        const b = (yield* queue("Known B")).download
        const c = (yield* queue("Known C")).download
        for (const d of [a, b, c]) {
          yield* repo.updateStatus(d.id, "PENDING", { username: "peer", filename: `x\\${d.id}.flac`, size: 100 })
          yield* repo.updateStatus(d.id, "QUEUED", { slskdId: `t-${d.id}` })
        }
        const rows = yield* repo.getInFlight
        const known = new Map(rows.map((d) => [d.id, d]))
        yield* repo.updateStatus(c.id, "CANCELLED") // moved since the caller read it: must be read back, and its change refused
        const result = yield* repo.applyChanges([
          { id: a.id, status: "DOWNLOADING", patch: { bytesTransferred: 10, speedBps: 5, etaSeconds: 18, progressAt: "2026-11-24T10:00:00.000Z" } },
          { id: a.id, patch: { bytesTransferred: 20, slskdId: "t-new" } },
          { id: b.id, status: "DOWNLOADING", patch: {} },
          { id: b.id, status: "COMPLETED", patch: { bytesTransferred: 100, speedBps: 0, etaSeconds: null } },
          { id: c.id, status: "DOWNLOADING", patch: {} }
        ], known)
        expect(result.rejected.map((r) => r.id)).toEqual([c.id])
        for (const d of result.applied) expect(d).toEqual(yield* repo.get(d.id))
        expect(result.applied.map((d) => [d.id, d.status, d.bytesTransferred, d.slskdId])).toEqual([
          [a.id, "DOWNLOADING", 20, "t-new"], [b.id, "COMPLETED", 100, `t-${b.id}`]
        ])
      }))

    it.effect("publishes one event per committed change", () =>
      Effect.gen(function*() {
        const events = yield* Events
        const repo = yield* DownloadRepository
        const sub = yield* events.subscribe
        const { download } = yield* queue("Exchange")
        yield* repo.updateStatus(download.id, "CANCELLED")
        yield* repo.updateStatus(download.id, "COMPLETED").pipe(Effect.ignore)
        const got = yield* Queue.takeAll(sub)
        const mine = [...got].flatMap((e) => e.event._tag === "DownloadChanged" && e.event.download.id === download.id ? [e.event.download.status] : [])
        expect(mine).toEqual(["WAITING", "CANCELLED"])
        const ids = [...got].map((e) => e.id)
        expect(ids).toEqual([...ids].sort((x, y) => x - y))
      }).pipe(Effect.scoped))

    it.effect("lists active by priority then age, counts by status", () =>
      Effect.gen(function*() {
        const repo = yield* DownloadRepository
        const low = (yield* queue("Low", -5)).download
        const high = (yield* queue("High", 100)).download
        const active = (yield* repo.listActive({ limit: 1000 })).downloads
        expect(active.findIndex((d) => d.id === high.id)).toBeLessThan(active.findIndex((d) => d.id === low.id))
        const stats = yield* repo.stats("1970-01-01T00:00:00.000Z")
        const all = yield* repo.list({ limit: 500, offset: 0 })
        expect(stats.total).toBe(all.total)
        expect(stats.waiting + stats.pending + stats.queued + stats.downloading + stats.completed + stats.failed + stats.cancelled).toBe(stats.total)
        expect(stats.completedToday).toBe(stats.completed)
      }))

    it.effect("stores ranked candidates and their outcomes", () =>
      Effect.gen(function*() {
        const repo = yield* DownloadRepository
        const { download } = yield* queue("Risingson")
        yield* repo.saveCandidates(download.id, [
          { rank: 1, username: "u1", filename: "A\\01.flac", size: 100, score: 0.9, accepted: true, reasons: ["duration 5:29 vs 5:28 ✓"], query: "massive attack risingson" },
          { rank: 2, username: "u2", filename: "B\\01 (Live).mp3", size: 50, score: 0, accepted: false, reasons: ["rejected: live version"], query: "massive attack risingson" }
        ])
        yield* repo.markCandidate(download.id, 1, "failed: Transfer rejected: File not shared.")
        const cands = yield* repo.candidates(download.id)
        expect(cands.map((c) => [c.rank, c.accepted, c.outcome])).toEqual([[1, true, "failed: Transfer rejected: File not shared."], [2, false, null]])
        expect(cands[1]?.reasons).toEqual(["rejected: live version"])
      }))

    it.effect("the database itself refuses a second active download of one track", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const { download } = yield* queue("Mezzanine")
        const dup = yield* sql`INSERT INTO downloads (id, track_id, status, created_at, updated_at)
          VALUES ('dup', ${download.trackId}, 'PENDING', 'x', 'x')`.pipe(Effect.either)
        expect(Either.isLeft(dup)).toBe(true)
      }))
  })

  it.effect("two processes queueing the same track at once make exactly one row", () =>
    Effect.gen(function*() {
      const file = tempDbFile()
      // Two separate SQLite connections on one file, as two processes would have.
      const one = PersistenceTest(file)
      const race = (layer: typeof one) => Effect.provide(Effect.all(Array.from({ length: 10 }, () => queue("Race")), { concurrency: "unbounded" }), layer)
      yield* Effect.provide(queue("Warm-up"), one) // migrate first
      const [a, b] = yield* Effect.all([race(PersistenceTest(file)), race(PersistenceTest(file))], { concurrency: 2 })
      const results = [...a, ...b]
      expect(results.filter((r) => r.created)).toHaveLength(1)
      expect(new Set(results.map((r) => r.download.id)).size).toBe(1)
      const all = yield* Effect.provide(Effect.flatMap(DownloadRepository, (r) => r.list({ limit: 50, offset: 0 })), one)
      expect(all.downloads.filter((d) => d.track.title === "Race")).toHaveLength(1)
    }))

  it.effect("data survives closing and reopening the file", () =>
    Effect.gen(function*() {
      const file = tempDbFile()
      const id = yield* Effect.scoped(Layer.build(PersistenceTest(file)).pipe(
        Effect.flatMap((ctx) => Effect.provide(queue("Persist"), ctx)),
        Effect.map((r) => r.download.id)))
      const again = yield* Effect.scoped(Layer.build(PersistenceTest(file)).pipe(
        Effect.flatMap((ctx) => Effect.provide(Effect.flatMap(DownloadRepository, (r) => r.find(id)), ctx))))
      expect(Option.map(again, (d) => [d.track.title, d.status])).toEqual(Option.some(["Persist", "WAITING"]))
    }))
})
