import { describe, expect, it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Option, TestClock } from "effect"
import { AlbumGroups } from "../../../src/domain/ports/AlbumGroups.js"
import { DownloadRepository } from "../../../src/domain/ports/DownloadRepository.js"
import { TrackRepository } from "../../../src/domain/ports/TrackRepository.js"
import { GROUP_SQL } from "../../../src/infrastructure/persistence/album-group-repository.js"
import { PersistenceTest } from "../../support/db.js"

const ARTIST = "Grouping Band"

/** A stored album (catalog "deezer") with these tracks (disc, track, title); returns its id and track ids by title. */
const storeAlbum = (sourceId: string, title: string, tracks: ReadonlyArray<readonly [number, number, string, string?]>, totalTracks?: number, coverUrl?: string) =>
  Effect.gen(function*() {
    const repo = yield* TrackRepository
    const stored = yield* repo.upsertAlbum({
      source: "deezer", sourceId, title, artist: ARTIST, releaseDate: "2001", coverUrl: coverUrl ?? null,
      tracks: tracks.map(([discNumber, trackNumber, t, album]) => ({ title: t, artist: ARTIST, album: album ?? title, discNumber, trackNumber }))
    })
    if (totalTracks !== undefined) yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql`UPDATE albums SET total_tracks = ${totalTracks} WHERE id = ${stored.album.id}`)
    return { albumId: stored.album.id, trackIds: new Map(stored.tracks.map((t) => [t.title, t.id])) }
  })

const walk = (id: string, to: "COMPLETED" | "FAILED" | "CANCELLED") => Effect.gen(function*() {
  const repo = yield* DownloadRepository
  if (to === "COMPLETED") for (const s of ["PENDING", "QUEUED", "DOWNLOADING", "COMPLETED"] as const) yield* repo.updateStatus(id, s)
  else yield* repo.updateStatus(id, to)
}).pipe(Effect.orDie)

const imported = (downloadId: string) => Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql`INSERT INTO download_imports (download_id, status, step, created_at, updated_at) VALUES (${downloadId}, 'IMPORTED', 'DONE', '2026-01-01', '2026-01-01')`)

describe("AlbumGroups", () => {
  it.layer(PersistenceTest())((it) => {
    it.effect("an album's downloads in disc and track order, with done, failed and in-library counted per track", () =>
      Effect.gen(function*() {
        // stored out of order: disc 2 first, track 3 before 1
        const { albumId, trackIds } = yield* storeAlbum("100", "Two Discs", [[2, 2, "D2T2"], [2, 1, "D2T1"], [1, 3, "D1T3"], [1, 1, "D1T1"], [1, 2, "D1T2"]], 6, "https://cdn.example/c.jpg")
        const repo = yield* DownloadRepository
        // queued in another order again
        const ids = new Map<string, string>()
        for (const t of ["D1T3", "D2T2", "D1T1", "D2T1", "D1T2"]) {
          ids.set(t, (yield* repo.queueTrack(trackIds.get(t)!, 0, "balanced")).download.id)
          yield* TestClock.adjust("1 second")
        }
        yield* walk(ids.get("D1T1")!, "COMPLETED")
        yield* walk(ids.get("D1T2")!, "COMPLETED")
        yield* imported(ids.get("D1T1")!)
        yield* walk(ids.get("D2T1")!, "FAILED")
        // a cancelled track counts as neither
        yield* walk(ids.get("D2T2")!, "CANCELLED")

        const groups = yield* Effect.flatMap(AlbumGroups, (g) => g.ofTracks([trackIds.get("D2T2")!]))
        expect(groups).toHaveLength(1)
        const g = groups[0]!
        expect(g).toMatchObject({ albumId, title: "Two Discs", artist: ARTIST, coverUrl: "https://cdn.example/c.jpg", totalTracks: 6, done: 2, failed: 1, inLibrary: 1 })
        const titleOf = new Map([...ids].map(([t, d]) => [d, t]))
        expect(g.members.map((m) => titleOf.get(m.downloadId))).toEqual(["D1T1", "D1T2", "D1T3", "D2T1", "D2T2"])
        expect(g.members.map((m) => `${m.discNumber}-${m.trackNumber}`)).toEqual(["1-1", "1-2", "1-3", "2-1", "2-2"])

        // a retry of the failed track: no longer failed
        yield* repo.updateStatus(ids.get("D2T1")!, "WAITING")
        const again = (yield* Effect.flatMap(AlbumGroups, (a) => a.ofTracks([trackIds.get("D1T1")!])))[0]!
        expect(again.failed).toBe(0)
        expect(Option.getOrNull(yield* Effect.flatMap(AlbumGroups, (a) => a.coverUrl(albumId)))).toBe("https://cdn.example/c.jpg")
      }))

    it.effect("a track on two albums is shown in the album stored last and counted in both; a track of no album has no group", () =>
      Effect.gen(function*() {
        const original = yield* storeAlbum("200", "Original", [[1, 1, "Shared Song"], [1, 2, "Only Original"]])
        yield* TestClock.adjust("1 minute")
        const best = yield* storeAlbum("201", "Best Of", [[1, 1, "Hit"], [1, 7, "Shared Song", "Original"]])
        const repo = yield* DownloadRepository
        // the same track (same request key) on both albums
        expect(best.trackIds.get("Shared Song")).toBe(original.trackIds.get("Shared Song"))
        const shared = (yield* repo.queueTrack(best.trackIds.get("Shared Song")!, 0, "balanced")).download
        const only = (yield* repo.queueTrack(original.trackIds.get("Only Original")!, 0, "balanced")).download
        yield* walk(shared.id, "COMPLETED")
        const loose = (yield* repo.queue({ track: { title: "Loose", artist: ARTIST }, priority: 0, qualityProfile: "balanced" })).download

        const groups = yield* Effect.flatMap(AlbumGroups, (g) => g.ofTracks([shared.trackId, only.trackId, loose.trackId]))
        const byTitle = new Map(groups.map((g) => [g.title, g]))
        expect([...byTitle.keys()].sort()).toEqual(["Best Of", "Original"])
        expect(byTitle.get("Best Of")!.members.map((m) => m.downloadId)).toEqual([shared.id])
        expect(byTitle.get("Original")!.members.map((m) => m.downloadId)).toEqual([only.id])
        // counted on both albums: it is on both
        expect(byTitle.get("Best Of")!.done).toBe(1)
        expect(byTitle.get("Original")!.done).toBe(1)
        expect(yield* Effect.flatMap(AlbumGroups, (g) => g.ofTracks([loose.trackId]))).toEqual([])
        expect(yield* Effect.flatMap(AlbumGroups, (g) => g.ofTracks([]))).toEqual([])
        expect(Option.isNone(yield* Effect.flatMap(AlbumGroups, (g) => g.coverUrl(original.albumId)))).toBe(true)
      }))

    it.effect("the query is index lookups only: no table is scanned", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const plan = yield* sql.unsafe<{ detail: string }>(`EXPLAIN QUERY PLAN ${GROUP_SQL}`, [JSON.stringify(["a", "b"])])
        const details = plan.map((r) => r.detail)
        const scans = details.filter((d) => /^SCAN (?!json_each|asked|w\b|wanted)/.test(d))
        expect(scans, details.join("\n")).toEqual([])
      }))
  })
})
