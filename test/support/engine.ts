/**
 * The whole engine (repositories, provider behind the breaker, search gate, workers) on a real
 * SQLite file, talking to the slskd simulator, all on the test's clock. `runEngine` builds it in
 * its own scope, so closing that scope is a process stop and a second call on the same file is
 * a restart; the simulator lives outside and keeps its transfers, like a real slskd.
 */
import { Duration, Effect, Layer, Option, TestClock } from "effect"
import { ApplicationLayer, CatalogLayer, PersistenceLayer, ProviderLayer, WorkersLayer } from "../../src/App.js"
import { StatsPublisherLive } from "../../src/application/stats-publisher.js"
import type { SlskdSimulatorHandle } from "../../src/dev/slskd-simulator/index.js"
import type { Download } from "../../src/domain/download.js"
import { DownloadProvider } from "../../src/domain/ports/DownloadProvider.js"
import { DownloadRepository } from "../../src/domain/ports/DownloadRepository.js"
import { Settings } from "../../src/domain/ports/Settings.js"
import { realPause } from "./simulator.js"

export interface EngineOptions {
  /** Wraps the real provider, e.g. to stop the process right after slskd accepted an enqueue. */
  readonly wrapProvider?: (p: DownloadProvider["Type"]) => DownloadProvider["Type"]
  readonly workers?: boolean
}

export const ENGINE_SETTINGS = {
  "search.timeout": "5 seconds",
  "retry.base_delay": "5 seconds",
  "transfer.stall_timeout": "30 seconds",
  "transfer.remote_queue_timeout": "2 minutes",
  "breaker.recovery_timeout": "20 seconds"
}

export const engineLayer = (db: string, sim: SlskdSimulatorHandle, options: EngineOptions = {}) => {
  const persistence = PersistenceLayer(db)
  const raw = ProviderLayer.pipe(Layer.provide(persistence))
  const provider = options.wrapProvider
    ? Layer.effect(DownloadProvider, Effect.map(DownloadProvider, options.wrapProvider!)).pipe(Layer.provideMerge(raw))
    : raw
  const configured = Layer.effectDiscard(Effect.flatMap(Settings, (s) =>
    s.update({ ...ENGINE_SETTINGS, "slskd.url": sim.url, "slskd.api_key": sim.apiKey ?? "" }).pipe(Effect.orDie)))
  const services = ApplicationLayer.pipe(
    Layer.provideMerge(Layer.mergeAll(provider, CatalogLayer, configured)),
    Layer.provideMerge(persistence)
  )
  const workers = options.workers === false ? StatsPublisherLive : Layer.mergeAll(WorkersLayer, StatsPublisherLive)
  return workers.pipe(Layer.provideMerge(services))
}

/** Moves the test clock in steps, with a real pause after each so HTTP round trips finish, until `done` holds. */
export const waitUntil = <R>(
  done: Effect.Effect<boolean, never, R>,
  options: { readonly limit?: Duration.DurationInput; readonly step?: Duration.DurationInput } = {}
) => Effect.gen(function*() {
  const step = Duration.decode(options.step ?? "250 millis")
  const limit = Duration.toMillis(Duration.decode(options.limit ?? "10 minutes"))
  for (let t = 0; ; t += Duration.toMillis(step)) {
    yield* realPause(3)
    if (yield* done) return
    if (t > limit) return yield* Effect.dieMessage(`condition not reached within ${Duration.format(Duration.millis(limit))} of test time`)
    yield* TestClock.adjust(step)
  }
})

export const statusOf = (id: string) =>
  Effect.flatMap(DownloadRepository, (r) => r.find(id)).pipe(Effect.map(Option.getOrUndefined))

export const allIn = (ids: ReadonlyArray<string>, statuses: ReadonlyArray<Download["status"]>) =>
  Effect.gen(function*() {
    const repo = yield* DownloadRepository
    for (const id of ids) {
      const d = yield* repo.find(id)
      if (Option.isNone(d) || !statuses.includes(d.value.status)) return false
    }
    return true
  })
