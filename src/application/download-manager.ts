import { Clock, Effect, Either, FiberSet } from "effect"
import { type Download, isTerminal } from "../domain/download.js"
import { nextFileChange, pauseChange, removable, resumeChange, runsInSlskd, useFileChange } from "../domain/download-actions.js"
import { CandidateNotFound, StatusConflict } from "../domain/errors.js"
import { DownloadProvider } from "../domain/ports/DownloadProvider.js"
import { DownloadRepository } from "../domain/ports/DownloadRepository.js"

export const startOfTodayUtc = (ms: number): string => {
  const d = new Date(ms)
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString()
}

/** Reads for the API and the page, and the user's actions on one download. */
export class DownloadManager extends Effect.Service<DownloadManager>()("soulspot/DownloadManager", {
  scoped: Effect.gen(function*() {
    const repo = yield* DownloadRepository
    const provider = yield* DownloadProvider
    // Best-effort slskd calls that outlive the request; interrupted when the service shuts down.
    const background = yield* FiberSet.make()

    const cancel = Effect.fn("DownloadManager.cancel")(function*(id: string) {
      const d = yield* repo.get(id)
      if (isTerminal(d.status)) return yield* new StatusConflict({ id, status: d.status, action: "cancel" })
      const cancelled = yield* repo.updateStatus(id, "CANCELLED", { speedBps: 0, etaSeconds: null })
      // The row is CANCELLED first, so the sync never resurrects it; slskd is told afterwards, best effort.
      if (d.slskdId && d.username && (d.status === "QUEUED" || d.status === "DOWNLOADING")) {
        yield* provider.cancel({ username: d.username, id: d.slskdId }).pipe(
          Effect.tapError((e) => Effect.logWarning(`could not cancel transfer ${d.slskdId} in slskd: ${e.message}`)),
          Effect.ignore,
          FiberSet.run(background)
        )
      }
      yield* Effect.logInfo(`download cancelled by the user`).pipe(Effect.annotateLogs({ download: id, was: d.status }))
      return cancelled
    }, Effect.catchTag("IllegalTransition", (e) => Effect.die(e)))

    const retry = Effect.fn("DownloadManager.retry")(function*(id: string) {
      const d = yield* repo.get(id)
      if (d.status !== "FAILED" && d.status !== "CANCELLED") {
        return yield* new StatusConflict({ id, status: d.status, action: "retry" })
      }
      // A fresh start: attempts reset, next candidate search from scratch.
      return yield* repo.updateStatus(id, "WAITING", {
        attempts: 0, nextAttemptAt: null, error: null, slskdId: null, username: null, filename: null, size: null,
        bytesTransferred: 0, progressAt: null
      }).pipe(Effect.catchTag("IllegalTransition", Effect.die))
    })

    /**
     * The transfer this row had in slskd is given up: cancelled there without remove, as slskd's
     * own DELETE does (the provider removes the record once it reports Completed). Awaited, so a
     * resume right after cannot adopt a transfer that is still being cancelled; when slskd cannot
     * be reached the transfer may carry on, and the next enqueue of that file adopts it.
     */
    const stopTransfer = (before: Download, why: string) =>
      !runsInSlskd(before) ? Effect.void : provider.cancel({ username: before.username!, id: before.slskdId! }).pipe(
        Effect.tap(() => Effect.logInfo(`cancelled transfer ${before.slskdId} in slskd (${why})`)),
        Effect.tapError((e) => Effect.logWarning(`could not cancel transfer ${before.slskdId} in slskd (${why}): ${e.message}`)),
        Effect.ignore,
        Effect.annotateLogs({ download: before.id }))

    const pause = Effect.fn("DownloadManager.pause")(function*(id: string) {
      const { before, after } = yield* repo.modify(id, pauseChange)
      yield* stopTransfer(before, "paused by the user")
      yield* Effect.logInfo("download paused by the user").pipe(Effect.annotateLogs({ download: id, status: before.status }))
      return after
    })

    const resume = Effect.fn("DownloadManager.resume")(function*(id: string) {
      const { before, after } = yield* repo.modify(id, resumeChange)
      yield* Effect.logInfo(after.status === before.status
        ? "download resumed by the user"
        : `download resumed by the user: ${after.filename} from ${after.username} is enqueued again`).pipe(Effect.annotateLogs({ download: id, was: before.status }))
      return after
    })

    /** The file the user gave up on is marked, so no automatic retry picks it again. */
    const giveUpFile = (before: Download, outcome: string) =>
      before.username !== null && before.filename !== null
        ? repo.markCandidateFile(before.id, before.username, before.filename, outcome)
        : Effect.void

    const useCandidate = Effect.fn("DownloadManager.useCandidate")(function*(id: string, rank: number) {
      yield* repo.get(id)
      const candidate = (yield* repo.candidates(id)).find((c) => c.rank === rank)
      if (!candidate) return yield* new CandidateNotFound({ id, rank })
      const { before, after } = yield* repo.modify(id, (d) => useFileChange(d, candidate))
      const same = before.username === candidate.username && before.filename === candidate.filename
      if (!same) {
        yield* stopTransfer(before, `candidate #${rank} chosen by the user`)
        yield* giveUpFile(before, "given up: you chose another file")
      }
      yield* repo.markCandidate(id, rank, "chosen by you")
      yield* Effect.logInfo(`candidate #${rank} chosen by the user: ${candidate.filename} from ${candidate.username}`).pipe(
        Effect.annotateLogs({ download: id, was: before.status }))
      return after
    })

    const nextCandidate = Effect.fn("DownloadManager.nextCandidate")(function*(id: string) {
      const { before, after } = yield* repo.modify(id, nextFileChange)
      yield* stopTransfer(before, "the user asked for the next candidate")
      yield* giveUpFile(before, "given up: you asked for the next candidate")
      yield* Effect.logInfo(`file ${before.filename} from ${before.username} given up by the user; the next candidate follows`).pipe(
        Effect.annotateLogs({ download: id, was: before.status }))
      return after
    })

    /** A finished download leaves every list (deleted, with its candidates and import record). */
    const remove = Effect.fn("DownloadManager.remove")(function*(id: string) {
      const d = yield* repo.get(id)
      yield* Either.match(removable(d), { onLeft: Effect.fail, onRight: () => Effect.void })
      const removed = yield* repo.remove([id])
      // retried between the read and the delete: it is active again
      if (removed.length === 0) return yield* new StatusConflict({ id, status: "WAITING", action: "remove", detail: "it was retried meanwhile" })
      yield* Effect.logInfo("download removed from the lists by the user").pipe(Effect.annotateLogs({ download: id, was: d.status }))
    })

    const stats = Effect.flatMap(Clock.currentTimeMillis, (now) => repo.stats(startOfTodayUtc(now)))
    // For bursts (every open page reconnecting at once): counts at most a second old, computed once.
    const recentStats = yield* Effect.cachedWithTTL(stats, "1 second")

    return {
      cancel,
      retry,
      pause,
      resume,
      useCandidate,
      nextCandidate,
      remove,
      get: repo.get,
      stats,
      recentStats,
      candidates: repo.candidates
    } as const
  })
}) {}
