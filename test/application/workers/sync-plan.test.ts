import { describe, expect, it } from "@effect/vitest"
import type { Download } from "../../../src/domain/download.js"
import { type TransferStatus, transferKey } from "../../../src/domain/ports/DownloadProvider.js"
import { planSync, type SyncLimits } from "../../../src/application/workers/sync-plan.js"

const NOW = Date.parse("2026-11-24T12:00:00.000Z")
const ago = (ms: number) => new Date(NOW - ms).toISOString()

const row = (over: Partial<Download> = {}): Download => ({
  id: "d1", trackId: "t1", status: "QUEUED", priority: 0, slskdId: "x1", username: "peer", filename: "M\\A\\01.flac",
  size: 1000, bytesTransferred: 0, speedBps: 0, etaSeconds: null, createdAt: ago(60000), updatedAt: ago(1000),
  completedAt: null, attempts: 0, nextAttemptAt: null, error: null, qualityProfile: "balanced", progressAt: ago(1000),
  track: { id: "t1", requestKey: "k", title: "T", artist: "A", album: null, durationMs: null, isrc: null, trackNumber: null, discNumber: null, spotifyId: null, deezerId: null },
  ...over
})

const transfer = (state: string, over: Partial<TransferStatus> = {}): TransferStatus => ({
  id: "x1", username: "peer", filename: "M\\A\\01.flac", size: 1000, state: state.split(", "), bytesTransferred: 0,
  percentComplete: 0, averageSpeed: 0, remainingSeconds: null, attempts: 0, exception: null,
  requestedAt: ago(5000), enqueuedAt: null, startedAt: null, endedAt: null, ...over
})

const snap = (...ts: Array<TransferStatus>) => ({
  byId: new Map(ts.map((t) => [t.id, t])),
  byKey: new Map(ts.map((t) => [transferKey(t.username, t.filename), t]))
})

const limits = (over: Partial<SyncLimits> = {}): SyncLimits => ({
  now: NOW, maxAttempts: 5, retryBaseMillis: 10_000, remoteQueueTimeoutMillis: 15 * 60_000, stallTimeoutMillis: 120_000,
  seenFailing: new Set(), random: () => 0.5, ...over
})

describe("planSync", () => {
  it.each([
    { name: "still queued locally: nothing to write", d: row(), t: transfer("Queued, Locally"), statuses: [] },
    { name: "queued remotely for a while: nothing to write", d: row(), t: transfer("Queued, Remotely"), statuses: [] },
    { name: "initializing counts as started", d: row(), t: transfer("Initializing"), statuses: ["DOWNLOADING"] },
    { name: "bytes flowing", d: row(), t: transfer("InProgress", { bytesTransferred: 400, averageSpeed: 1000.4, remainingSeconds: 0.6 }), statuses: ["DOWNLOADING"] },
    { name: "finished between two ticks: both steps", d: row(), t: transfer("Completed, Succeeded", { bytesTransferred: 1000 }), statuses: ["DOWNLOADING", "COMPLETED"] },
    { name: "finished while downloading", d: row({ status: "DOWNLOADING", bytesTransferred: 500 }), t: transfer("Completed, Succeeded"), statuses: ["COMPLETED"] },
    { name: "rejected: retry elsewhere at once", d: row(), t: transfer("Completed, Rejected", { exception: "Transfer rejected: File not shared." }), statuses: ["WAITING"] },
    { name: "aborted on size: retry elsewhere", d: row(), t: transfer("Completed, Aborted"), statuses: ["WAITING"] },
    { name: "cancelled in slskd: retry elsewhere", d: row(), t: transfer("Completed, Cancelled"), statuses: ["WAITING"] },
    { name: "errored once: slskd may retry it, wait a tick", d: row(), t: transfer("Completed, Errored"), statuses: [] },
    { name: "timed out once: wait a tick", d: row(), t: transfer("Completed, TimedOut"), statuses: [] }
  ])("$name", ({ d, t, statuses }) => {
    const plan = planSync([d], snap(t), limits())
    expect(plan.changes.flatMap((c) => c.status ? [c.status] : [])).toEqual(statuses)
  })

  it("an error seen on two ticks in a row is a failure, with the peer's reason", () => {
    const plan = planSync([row()], snap(transfer("Completed, Errored", { exception: "Transfer failed: Remote connection closed" })), limits({ seenFailing: new Set(["x1"]) }))
    expect(plan.changes).toHaveLength(1)
    expect(plan.changes[0]).toMatchObject({ status: "WAITING", patch: { attempts: 1, username: null, filename: null, slskdId: null, nextAttemptAt: ago(-10_000) } })
    expect(plan.changes[0]?.patch.error).toContain("Remote connection closed")
    expect(plan.failedCandidates).toEqual([{ downloadId: "d1", username: "peer", filename: "M\\A\\01.flac", reason: expect.stringContaining("errored") }])
  })

  it("the last allowed attempt fails the download with the reason", () => {
    const plan = planSync([row({ attempts: 4 })], snap(transfer("Completed, Rejected", { exception: "Transfer rejected: Banned" })), limits())
    expect(plan.changes[0]).toMatchObject({ status: "FAILED", patch: { attempts: 5 } })
    expect(plan.changes[0]?.patch.error).toMatch(/Banned.*gave up after 5 attempts/)
  })

  it("backoff doubles per attempt and is capped at an hour", () => {
    const delay = (attempts: number) => {
      const c = planSync([row({ attempts })], snap(transfer("Completed, Rejected")), limits({ maxAttempts: 100 })).changes[0]
      return Date.parse(c?.patch.nextAttemptAt ?? "") - NOW
    }
    expect([delay(0), delay(1), delay(2)]).toEqual([10_000, 20_000, 40_000])
    expect(delay(20)).toBe(3_600_000)
  })

  it("a transfer waiting in the peer's queue past the limit is cancelled and retried elsewhere", () => {
    const plan = planSync([row({ progressAt: ago(16 * 60_000) })], snap(transfer("Queued, Remotely")), limits())
    expect(plan.cancels).toEqual([{ username: "peer", id: "x1" }])
    expect(plan.changes[0]).toMatchObject({ status: "WAITING" })
    expect(plan.changes[0]?.patch.error).toContain("queue for more than 15 min")
  })

  it("a started transfer with no new bytes past the stall limit is cancelled; one still moving is not", () => {
    const stuck = row({ status: "DOWNLOADING", bytesTransferred: 300, progressAt: ago(121_000) })
    const stalled = planSync([stuck], snap(transfer("InProgress", { bytesTransferred: 300 })), limits())
    expect(stalled.cancels).toHaveLength(1)
    expect(stalled.changes[0]?.patch.error).toContain("no data from peer for more than 120 s")
    const moving = planSync([stuck], snap(transfer("InProgress", { bytesTransferred: 301 })), limits())
    expect(moving.cancels).toHaveLength(0)
    expect(moving.changes[0]).toMatchObject({ patch: { bytesTransferred: 301, progressAt: ago(0) } })
  })

  it("a waiting-in-queue transfer is never taken for a stall, however long without bytes", () => {
    const plan = planSync([row({ progressAt: ago(10 * 60_000) })], snap(transfer("Queued, Remotely")), limits())
    expect(plan.cancels).toHaveLength(0)
    expect(plan.changes).toHaveLength(0)
  })

  it("after an slskd restart the same file under a new id is adopted, not retried", () => {
    const plan = planSync([row({ status: "DOWNLOADING", bytesTransferred: 100 })], snap(transfer("InProgress", { id: "x2", bytesTransferred: 200 })), limits())
    expect(plan.changes[0]).toMatchObject({ id: "d1", patch: { slskdId: "x2", bytesTransferred: 200 } })
    expect(plan.changes[0]?.status).toBeUndefined()
  })

  it("nothing changed: nothing written", () => {
    const d = row({ status: "DOWNLOADING", bytesTransferred: 200, speedBps: 50, etaSeconds: 16 })
    const plan = planSync([d], snap(transfer("InProgress", { bytesTransferred: 200, averageSpeed: 50, remainingSeconds: 16 })), limits())
    expect(plan.changes).toEqual([])
  })

  it("a transfer slskd no longer lists is retried", () => {
    const plan = planSync([row()], snap(), limits())
    expect(plan.changes[0]).toMatchObject({ status: "WAITING", patch: { error: "the transfer is no longer listed in slskd" } })
  })
})
