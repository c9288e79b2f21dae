/**
 * Pause and resume through the whole engine against the slskd simulator: a paused transfer is
 * cancelled in slskd, the sync does not take that for a failure (no retry elsewhere, no attempt),
 * and resume enqueues the same file again, which then completes. Paused waiting rows are never
 * searched.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { DownloadManager } from "../../../src/application/download-manager.js"
import { makeSimulator } from "../../../src/dev/slskd-simulator/index.js"
import { DownloadRepository } from "../../../src/domain/ports/DownloadRepository.js"
import { tempDbFile } from "../../support/db.js"
import { engineLayer, statusOf, waitUntil } from "../../support/engine.js"
import { advance } from "../../support/simulator.js"

const KARMA = { title: "Karma Police", artist: "Radiohead", album: "OK Computer", durationMs: 261_000 }

const queue = (track: { title: string; artist: string }) =>
  Effect.flatMap(DownloadRepository, (r) => r.queue({ track, priority: 0, qualityProfile: "balanced" })).pipe(Effect.map((q) => q.download.id))

describe("pause and resume against the slskd simulator", () => {
  it.effect("pause mid-download cancels the transfer in slskd, nothing else is tried; resume enqueues the same file, which completes", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator({ timings: { speedFactor: 0.2 } })
      yield* Effect.gen(function*() {
        const manager = yield* DownloadManager
        const id = yield* queue(KARMA)
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "DOWNLOADING" && d.bytesTransferred > 0), { step: "100 millis" })
        const running = (yield* statusOf(id))!
        const file = { username: running.username!, filename: running.filename! }

        const paused = yield* manager.pause(id)
        expect(paused).toMatchObject({ status: "DOWNLOADING", paused: true, speedBps: 0, ...file })
        const cancelled = (yield* sim.control.transfers).find((t) => t.id === running.slskdId)
        expect(cancelled?.state).toBe("Completed, Cancelled")

        // far past the stall and remote-queue limits: the row waits as it was, nobody else is asked
        yield* advance("5 minutes", "1 second")
        const held = (yield* statusOf(id))!
        expect(held).toMatchObject({ status: "DOWNLOADING", paused: true, attempts: 0, error: null, ...file })
        expect((yield* sim.control.transfers).filter((t) => t.username !== file.username)).toEqual([])
        expect(yield* sim.control.enqueueCount(file.username, file.filename)).toBe(1)
        const candidates = yield* Effect.flatMap(DownloadRepository, (r) => r.candidates(id))
        expect(candidates.some((c) => c.outcome?.startsWith("failed"))).toBe(false)

        const resumed = yield* manager.resume(id)
        expect(resumed).toMatchObject({ status: "WAITING", paused: false, slskdId: null, ...file })
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "COMPLETED"), { step: "500 millis" })
        const done = (yield* statusOf(id))!
        expect(done).toMatchObject({ status: "COMPLETED", paused: false, attempts: 0, error: null, ...file })
        expect(done.slskdId).not.toBe(running.slskdId)
        expect(done.bytesTransferred).toBe(done.size)
        // the same file a second time, after slskd had let the first transfer go; nothing from anyone else
        expect(yield* sim.control.enqueueCount(file.username, file.filename)).toBe(2)
        expect((yield* sim.control.transfers).filter((t) => t.username !== file.username)).toEqual([])
        expect(yield* sim.control.searchCount).toBe(1)
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped), 60_000)

  it.effect("a paused waiting download is never searched until it is resumed", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* Effect.gen(function*() {
        const manager = yield* DownloadManager
        const id = yield* queue({ title: "Teardrop", artist: "Massive Attack" })
        yield* manager.pause(id)
        yield* advance("3 minutes", "1 second")
        expect(yield* sim.control.searchCount).toBe(0)
        expect((yield* statusOf(id))).toMatchObject({ status: "WAITING", paused: true })
        yield* manager.resume(id)
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "COMPLETED"), { step: "500 millis" })
        expect(yield* sim.control.searchCount).toBe(1)
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim, { workers: true })))
    }).pipe(Effect.scoped), 60_000)

  it.effect("try the next candidate mid-download: the transfer is cancelled in slskd and another user's file completes", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator({ timings: { speedFactor: 0.2 } })
      yield* Effect.gen(function*() {
        const manager = yield* DownloadManager
        const id = yield* queue(KARMA)
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "DOWNLOADING"), { step: "100 millis" })
        const first = (yield* statusOf(id))!
        yield* manager.nextCandidate(id)
        expect((yield* sim.control.transfers).find((t) => t.id === first.slskdId)?.state).toBe("Completed, Cancelled")
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "COMPLETED"), { step: "500 millis" })
        const done = (yield* statusOf(id))!
        expect(done.username).not.toBe(first.username)
        expect(done.attempts).toBe(0)
        expect(yield* sim.control.enqueueCount(first.username!, first.filename!)).toBe(1)
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped), 60_000)
})
