import { Clock, Duration, Effect, Layer, Metric, Option, Random, Ref } from "effect"
import { syncTickSeconds } from "../../metrics.js"
import { Setting } from "../../config.js"
import { DownloadProvider, type TransferStatus } from "../../domain/ports/DownloadProvider.js"
import { DownloadRepository } from "../../domain/ports/DownloadRepository.js"
import { Settings } from "../../domain/ports/Settings.js"
import { RuntimeState } from "../runtime-state.js"
import { Outage, Wakeups, workerLoop } from "./loop.js"
import { endedByRestart, missingFrom, planSync, transferFor } from "./sync-plan.js"

/**
 * DownloadStatusSyncWorker: one slskd listing per tick, matched to QUEUED/DOWNLOADING rows,
 * every changed row written in one transaction. An slskd outage skips the tick; it never
 * fails a download. While work is paused by an outage, each tick also checks whether slskd
 * is back, so paused work resumes within one sync interval.
 */
export class StatusSync extends Effect.Service<StatusSync>()("soulspot/StatusSync", {
  effect: Effect.gen(function*() {
    const repo = yield* DownloadRepository
    const provider = yield* DownloadProvider
    const settings = yield* Settings
    const state = yield* RuntimeState
    const wakeups = yield* Wakeups
    const outage = yield* Outage
    /** Since when slskd has been logged in, as far as the sync saw (for the restart grace period). */
    const loggedInSince = yield* Ref.make<number | null>(null)

    const loggedInFor = (now: number) => Effect.gen(function*() {
      const health = yield* provider.health
      const since = health.reachable && health.loggedIn === true ? (yield* Ref.get(loggedInSince)) ?? now : null
      yield* Ref.set(loggedInSince, since)
      return since === null ? null : now - since
    })

    const tick = Effect.gen(function*() {
      const rows = yield* repo.getInFlight
      if (rows.length === 0) {
        yield* Ref.update(state.sync, (s) => ({ ...s, idle: true, skipped: null }))
        yield* outage.probe
        return
      }
      const snapshot = yield* provider.getStatus.pipe(
        Effect.tapError((e) => Effect.zipRight(
          Effect.logWarning(`status sync skipped: ${e.message}`),
          Ref.update(state.sync, (s) => ({ ...s, idle: false, skipped: e.message })))),
        Effect.option
      )
      if (snapshot._tag === "None") return
      yield* outage.probe
      const now = yield* Clock.currentTimeMillis

      // Rows the listing lost: read them by id before anything is decided (slskd keeps removed records).
      const looked = new Map<string, TransferStatus>()
      const unknown = new Set<string>()
      for (const d of missingFrom(rows, snapshot.value)) {
        const found = yield* provider.lookup({ username: d.username ?? "", id: d.slskdId! }).pipe(Effect.either)
        if (found._tag === "Left") unknown.add(d.id)
        else if (Option.isSome(found.right)) looked.set(d.slskdId!, found.right.value)
      }
      const known = rows.filter((d) => !unknown.has(d.id))
      const restarted = known.some((d) => {
        const t = transferFor(d, snapshot.value, looked)
        return t !== undefined && endedByRestart(t)
      })
      const randoms = yield* Effect.replicateEffect(Random.next, known.length)
      let draw = 0
      const plan = planSync(known, snapshot.value, {
        now,
        maxAttempts: yield* settings.get(Setting.maxAttempts),
        retryBaseMillis: Duration.toMillis(yield* settings.get(Setting.retryBaseDelay)),
        remoteQueueTimeoutMillis: Duration.toMillis(yield* settings.get(Setting.remoteQueueTimeout)),
        stallTimeoutMillis: Duration.toMillis(yield* settings.get(Setting.stallTimeout)),
        restartGraceMillis: Duration.toMillis(yield* settings.get(Setting.slskdRestartGrace)),
        loggedInForMillis: restarted ? yield* loggedInFor(now) : null,
        removeFinished: yield* settings.get(Setting.removeFinished),
        random: () => randoms[draw++ % Math.max(1, randoms.length)] ?? 0.5
      }, looked)
      for (const f of plan.failedCandidates) yield* repo.markFailedCandidate(f.downloadId, f.username, f.filename, f.reason)
      const { applied, rejected } = yield* repo.applyChanges(plan.changes, new Map(rows.map((d) => [d.id, d])))
      // Set once the rows are committed: "last sync" on the panel is never older than the rows it wrote.
      const committed = yield* Clock.currentTimeMillis
      yield* Ref.set(state.sync, { lastSync: new Date(committed).toISOString(), idle: false, skipped: null })
      for (const line of plan.decisions) yield* Effect.logInfo(line)
      for (const r of rejected) yield* Effect.logWarning(`sync skipped an illegal move for ${r.id}: ${r.message}`)
      if (applied.some((d) => d.status === "WAITING")) yield* wakeups.dispatcher.offer(undefined)
      // After the rows moved on, best effort: stalled and timed-out transfers are cancelled in slskd,
      // finished ones leave slskd's list.
      yield* Effect.forEach(plan.cancels, (t) => provider.cancel(t).pipe(
        Effect.tapError((e) => Effect.logWarning(`could not cancel transfer ${t.id}: ${e.message}`)),
        Effect.ignore), { discard: true })
      yield* Effect.forEach(plan.removals, (t) => provider.forget(t).pipe(
        Effect.tapError((e) => Effect.logWarning(`could not remove finished transfer ${t.id} from slskd: ${e.message}`)),
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
