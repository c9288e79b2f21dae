/**
 * Notifications with the whole engine against the slskd simulator, on the test clock: an album
 * of 12 tracks is one message, a hanging target never holds up the status sync, and a long
 * slskd outage is one slskd.down / slskd.up pair that a restart does not repeat.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { QueueAlbumDownloads } from "../../../src/application/queue-album-downloads.js"
import { StatusSync } from "../../../src/application/workers/status-sync.js"
import { makeSimulator, type SimFile } from "../../../src/dev/slskd-simulator/index.js"
import { DownloadRepository } from "../../../src/domain/ports/DownloadRepository.js"
import type { NotificationTarget } from "../../../src/domain/notifications/targets.js"
import { Settings } from "../../../src/domain/ports/Settings.js"
import { NotificationStore } from "../../../src/infrastructure/persistence/notification-repository.js"
import { tempDbFile } from "../../support/db.js"
import { allIn, engineLayer, waitUntil } from "../../support/engine.js"
import { makeReceiver, type Receiver } from "../../support/receiver.js"
import { advance, realPause } from "../../support/simulator.js"

const TRACKS = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett", "Kilo", "Lima"]
const FOLDER = "@@nato\\Music\\Signal Band\\2001 - Phonetic [FLAC]"
const files: ReadonlyArray<SimFile> = TRACKS.map((t, i) => ({
  filename: `${FOLDER}\\${String(i + 1).padStart(2, "0")} - ${t}.flac`, extension: "", size: 30_000_000 + i, length: 240 + i
}))
const PEER = { username: "nato_peer", uploadSpeed: 8 * 1024 * 1024, hasFreeUploadSlot: true, queueLength: 0, files }

const targets = (...ts: ReadonlyArray<NotificationTarget>) => Effect.flatMap(NotificationStore, (s) => s.replaceTargets(ts))
const events = (r: Receiver) => r.received.map((x) => (JSON.parse(x.body) as { event: string }).event)

describe("notifications with the engine", () => {
  it.effect("an album of 12 tracks gives exactly one album message and no per-track ones", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* sim.control.addPeer(PEER)
      const r = yield* makeReceiver
      yield* Effect.gen(function*() {
        yield* targets({ type: "webhook", url: r.url, enabled: true })
        const albums = yield* QueueAlbumDownloads
        const stored = yield* albums.importLocalAlbum({
          title: "Phonetic", artist: "Signal Band",
          tracks: TRACKS.map((title, i) => ({ title, artist: "Signal Band", durationMs: (240 + i) * 1000, trackNumber: i + 1 }))
        })
        const result = yield* albums.run({ source: "local", albumRef: stored.album.id })
        yield* waitUntil(allIn(result.downloads.map((d) => d.id), ["COMPLETED"]), { limit: "30 minutes", step: "1 second" })
        yield* waitUntil(Effect.sync(() => r.received.length >= 1), { step: "1 second" })
        // a while longer: nothing else may follow
        yield* advance("30 seconds", "1 second")
        expect(events(r)).toEqual(["album.completed"])
        expect(JSON.parse(r.received[0]!.body)).toMatchObject({
          version: 1, event: "album.completed", title: "Album complete: Signal Band – Phonetic",
          album: { id: stored.album.id, title: "Phonetic", artist: "Signal Band", total_tracks: 12, done_tracks: 12 }
        })
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  it.effect("a hanging target does not hold up the status sync or the other targets", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* sim.control.addPeer(PEER)
      const hanging = yield* makeReceiver
      const fine = yield* makeReceiver
      hanging.fallback({ hang: true })
      yield* Effect.gen(function*() {
        yield* targets({ type: "webhook", url: hanging.url, enabled: true }, { type: "webhook", url: fine.url, enabled: true })
        const repo = yield* DownloadRepository
        const queue = (title: string) => Effect.map(repo.queue({ track: { title, artist: "Signal Band" }, priority: 0, qualityProfile: "balanced" }), (q) => q.download.id)
        const first = yield* queue("Alpha")
        yield* waitUntil(Effect.sync(() => hanging.received.length >= 1 && fine.received.length >= 1), { step: "500 millis" })
        expect(yield* allIn([first], ["COMPLETED"])).toBe(true)
        // with the request still open (the test clock stands still), a sync tick runs to its end at once
        const synced = yield* Effect.raceFirst(
          Effect.as(Effect.flatMap(StatusSync, (s) => s.tick), "synced"),
          Effect.as(realPause(5000), "held up"))
        expect(synced).toBe("synced")
        // the hanging request is open: later downloads still move and are announced to the other target
        const later = [yield* queue("Bravo"), yield* queue("Charlie")]
        yield* waitUntil(allIn(later, ["COMPLETED"]), { step: "500 millis" })
        yield* waitUntil(Effect.sync(() => fine.received.length >= 3), { step: "500 millis" })
        expect(events(fine)).toEqual(["download.completed", "download.completed", "download.completed"])
        expect(hanging.received.length).toBeGreaterThanOrEqual(1)
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  it.effect("slskd unreachable longer than the threshold: one slskd.down, one slskd.up, even across a restart", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      const r = yield* makeReceiver
      const db = tempDbFile()
      yield* Effect.gen(function*() {
        yield* Effect.flatMap(Settings, (s) => s.update({ "notifications.slskd_down_after": "2 minutes" }))
        yield* targets({ type: "webhook", url: r.url, enabled: true, events: ["slskd.down", "slskd.up"] })
        // a short blip says nothing
        yield* sim.control.setDown(true)
        yield* advance("60 seconds", "5 seconds")
        yield* sim.control.setDown(false)
        yield* advance("60 seconds", "5 seconds")
        expect(r.received).toHaveLength(0)
        // a long one is announced once
        yield* sim.control.setDown(true)
        yield* waitUntil(Effect.sync(() => r.received.length >= 1), { step: "5 seconds" })
        yield* advance("5 minutes", "5 seconds")
        expect(events(r)).toEqual(["slskd.down"])
      }).pipe(Effect.provide(engineLayer(db, sim)))
      // restarted while slskd is still down: no second slskd.down; when it is back, one slskd.up
      yield* TestClock.adjust("1 minute")
      yield* Effect.gen(function*() {
        yield* advance("3 minutes", "5 seconds")
        expect(events(r)).toEqual(["slskd.down"])
        yield* sim.control.setDown(false)
        yield* waitUntil(Effect.sync(() => r.received.length >= 2), { step: "5 seconds" })
        yield* advance("2 minutes", "5 seconds")
      }).pipe(Effect.provide(engineLayer(db, sim)))
      expect(events(r)).toEqual(["slskd.down", "slskd.up"])
      expect(JSON.parse(r.received[1]!.body)).toMatchObject({ event: "slskd.up", title: "slskd is back", health: { reachable: true } })
    }).pipe(Effect.scoped))
})
