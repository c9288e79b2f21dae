/**
 * The outbox on real SQLite: the triggers write each event in the transaction of the change,
 * an album's tracks are announced once as the album, and every enabled target that wants the
 * event gets one delivery.
 */
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { DownloadStatus } from "../../../src/domain/download.js"
import { DownloadRepository } from "../../../src/domain/ports/DownloadRepository.js"
import { ImportRepository } from "../../../src/domain/ports/ImportRepository.js"
import { TrackRepository } from "../../../src/domain/ports/TrackRepository.js"
import { ImportRepositoryLive } from "../../../src/infrastructure/persistence/import-repository.js"
import { NotificationStore } from "../../../src/infrastructure/persistence/notification-repository.js"
import { PersistenceTest, tempDbFile } from "../../support/db.js"

const FILE = { username: "peer", filename: "@@p\\Song.flac", size: 1000 }

/** A fresh database file per test (it.layer would share memoized repositories between blocks). */
const inDb = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  body.pipe(Effect.provide(ImportRepositoryLive.pipe(Layer.provideMerge(PersistenceTest(tempDbFile())))))

export const outbox = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ type: string; payload: string; messages: number }>`SELECT type, payload, messages FROM notification_outbox ORDER BY seq`).pipe(
  Effect.map((rows) => rows.map((r) => ({ type: r.type, messages: r.messages === 1, payload: JSON.parse(r.payload) as Record<string, any> }))),
  Effect.orDie)

const deliveries = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ targetId: string; type: string }>`SELECT d.target_id, o.type FROM notification_deliveries d JOIN notification_outbox o ON o.seq = d.outbox_seq ORDER BY d.outbox_seq, d.target_id`).pipe(Effect.orDie)

/** Through the states a real download passes: PENDING, QUEUED, DOWNLOADING, then `to`. */
export const finish = (id: string, to: DownloadStatus, error?: string) => Effect.gen(function*() {
  const repo = yield* DownloadRepository
  yield* repo.updateStatus(id, "PENDING", FILE)
  yield* repo.updateStatus(id, "QUEUED", { slskdId: `s-${id}` })
  yield* repo.updateStatus(id, "DOWNLOADING", { bytesTransferred: 1 })
  yield* repo.updateStatus(id, to, error === undefined ? {} : { error })
}).pipe(Effect.orDie)

const queueSingle = (title: string) =>
  Effect.flatMap(DownloadRepository, (r) => r.queue({ track: { title, artist: "Solo Artist" }, priority: 0, qualityProfile: "balanced" }))
    .pipe(Effect.map((q) => q.download.id))

export const queueAlbum = (n: number, title = "Twelve Songs") => Effect.gen(function*() {
  const tracks = yield* TrackRepository
  const repo = yield* DownloadRepository
  const album = yield* tracks.upsertAlbum({
    source: "local", sourceId: title, title, artist: "Band", releaseDate: null,
    tracks: Array.from({ length: n }, (_, i) => ({ title: `${title} ${i + 1}`, artist: "Band", album: title, trackNumber: i + 1 }))
  })
  const ids: Array<string> = []
  for (const t of album.tracks) ids.push((yield* repo.queueTrack(t.id, 0, "balanced")).download.id)
  return { albumId: album.album.id, ids }
})

describe("notification outbox", () => {
    it.effect("a finished single track writes download.completed; a failed one download.failed with the reason", () =>
      inDb(Effect.gen(function*() {
        const store = yield* NotificationStore
        yield* store.replaceTargets([
          { type: "webhook", url: "http://127.0.0.1:9/all", name: "all", enabled: true },
          { type: "webhook", url: "http://127.0.0.1:9/failures", name: "failures", enabled: true, events: ["download.failed"] },
          { type: "webhook", url: "http://127.0.0.1:9/off", name: "off", enabled: false },
          { type: "jellyfin", url: "http://127.0.0.1:9", token: "t", enabled: true }
        ])
        const ok = yield* queueSingle("Good Song")
        const bad = yield* queueSingle("Bad Song")
        yield* finish(ok, "COMPLETED")
        yield* finish(bad, "FAILED", "no peer has it")
        const events = yield* outbox
        expect(events.map((e) => e.type)).toEqual(["download.completed", "download.failed"])
        expect(events[0]!.payload.download).toMatchObject({ id: ok, status: "COMPLETED", username: "peer", track: { title: "Good Song", artist: "Solo Artist" } })
        expect(events[1]!.payload).toMatchObject({ reason: "no peer has it", download: { id: bad, status: "FAILED" } })
        const names = new Map((yield* store.listTargets).map((t) => [t.id, t.target.name]))
        expect((yield* deliveries).map((d) => `${d.type}→${names.get(d.targetId)}`).sort()).toEqual([
          "download.completed→all", "download.failed→all", "download.failed→failures"
        ])
      })))

    it.effect("an album of 12 tracks (import off) gives one album.completed and no per-track message", () =>
      inDb(Effect.gen(function*() {
        const { albumId, ids } = yield* queueAlbum(12)
        for (const id of ids.slice(0, 11)) yield* finish(id, "COMPLETED")
        expect(yield* outbox).toEqual([])
        yield* finish(ids[11]!, "COMPLETED")
        const events = yield* outbox
        expect(events).toHaveLength(1)
        expect(events[0]).toMatchObject({ type: "album.completed", payload: { album: { id: albumId, title: "Twelve Songs", artist: "Band", total_tracks: 12, done_tracks: 12 } } })
        // a retried track that completes again does not announce the album twice
        const repo = yield* DownloadRepository
        const again = yield* repo.queueTrack((yield* repo.get(ids[0]!)).trackId, 0, "balanced")
        expect(again.created).toBe(false)
        expect(yield* outbox).toHaveLength(1)
      })))

    it.effect("with the import on, the album waits for its imports; imports of album tracks send no message; a review does", () =>
      inDb(Effect.gen(function*() {
        const store = yield* NotificationStore
        const imports = yield* ImportRepository
        yield* store.setImportOn(true)
        const { ids } = yield* queueAlbum(3, "Three")
        const single = yield* queueSingle("Lonely")
        for (const id of [...ids, single]) yield* finish(id, "COMPLETED")
        expect((yield* outbox).map((e) => e.type)).toEqual(["download.completed"])
        for (const id of [...ids, single]) yield* imports.begin(id, false, null)
        yield* imports.update(ids[0]!, { status: "IMPORTED", step: "DONE", path: "/music/Band/Three/01.flac" })
        yield* imports.update(ids[1]!, { status: "NEEDS_REVIEW", reason: "too short" })
        yield* imports.update(single, { status: "IMPORTED", step: "DONE", path: "/music/Solo/Lonely.flac" })
        expect((yield* outbox).map((e) => `${e.type}${e.messages ? "" : " (silent)"}`)).toEqual([
          "download.completed", "download.imported (silent)", "download.needs_review", "download.imported"
        ])
        // the imported file's path travels with the event: the media-server scans need its folder
        expect((yield* outbox).filter((e) => e.type === "download.imported").map((e) => e.payload.download.import)).toEqual([
          expect.objectContaining({ status: "IMPORTED", path: "/music/Band/Three/01.flac" }),
          expect.objectContaining({ status: "IMPORTED", path: "/music/Solo/Lonely.flac" })
        ])
        yield* imports.update(ids[2]!, { status: "IMPORTED", step: "DONE", path: "/music/Band/Three/03.flac" })
        expect((yield* outbox).filter((e) => e.type === "album.completed")).toEqual([])
        // the review accepted: the last track lands and the album is complete
        yield* imports.update(ids[1]!, { status: "IMPORTED", step: "DONE", path: "/music/Band/Three/02.flac" })
        const album = (yield* outbox).filter((e) => e.type === "album.completed")
        expect(album).toHaveLength(1)
        expect(album[0]!.payload.album).toMatchObject({ title: "Three", total_tracks: 3 })
        expect((yield* outbox).find((e) => e.type === "download.needs_review")!.payload).toMatchObject({ reason: "too short" })
      })))
})
