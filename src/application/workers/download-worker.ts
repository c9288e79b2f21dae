import { Clock, Duration, Effect, Layer, Random } from "effect"
import { Setting } from "../../config.js"
import type { Download } from "../../domain/download.js"
import { DownloadProvider, type ProviderError } from "../../domain/ports/DownloadProvider.js"
import { DownloadRepository } from "../../domain/ports/DownloadRepository.js"
import { Settings } from "../../domain/ports/Settings.js"
import { backoffMillis } from "../../domain/retry.js"
import { Wakeups, workerLoop } from "./loop.js"

/** How long work waits after slskd was unreachable, unless slskd said how long. */
export const OUTAGE_PAUSE_MS = 30_000

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * DownloadWorker: PENDING → QUEUED. Enqueues the chosen file in slskd (the provider adopts a
 * transfer slskd already holds, so a crash between "slskd accepted" and "we stored the id"
 * never enqueues twice). An outage sends the row back to WAITING with its file kept.
 */
export class DownloadWorker extends Effect.Service<DownloadWorker>()("soulspot/DownloadWorker", {
  effect: Effect.gen(function*() {
    const repo = yield* DownloadRepository
    const provider = yield* DownloadProvider
    const settings = yield* Settings
    const wakeups = yield* Wakeups

    const refused = (d: Download, e: ProviderError) => Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const attempts = d.attempts + 1
      const reason = `slskd refused the download from ${d.username}: ${e.message}`
      yield* repo.markFailedCandidate(d.id, d.username ?? "", d.filename ?? "", e.message)
      if (attempts >= (yield* settings.get(Setting.maxAttempts))) {
        yield* repo.updateStatus(d.id, "FAILED", { attempts, error: `${reason} (gave up after ${attempts} attempts)` })
        return
      }
      const delay = backoffMillis(attempts, Duration.toMillis(yield* settings.get(Setting.retryBaseDelay)), yield* Random.next)
      yield* repo.updateStatus(d.id, "WAITING", {
        attempts, error: reason, nextAttemptAt: iso(now + delay), username: null, filename: null, size: null, slskdId: null
      })
      yield* Effect.logInfo(`${d.id}: ${reason}; another file in ${Math.round(delay / 1000)} s`)
    })

    // Not the file's fault: keep the chosen file (so the next try adopts or enqueues it) and wait.
    const paused = (d: Download, e: ProviderError) => Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const wait = Math.max(e.retryAfterMillis ?? 0, e.reason === "RateLimited" ? 2000 : OUTAGE_PAUSE_MS)
      yield* repo.updateStatus(d.id, "WAITING", { error: `waiting for slskd: ${e.message}`, nextAttemptAt: iso(now + wait) })
      yield* Effect.logWarning(`${d.id}: enqueue paused for ${Math.round(wait / 1000)} s: ${e.message}`)
    })

    const enqueue = (d: Download) => Effect.gen(function*() {
      if (d.username === null || d.filename === null || d.size === null) {
        yield* repo.updateStatus(d.id, "WAITING", { error: "no file was chosen; searching again" })
        return true
      }
      const result = yield* provider.download({ username: d.username, filename: d.filename, size: d.size }).pipe(Effect.either)
      if (result._tag === "Right") {
        const now = yield* Clock.currentTimeMillis
        yield* repo.updateStatus(d.id, "QUEUED", { slskdId: result.right.transferId, progressAt: iso(now), error: null, nextAttemptAt: null })
        yield* Effect.logInfo(`${d.id}: ${result.right.adopted ? "adopted the transfer slskd already had" : "enqueued"} ${d.filename} from ${d.username}`)
        return true
      }
      if (result.left.reason === "Rejected") {
        yield* refused(d, result.left)
        return true
      }
      yield* paused(d, result.left)
      return false
    }).pipe(Effect.catchTag("IllegalTransition", (e) =>
      // the user cancelled it meanwhile: nothing to do
      Effect.logInfo(`${d.id}: skipped (${e.message})`).pipe(Effect.as(true))))

    const tick = Effect.gen(function*() {
      const pending = yield* repo.getPending
      for (const d of pending) {
        const go = yield* enqueue(d).pipe(Effect.catchTag("DownloadNotFound", () => Effect.succeed(true)))
        if (!go) {
          // slskd is out: the remaining rows wait as well, without spending a call each
          yield* wakeups.dispatcher.offer(undefined)
          return
        }
      }
      if (pending.length > 0) yield* wakeups.sync.offer(undefined)
    })

    return { tick } as const
  })
}) {}

export const DownloadWorkerLive = Layer.scopedDiscard(Effect.gen(function*() {
  const worker = yield* DownloadWorker
  const settings = yield* Settings
  const wakeups = yield* Wakeups
  yield* Effect.forkScoped(workerLoop("download-worker", worker.tick, settings.get(Setting.dispatchInterval), wakeups.downloader))
}))
