import { Clock, Duration, Effect, Layer, Random, Ref } from "effect"
import { Setting } from "../../config.js"
import type { Download } from "../../domain/download.js"
import { DownloadProvider, type ProviderError } from "../../domain/ports/DownloadProvider.js"
import { DownloadRepository } from "../../domain/ports/DownloadRepository.js"
import { Settings } from "../../domain/ports/Settings.js"
import { afterFailure, type FailureKind } from "../../domain/retry-policy.js"
import { Outage, Wakeups, workerLoop } from "./loop.js"

const iso = (ms: number) => new Date(ms).toISOString()

/** What an enqueue failure means: the peer's or file's (Rejected covers offline, unreachable and refusing peers), slskd being busy, or slskd being out. */
export const enqueueFailureKind = (e: ProviderError): FailureKind =>
  e.reason === "Rejected" ? "candidate" : e.reason === "RateLimited" ? "busy" : "outage"

/** The message a row shows while it waits for slskd; kept stable so a long outage writes it once. */
export const waitingForSlskd = (e: ProviderError): string =>
  `waiting for slskd: ${e.reason === "CircuitOpen" ? "slskd is unavailable after repeated failures" : e.message}`

/**
 * DownloadWorker: PENDING → QUEUED. Enqueues the chosen file in slskd (the provider adopts a
 * transfer slskd already holds, so a crash between "slskd accepted" and "we stored the id"
 * never enqueues twice). A failure that names the peer or the file moves on to another
 * candidate; an outage leaves the row PENDING with its file until slskd is back.
 */
export class DownloadWorker extends Effect.Service<DownloadWorker>()("soulspot/DownloadWorker", {
  effect: Effect.gen(function*() {
    const repo = yield* DownloadRepository
    const provider = yield* DownloadProvider
    const settings = yield* Settings
    const wakeups = yield* Wakeups
    const outage = yield* Outage
    /** After a 429: when the next try may go (the loop sleeps no longer than that). */
    const busyUntil = yield* Ref.make<number | null>(null)

    const refused = (d: Download, e: ProviderError) => Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const reason = `slskd could not download from ${d.username}: ${e.message}`
      const decision = afterFailure("candidate", d.attempts, {
        maxAttempts: yield* settings.get(Setting.maxAttempts),
        baseDelayMillis: Duration.toMillis(yield* settings.get(Setting.retryBaseDelay))
      }, yield* Random.next)
      yield* repo.markFailedCandidate(d.id, d.username ?? "", d.filename ?? "", e.message)
      if (decision.next === "FAILED") {
        yield* repo.updateStatus(d.id, "FAILED", { attempts: decision.attempts, error: `${reason} (gave up after ${decision.attempts} attempts)` })
        yield* Effect.logInfo(`${d.id}: FAILED after ${decision.attempts} attempts: ${reason}`)
        return
      }
      const delay = decision.delayMillis ?? 0
      yield* repo.updateStatus(d.id, "WAITING", {
        attempts: decision.attempts, error: reason, nextAttemptAt: iso(now + delay), username: null, filename: null, size: null, slskdId: null
      })
      yield* Effect.logInfo(`${d.id}: ${reason}; another file in ${Math.round(delay / 1000)} s`)
    })

    // Not the file's fault: keep the row PENDING with its file (the next try adopts or enqueues it).
    const paused = (d: Download, e: ProviderError) => Effect.gen(function*() {
      const error = waitingForSlskd(e)
      if (d.error !== error) yield* repo.applyChanges([{ id: d.id, patch: { error } }])
      const kind = enqueueFailureKind(e)
      if (kind === "outage") yield* outage.pause(e.message)
      if (kind === "busy") {
        const decision = afterFailure("busy", d.attempts, { maxAttempts: 1, baseDelayMillis: 0 }, 0.5, e.retryAfterMillis)
        yield* Ref.set(busyUntil, (yield* Clock.currentTimeMillis) + (decision.delayMillis ?? 0))
      }
      yield* Effect.logWarning(`${d.id}: enqueue paused: ${e.message}`)
    })

    const withdraw = (d: Download, transfer: { readonly username: string; readonly id: string }, why: string) =>
      provider.cancel(transfer).pipe(
        Effect.tap(() => Effect.logInfo(`${d.id}: cancelled transfer ${transfer.id} in slskd: ${why}`)),
        Effect.tapError((e) => Effect.logWarning(`${d.id}: could not cancel transfer ${transfer.id} in slskd (${why}): ${e.message}`)),
        Effect.ignore)

    /** true = carry on with the next row; false = slskd cannot take enqueues now, stop this tick. */
    const enqueue = (d: Download) => Effect.gen(function*() {
      if (d.username === null || d.filename === null || d.size === null) {
        yield* repo.updateStatus(d.id, "WAITING", { error: "no file was chosen; searching again" })
        return true
      }
      const result = yield* provider.download({ username: d.username, filename: d.filename, size: d.size }).pipe(Effect.either)
      if (result._tag === "Right") {
        yield* outage.resume
        const now = yield* Clock.currentTimeMillis
        const transfer = { username: d.username, id: result.right.transferId }
        const queued = yield* repo.updateStatus(d.id, "QUEUED", { slskdId: transfer.id, progressAt: iso(now), error: null, nextAttemptAt: null }).pipe(
          // cancelled or given another file while slskd was asked: that transfer is nobody's
          Effect.tapError(() => withdraw(d, transfer, "the download changed while slskd took it")))
        yield* Effect.logInfo(`${d.id}: ${result.right.adopted ? "adopted the transfer slskd already had" : "enqueued"} ${d.filename} from ${d.username}`)
        // paused while slskd was asked: the row keeps the id, slskd lets the transfer go until resume
        if (queued.paused === true) yield* withdraw(d, transfer, "paused while it was being enqueued")
        return true
      }
      if (enqueueFailureKind(result.left) === "candidate") {
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
      if (pending.length === 0 || !(yield* outage.ready)) return
      for (const d of pending) {
        const go = yield* enqueue(d).pipe(Effect.catchTag("DownloadNotFound", () => Effect.succeed(true)))
        // slskd is out or busy: the remaining rows wait as well, without spending a call each
        if (!go) return
      }
      if (pending.length > 0) yield* wakeups.sync.offer(undefined)
    })

    /** How long the loop may sleep at most: until a 429's pause is over, else the interval. */
    const interval = Effect.gen(function*() {
      const every = Duration.toMillis(yield* settings.get(Setting.dispatchInterval))
      const until = yield* Ref.getAndSet(busyUntil, null)
      const now = yield* Clock.currentTimeMillis
      return Duration.millis(until === null ? every : Math.max(1, Math.min(every, until - now)))
    })

    return { tick, interval } as const
  })
}) {}

export const DownloadWorkerLive = Layer.scopedDiscard(Effect.gen(function*() {
  const worker = yield* DownloadWorker
  const wakeups = yield* Wakeups
  yield* Effect.forkScoped(workerLoop("download-worker", worker.tick, worker.interval, wakeups.downloader))
}))
