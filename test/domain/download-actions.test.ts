import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { type Download, type DownloadStatus } from "../../src/domain/download.js"
import {
  nextFileChange, pauseChange, priorityAfter, removable, resumeChange, runsInSlskd, useFileChange
} from "../../src/domain/download-actions.js"

const FILE = { username: "peer", filename: "@@p\\Song.flac", size: 1000 }

const download = (status: DownloadStatus, extra: Partial<Download> = {}): Download => ({
  id: "d1", trackId: "t1", status, priority: 0, slskdId: null, username: null, filename: null, size: null,
  bytesTransferred: 0, speedBps: 0, etaSeconds: null, createdAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:00.000Z",
  completedAt: null, attempts: 2, nextAttemptAt: "2026-01-01T01:00:00.000Z", error: "earlier", qualityProfile: "balanced", progressAt: null,
  track: { id: "t1", requestKey: "k", title: "Song", artist: "Band", album: null, durationMs: null, isrc: null, trackNumber: null, discNumber: null, spotifyId: null, deezerId: null },
  ...extra
})
const transfer = { ...FILE, slskdId: "s1", bytesTransferred: 500 }

const outcome = (r: ReturnType<typeof pauseChange>) =>
  Either.match(r, { onLeft: (e) => `409: ${e.message}`, onRight: (c) => ({ status: c.status ?? "kept", ...c.patch }) })

describe("the user's actions on one download", () => {
  it.each([
    { name: "pause waiting", d: download("WAITING"), want: { status: "kept", paused: true, speedBps: 0, etaSeconds: null } },
    { name: "pause downloading", d: download("DOWNLOADING", transfer), want: { status: "kept", paused: true, speedBps: 0, etaSeconds: null } },
    { name: "pause paused", d: download("QUEUED", { paused: true }), want: "409: cannot pause download d1: it is paused already" },
    { name: "pause completed", d: download("COMPLETED"), want: "409: cannot pause download d1: it is COMPLETED" }
  ])("$name", ({ d, want }) => {
    expect(outcome(pauseChange(d))).toEqual(want)
  })

  it.each([
    { name: "resume waiting: due now", d: download("WAITING", { paused: true }), want: { status: "kept", paused: false, nextAttemptAt: null } },
    { name: "resume pending: enqueued next", d: download("PENDING", { paused: true, ...FILE }), want: { status: "kept", paused: false } },
    {
      name: "resume a cancelled transfer: the same file again",
      d: download("DOWNLOADING", { paused: true, ...transfer }),
      want: { status: "WAITING", paused: false, slskdId: null, bytesTransferred: 0, progressAt: null, nextAttemptAt: null, error: null }
    },
    { name: "resume not paused", d: download("WAITING"), want: "409: cannot resume download d1: it is not paused" },
    { name: "resume failed", d: download("FAILED"), want: "409: cannot resume download d1: it is FAILED" }
  ])("$name", ({ d, want }) => {
    expect(outcome(resumeChange(d))).toEqual(want)
  })

  it("use this file: the chosen file, due now, no attempt spent while active, a fresh start when finished", () => {
    const chosen = { username: "other", filename: "@@o\\Song.mp3", size: 500 }
    expect(outcome(useFileChange(download("DOWNLOADING", transfer), chosen))).toMatchObject({
      status: "WAITING", ...chosen, slskdId: null, nextAttemptAt: null, paused: false
    })
    expect(outcome(useFileChange(download("DOWNLOADING", transfer), chosen))).not.toHaveProperty("attempts")
    expect(outcome(useFileChange(download("WAITING"), chosen))).toMatchObject({ status: "kept", ...chosen })
    expect(outcome(useFileChange(download("FAILED"), chosen))).toMatchObject({ status: "WAITING", attempts: 0 })
    expect(outcome(useFileChange(download("COMPLETED"), chosen))).toMatch(/^409: .*reject its file/)
  })

  it("next candidate: the file is dropped so the dispatcher picks the next; refused without a file or when finished", () => {
    expect(outcome(nextFileChange(download("QUEUED", transfer)))).toMatchObject({ status: "WAITING", username: null, filename: null, size: null, slskdId: null })
    expect(outcome(nextFileChange(download("WAITING")))).toBe("409: cannot try the next candidate for download d1: no file is chosen yet")
    expect(outcome(nextFileChange(download("CANCELLED", FILE)))).toMatch(/retry it instead/)
  })

  it.each(["WAITING", "PENDING", "QUEUED", "DOWNLOADING", "COMPLETED", "FAILED", "CANCELLED"] as const)("remove %s", (status) => {
    expect(Either.isRight(removable(download(status)))).toBe(["COMPLETED", "FAILED", "CANCELLED"].includes(status))
  })

  it("a transfer is ours to stop in slskd only while it runs there and is not paused already", () => {
    expect(runsInSlskd(download("DOWNLOADING", transfer))).toBe(true)
    expect(runsInSlskd(download("QUEUED", transfer))).toBe(true)
    expect(runsInSlskd(download("QUEUED", { ...transfer, paused: true }))).toBe(false)
    expect(runsInSlskd(download("PENDING", FILE))).toBe(false)
    expect(runsInSlskd(download("DOWNLOADING", { ...FILE, slskdId: null }))).toBe(false)
  })

  it.each([
    { move: "up", current: 0, highest: 5, want: 1 },
    { move: "up", current: 1000, highest: 5, want: 1000 },
    { move: "down", current: 0, highest: 5, want: -1 },
    { move: "down", current: -1000, highest: 5, want: -1000 },
    { move: "top", current: 0, highest: 5, want: 6 },
    { move: "top", current: 5, highest: 5, want: 6 },
    { move: "top", current: 9, highest: 5, want: 9 },
    { move: "top", current: 0, highest: 1000, want: 1000 },
    { move: "top", current: 0, highest: -1000, want: 0 }
  ] as const)("priority $move from $current (others up to $highest) → $want", ({ move, current, highest, want }) => {
    expect(priorityAfter(move, current, highest)).toBe(want)
  })
})
