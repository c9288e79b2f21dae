import { Cache, Duration, Effect, Ref } from "effect"
import { DownloadProvider, type ProviderStatus } from "../domain/ports/DownloadProvider.js"
import { type CircuitSnapshot, type CircuitStateName, ProviderCircuit } from "../domain/ports/ProviderCircuit.js"
import { SearchGate } from "../domain/ports/SearchGate.js"
import { RuntimeState } from "./runtime-state.js"

const STATUS_TTL = Duration.seconds(5)

/** The provider-health view: the breaker in front of slskd, what slskd says about itself, the search budget. */
export interface ProviderHealth extends CircuitSnapshot {
  readonly provider: "slskd"
  readonly slskd: ProviderStatus
  /** Seconds until the search budget allows the next search. */
  readonly nextSearchInSeconds: number
  /** When the status sync last committed what it read from slskd. */
  readonly lastSync: string | null
  /** True while no download is queued or downloading in slskd: there is nothing to sync. */
  readonly syncIdle: boolean
  /** Why the last sync tick could not read slskd's listing (null once one succeeds). */
  readonly syncSkipped: string | null
}

/**
 * The slskd part is cached for a few seconds so many open pages do not turn into many slskd
 * calls: concurrent readers of a missing entry share one lookup.
 */
export class HealthReport extends Effect.Service<HealthReport>()("soulspot/HealthReport", {
  effect: Effect.gen(function*() {
    const breaker = yield* ProviderCircuit
    const provider = yield* DownloadProvider
    const state = yield* RuntimeState
    const gate = yield* SearchGate
    // Keyed by breaker state, one entry only: when the circuit opens or closes, slskd is asked
    // again, so the panel never shows "working normally" next to "unreachable".
    const slskdStatus = yield* Cache.make({
      capacity: 1,
      timeToLive: STATUS_TTL,
      lookup: (_breakerState: CircuitStateName) => provider.health
    })

    const report = Effect.gen(function*() {
      const b = yield* breaker.snapshot
      const [slskd, sync, nextSearch] = yield* Effect.all([slskdStatus.get(b.state), Ref.get(state.sync), gate.nextSlotIn])
      return {
        provider: "slskd",
        ...b,
        slskd,
        nextSearchInSeconds: Math.ceil(nextSearch / 1000),
        lastSync: sync.lastSync,
        syncIdle: sync.idle,
        syncSkipped: sync.skipped
      } satisfies ProviderHealth
    }).pipe(Effect.withSpan("HealthReport.report"))

    return { report } as const
  })
}) {}
