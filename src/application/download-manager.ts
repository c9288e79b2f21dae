import { Clock, Effect, FiberSet } from "effect"
import { isTerminal } from "../domain/download.js"
import { StatusConflict } from "../domain/errors.js"
import { DownloadProvider } from "../domain/ports/DownloadProvider.js"
import { DownloadRepository } from "../domain/ports/DownloadRepository.js"

export const startOfTodayUtc = (ms: number): string => {
  const d = new Date(ms)
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString()
}

/** Reads for the API and the page, and the two user actions on a download: cancel and retry. */
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

    const stats = Effect.flatMap(Clock.currentTimeMillis, (now) => repo.stats(startOfTodayUtc(now)))
    // For bursts (every open page reconnecting at once): counts at most a second old, computed once.
    const recentStats = yield* Effect.cachedWithTTL(stats, "1 second")

    return {
      cancel,
      retry,
      get: repo.get,
      stats,
      recentStats,
      candidates: repo.candidates
    } as const
  })
}) {}
