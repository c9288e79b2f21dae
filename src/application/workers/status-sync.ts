import { Clock, Duration, Effect, Layer, Metric, Random, Ref } from "effect"
import { syncTickSeconds } from "../../metrics.js"
import { Setting } from "../../config.js"
import { DownloadProvider } from "../../domain/ports/DownloadProvider.js"
import { DownloadRepository } from "../../domain/ports/DownloadRepository.js"
import { Settings } from "../../domain/ports/Settings.js"
import { RuntimeState } from "../runtime-state.js"
import { Wakeups, workerLoop } from "./loop.js"
import { planSync } from "./sync-plan.js"

/**
 * DownloadStatusSyncWorker: one slskd listing per tick, matched to QUEUED/DOWNLOADING rows,
 * every changed row written in one transaction. An slskd outage skips the tick; it never
 * fails a download.
 */
export class StatusSync extends Effect.Service<StatusSync>()("soulspot/StatusSync", {
  effect: Effect.gen(function*() {
    const repo = yield* DownloadRepository
    const provider = yield* DownloadProvider
    const settings = yield* Settings
    const state = yield* RuntimeState
    const wakeups = yield* Wakeups
    const seenFailing = yield* Ref.make<ReadonlySet<string>>(new Set())

    const tick = Effect.gen(function*() {
      const rows = yield* repo.getInFlight
      if (rows.length === 0) return
      const snapshot = yield* provider.getStatus.pipe(
        Effect.tapError((e) => Effect.logWarning(`status sync skipped: ${e.message}`)),
        Effect.option
      )
      if (snapshot._tag === "None") return
      const now = yield* Clock.currentTimeMillis
      yield* Ref.set(state.lastSync, new Date(now).toISOString())
      const seed = yield* Random.nextInt
      let r = seed
      const plan = planSync(rows, snapshot.value, {
        now,
        maxAttempts: yield* settings.get(Setting.maxAttempts),
        retryBaseMillis: Duration.toMillis(yield* settings.get(Setting.retryBaseDelay)),
        remoteQueueTimeoutMillis: Duration.toMillis(yield* settings.get(Setting.remoteQueueTimeout)),
        stallTimeoutMillis: Duration.toMillis(yield* settings.get(Setting.stallTimeout)),
        seenFailing: yield* Ref.get(seenFailing),
        // a small deterministic generator seeded from Effect's Random, so tests can fix it
        random: () => ((r = (r * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
      })
      yield* Ref.set(seenFailing, plan.failingNow)
      for (const f of plan.failedCandidates) yield* repo.markFailedCandidate(f.downloadId, f.username, f.filename, f.reason)
      const { applied, rejected } = yield* repo.applyChanges(plan.changes, new Map(rows.map((d) => [d.id, d])))
      for (const line of plan.decisions) yield* Effect.logInfo(line)
      for (const r of rejected) yield* Effect.logWarning(`sync skipped an illegal move for ${r.id}: ${r.message}`)
      if (applied.some((d) => d.status === "WAITING")) yield* wakeups.dispatcher.offer(undefined)
      // Stalled transfers are cancelled in slskd after the rows moved on, best effort.
      yield* Effect.forEach(plan.cancels, (t) => provider.cancel(t).pipe(
        Effect.tapError((e) => Effect.logWarning(`could not cancel stalled transfer ${t.id}: ${e.message}`)),
        Effect.ignore), { discard: true })
    })

    return { tick: tick.pipe(Metric.trackDuration(syncTickSeconds.pipe(Metric.mapInput((d: Duration.Duration) => Duration.toMillis(d) / 1000)))) } as const
  })
}) {}

export const StatusSyncWorkerLive = Layer.scopedDiscard(Effect.gen(function*() {
  const sync = yield* StatusSync
  const settings = yield* Settings
  const wakeups = yield* Wakeups
  yield* Effect.forkScoped(workerLoop("status-sync", sync.tick, settings.get(Setting.syncInterval), wakeups.sync))
}))
