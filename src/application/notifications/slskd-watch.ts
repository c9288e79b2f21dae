/**
 * Watches whether slskd answers (its /application endpoint, past the circuit breaker, so an idle
 * queue notices an outage too) and turns long outages into one slskd.down / slskd.up pair. The
 * outage state and its events are written in one transaction.
 */
import { Clock, Duration, Effect, Layer, Option, Schema } from "effect"
import { Setting } from "../../config.js"
import { observeSlskd, type OutageState } from "../../domain/notifications/slskd-outage.js"
import { DownloadProvider } from "../../domain/ports/DownloadProvider.js"
import { Settings } from "../../domain/ports/Settings.js"
import { NotificationStore } from "../../infrastructure/persistence/notification-repository.js"
import { workerLoop } from "../workers/loop.js"

export const SLSKD_CHECK_INTERVAL = Duration.seconds(30)
const KEY = "slskd_outage"

const StoredOutage = Schema.parseJson(Schema.Struct({ downSince: Schema.Number, announced: Schema.Boolean }))
const decode = Schema.decodeUnknownOption(StoredOutage)

export class SlskdWatch extends Effect.Service<SlskdWatch>()("soulspot/SlskdWatch", {
  effect: Effect.gen(function*() {
    const store = yield* NotificationStore
    const provider = yield* DownloadProvider
    const settings = yield* Settings

    const tick = Effect.gen(function*() {
      const { reachable } = yield* provider.health
      const now = yield* Clock.currentTimeMillis
      const before: OutageState | null = Option.getOrNull(Option.flatMap(yield* store.getState(KEY), decode))
      const step = observeSlskd(before, reachable, now, Duration.toMillis(yield* settings.get(Setting.slskdDownAfter)))
      const unchanged = before?.downSince === step.state?.downSince && before?.announced === step.state?.announced
      if (unchanged && step.events.length === 0) return
      yield* store.setState(KEY, step.state === null ? null : JSON.stringify(step.state), step.events.map((e) => ({
        type: e.type, at: new Date(now).toISOString(),
        payload: { health: { reachable: e.type === "slskd.up", down_since: new Date(e.downSince).toISOString(), seconds: e.seconds } }
      })))
      for (const e of step.events) yield* Effect.logInfo(`notifications: ${e.type} after ${e.seconds} s without slskd`)
    })

    return { tick } as const
  })
}) {}

export const SlskdWatchWorkerLive = Layer.scopedDiscard(Effect.gen(function*() {
  const watch = yield* SlskdWatch
  yield* Effect.forkScoped(workerLoop("slskd-watch", watch.tick, Effect.succeed(SLSKD_CHECK_INTERVAL)))
}))
