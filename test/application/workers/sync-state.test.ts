/**
 * "Last sync" on the slskd panel tells what the status sync really did, against the simulator:
 * nothing to follow while nothing is in flight (not "never"), never older than the rows it wrote
 * while transfers run (and the counters agree with those rows), and why it is failing when
 * slskd's transfer listing cannot be read.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { HealthReport } from "../../../src/application/health.js"
import { DownloadManager } from "../../../src/application/download-manager.js"
import { healthPanel } from "../../../src/api/views/panels.js"
import { makeSimulator } from "../../../src/dev/slskd-simulator/index.js"
import { DownloadRepository } from "../../../src/domain/ports/DownloadRepository.js"
import { tempDbFile } from "../../support/db.js"
import { engineLayer, statusOf, waitUntil } from "../../support/engine.js"
import { advance } from "../../support/simulator.js"

const TRACKS = [
  { title: "Karma Police", artist: "Radiohead" },
  { title: "Teardrop", artist: "Massive Attack" },
  { title: "Smells Like Teen Spirit", artist: "Nirvana" },
  { title: "Dreams", artist: "Fleetwood Mac" }
]

const queue = (track: { title: string; artist: string }) =>
  Effect.flatMap(DownloadRepository, (r) => r.queue({ track, priority: 0, qualityProfile: "balanced" })).pipe(Effect.map((q) => q.download.id))

const panelText = (now: number) => Effect.map(Effect.flatMap(HealthReport, (h) => h.report), (h) =>
  healthPanel(h, now).value.replace(/<[^>]+>/g, "").replace(/\s+/g, " "))

describe("last sync on the slskd panel", () => {
  it.effect("with nothing in flight the panel says there is nothing to follow, not 'never'", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* Effect.gen(function*() {
        yield* advance("12 seconds", "1 second")
        const h = yield* Effect.flatMap(HealthReport, (r) => r.report)
        expect(h).toMatchObject({ syncIdle: true, syncSkipped: null, lastSync: null })
        const text = yield* panelText(Date.now())
        expect(text).toContain("Last sync: nothing queued or downloading in slskd to follow")
        expect(text).not.toContain("Last sync never")
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped), 30_000)

  it.effect("while four transfers are in slskd, the counters and last sync come from the rows the sync committed", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator({ timings: { speedFactor: 0.02 } })
      yield* Effect.gen(function*() {
        const ids = yield* Effect.forEach(TRACKS, queue)
        yield* waitUntil(Effect.map(Effect.forEach(ids, statusOf), (ds) =>
          ds.every((d) => d?.status === "DOWNLOADING" || d?.status === "QUEUED") && ds.some((d) => d!.bytesTransferred > 0)), { step: "500 millis" })
        // the clock stands still here, so no tick runs between these reads
        const rows = yield* Effect.forEach(ids, statusOf)
        const stats = yield* Effect.flatMap(DownloadManager, (m) => m.stats)
        const h = yield* Effect.flatMap(HealthReport, (r) => r.report)
        const downloading = rows.filter((d) => d!.status === "DOWNLOADING").length
        expect(downloading).toBeGreaterThan(0)
        expect(stats).toMatchObject({ downloading, queued: 4 - downloading, waiting: 0, pending: 0 })
        expect(h.syncIdle).toBe(false)
        expect(h.syncSkipped).toBeNull()
        expect(h.lastSync).not.toBeNull()
        const newest = Math.max(...rows.map((d) => Date.parse(d!.updatedAt)))
        expect(Date.parse(h.lastSync!)).toBeGreaterThanOrEqual(newest)
        expect(yield* panelText(Date.parse(h.lastSync!) + 2000)).toContain("Last sync just now")
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped), 60_000)

  it.effect("a transfer listing slskd refuses shows on the panel, and the next good tick clears it", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator({ timings: { speedFactor: 0.02 } })
      yield* Effect.gen(function*() {
        const id = yield* queue(TRACKS[0]!)
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "DOWNLOADING"), { step: "500 millis" })
        const before = (yield* Effect.flatMap(HealthReport, (r) => r.report)).lastSync
        yield* sim.control.failNext(1, 500, { method: "GET", path: "/transfers/downloads" })
        yield* waitUntil(Effect.map(Effect.flatMap(HealthReport, (r) => r.report), (h) => h.syncSkipped !== null), { step: "1 second" })
        const failed = yield* Effect.flatMap(HealthReport, (r) => r.report)
        expect(failed.lastSync).toBe(before)
        expect(yield* panelText(Date.parse(before!))).toContain("slskd's transfers could not be read")
        yield* waitUntil(Effect.map(Effect.flatMap(HealthReport, (r) => r.report), (h) => h.syncSkipped === null), { step: "1 second" })
        const again = yield* Effect.flatMap(HealthReport, (r) => r.report)
        expect(Date.parse(again.lastSync!)).toBeGreaterThan(Date.parse(before!))
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped), 60_000)
})
