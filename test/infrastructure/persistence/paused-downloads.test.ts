/**
 * Paused downloads in the repository: the workers' reads skip them, and a sync tick that read a
 * transfer before the user paused it cannot write what it saw (the transfer was cancelled by us).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { pauseChange, resumeChange } from "../../../src/domain/download-actions.js"
import { DownloadRepository } from "../../../src/domain/ports/DownloadRepository.js"
import { PersistenceTest } from "../../support/db.js"

const FILE = { username: "peer", filename: "@@p\\Song.flac", size: 1000 }

const queue = (title: string) =>
  Effect.flatMap(DownloadRepository, (r) => r.queue({ track: { title, artist: "Paused Band" }, priority: 0, qualityProfile: "balanced" }))
    .pipe(Effect.map((q) => q.download.id))

describe("paused downloads in the repository", () => {
  it.layer(PersistenceTest())((it) => {
    it.effect("the dispatcher, the download worker and the sync do not see paused rows", () =>
      Effect.gen(function*() {
        const repo = yield* DownloadRepository
        const waiting = yield* queue("Held Waiting")
        const pending = yield* queue("Held Pending")
        const running = yield* queue("Held Running")
        yield* repo.updateStatus(pending, "PENDING", FILE)
        yield* repo.updateStatus(running, "PENDING", FILE)
        yield* repo.updateStatus(running, "QUEUED", { slskdId: "s1" })
        for (const id of [waiting, pending, running]) yield* repo.modify(id, pauseChange)
        const now = new Date(Date.now() + 3_600_000).toISOString()
        expect((yield* repo.getWaitingDue(now, 100)).map((d) => d.id)).not.toContain(waiting)
        expect((yield* repo.getPending).map((d) => d.id)).not.toContain(pending)
        expect((yield* repo.getInFlight).map((d) => d.id)).not.toContain(running)
        for (const id of [waiting, pending, running]) yield* repo.modify(id, resumeChange)
        expect((yield* repo.getWaitingDue(now, 100)).map((d) => d.id)).toEqual(expect.arrayContaining([waiting, running]))
        expect((yield* repo.getPending).map((d) => d.id)).toContain(pending)
      }))

    it.effect("a sync change for a transfer paused meanwhile is not written; progress of others is", () =>
      Effect.gen(function*() {
        const repo = yield* DownloadRepository
        const held = yield* queue("Paused Mid Tick")
        const other = yield* queue("Still Running")
        for (const id of [held, other]) {
          yield* repo.updateStatus(id, "PENDING", FILE)
          yield* repo.updateStatus(id, "QUEUED", { slskdId: `s-${id}` })
        }
        yield* repo.modify(held, pauseChange)
        // what the tick read before the pause: the transfer "ended", so it would retry elsewhere
        const { applied, rejected } = yield* repo.applyChanges([
          { id: held, status: "WAITING", patch: { username: null, filename: null, attempts: 1, error: "transfer cancelled" } },
          { id: other, status: "DOWNLOADING", patch: { bytesTransferred: 10 } }
        ])
        expect(applied.map((d) => d.id)).toEqual([other])
        expect(rejected).toEqual([])
        expect(yield* repo.get(held)).toMatchObject({ status: "QUEUED", paused: true, attempts: 0, error: null, ...FILE })
        expect(yield* repo.get(other)).toMatchObject({ status: "DOWNLOADING", bytesTransferred: 10 })
      }))

    it.effect("remove deletes finished rows only, with their candidates", () =>
      Effect.gen(function*() {
        const repo = yield* DownloadRepository
        const done = yield* queue("Remove Me")
        const active = yield* queue("Keep Me")
        yield* repo.saveCandidates(done, [{ rank: 1, ...FILE, score: 1, accepted: true, reasons: [], query: null }])
        yield* repo.updateStatus(done, "CANCELLED")
        expect(yield* repo.remove([done, active, "ghost"])).toEqual([done])
        expect(yield* repo.candidates(done)).toEqual([])
        expect((yield* repo.get(active)).status).toBe("WAITING")
      }))
  })
})
