import { Cache, Duration, Effect } from "effect"
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
  /** When the status sync last read slskd successfully. */
  readonly lastSync: string | null
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
      const [slskd, lastSync, nextSearch] = yield* Effect.all([slskdStatus.get(b.state), state.lastSync.get, gate.nextSlotIn])
      return {
        provider: "slskd",
        ...b,
        slskd,
        nextSearchInSeconds: Math.ceil(nextSearch / 1000),
        lastSync
      } satisfies ProviderHealth
    }).pipe(Effect.withSpan("HealthReport.report"))

    return { report } as const
  })
}) {}
