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
  restartGraceMillis: 120_000, loggedInForMillis: null, removeFinished: true, random: () => 0.5, ...over
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
    { name: "errored on 0.26's first attempt: slskd retries it itself, wait", d: row(), t: transfer("Completed, Errored", { attempts: 1, endedAt: ago(1000) }), statuses: [] },
    { name: "timed out on 0.26's second attempt: wait", d: row(), t: transfer("Completed, TimedOut", { attempts: 2, endedAt: ago(1000) }), statuses: [] },
    { name: "errored after slskd's last attempt: retry elsewhere", d: row(), t: transfer("Completed, Errored", { attempts: 3, endedAt: ago(1000) }), statuses: ["WAITING"] },
    { name: "errored on slskd before 0.26 (no own retries): retry elsewhere at once", d: row(), t: transfer("Completed, Errored", { attempts: 0, endedAt: ago(1000) }), statuses: ["WAITING"] },
    { name: "errored long ago and slskd never retried: retry elsewhere", d: row(), t: transfer("Completed, Errored", { attempts: 1, endedAt: ago(120_000) }), statuses: ["WAITING"] },
    { name: "ended by slskd's restart: not the file's fault, wait for slskd to resume it", d: row({ status: "DOWNLOADING" }), t: transfer("Completed, Errored", { exception: "Application shut down" }), statuses: [] }
  ])("$name", ({ d, t, statuses }) => {
    const plan = planSync([d], snap(t), limits())
    expect(plan.changes.flatMap((c) => c.status ? [c.status] : [])).toEqual(statuses)
  })

  it("an error slskd does not retry is a failure, with the peer's reason", () => {
    const plan = planSync([row()], snap(transfer("Completed, Errored", { exception: "Transfer failed: Remote connection closed" })), limits())
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

  it("a transfer slskd neither lists nor knows by id is retried", () => {
    const plan = planSync([row()], snap(), limits())
    expect(plan.changes[0]).toMatchObject({ status: "WAITING", patch: { error: "the transfer is no longer listed in slskd, and slskd does not know its id" } })
  })

  it("a transfer that left the listing but is found by id counts by what it says: completed here", () => {
    const plan = planSync([row({ status: "DOWNLOADING" })], snap(), limits(), new Map([["x1", transfer("Completed, Succeeded", { bytesTransferred: 1000 })]]))
    expect(plan.changes.map((c) => c.status)).toEqual(["COMPLETED"])
  })

  it("slskd restarted: the row waits on the same file; re-enqueued by slskd (new id), it is adopted", () => {
    const waiting = planSync([row({ status: "DOWNLOADING" })], snap(transfer("Completed, Errored", { exception: "Application shut down" })), limits({ loggedInForMillis: 60_000 }))
    expect(waiting.changes).toEqual([{ id: "d1", patch: { error: "slskd restarted; waiting for it to resume the transfer", speedBps: 0, etaSeconds: null } }])
    expect([waiting.cancels, waiting.removals, waiting.failedCandidates]).toEqual([[], [], []])
    const resumed = planSync([row({ status: "DOWNLOADING", error: "slskd restarted; waiting for it to resume the transfer" })], snap(transfer("Queued, Locally", { id: "x2" })), limits())
    expect(resumed.changes).toEqual([{ id: "d1", patch: { slskdId: "x2", error: null, progressAt: ago(0) } }])
  })

  it("slskd restarted and, logged in for the grace period, did not resume it: the same file is enqueued again, no attempt spent", () => {
    const plan = planSync([row({ status: "DOWNLOADING", attempts: 2 })], snap(transfer("Completed, Errored", { exception: "Application shut down" })), limits({ loggedInForMillis: 121_000 }))
    expect(plan.changes[0]).toMatchObject({ status: "WAITING", patch: { slskdId: null, nextAttemptAt: null } })
    expect(plan.changes[0]?.patch).not.toHaveProperty("username")
    expect(plan.changes[0]?.patch).not.toHaveProperty("attempts")
    expect(plan.failedCandidates).toEqual([])
  })

  it("a transfer that timed out is cancelled in slskd before the row moves on (it may still be running)", () => {
    const plan = planSync([row()], snap(transfer("Completed, TimedOut", { attempts: 0 })), limits())
    expect(plan.cancels).toEqual([{ username: "peer", id: "x1" }])
    expect(plan.changes[0]).toMatchObject({ status: "WAITING" })
  })

  it("finished transfers leave slskd's list once seen, unless the setting is off", () => {
    const done = (on: boolean) => planSync([row()], snap(transfer("Completed, Succeeded")), limits({ removeFinished: on })).removals
    expect(done(true)).toEqual([{ username: "peer", id: "x1" }])
    expect(done(false)).toEqual([])
    expect(planSync([row()], snap(transfer("Completed, Rejected")), limits()).removals).toEqual([{ username: "peer", id: "x1" }])
  })

  it("a download that falls back into a queue (slskd's own retry) is held to the queue limit too", () => {
    const relapsed = row({ status: "DOWNLOADING", bytesTransferred: 500, progressAt: ago(16 * 60_000) })
    const plan = planSync([relapsed], snap(transfer("Queued, Locally", { bytesTransferred: 500, attempts: 2 })), limits())
    expect(plan.cancels).toEqual([{ username: "peer", id: "x1" }])
    expect(plan.changes[0]).toMatchObject({ status: "WAITING" })
    const fresh = planSync([{ ...relapsed, progressAt: ago(10_000) }], snap(transfer("Queued, Locally", { bytesTransferred: 500, attempts: 2 })), limits())
    expect(fresh.changes).toEqual([])
  })
})
