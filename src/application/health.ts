import { Clock, Effect } from "effect"
import type { HealthDto } from "../api/dto.js"
import { DownloadProvider, type ProviderStatus } from "../domain/ports/DownloadProvider.js"
import { SearchGate } from "../domain/ports/SearchGate.js"
import { ProviderCircuit } from "../domain/ports/ProviderCircuit.js"
import { RuntimeState } from "./runtime-state.js"

const STATUS_TTL_MS = 5000

/**
 * The provider-health view: breaker state plus what slskd says about itself. The slskd
 * part is cached for a few seconds so many open pages do not turn into many slskd calls.
 */
export class HealthReport extends Effect.Service<HealthReport>()("soulspot/HealthReport", {
  effect: Effect.gen(function*() {
    const breaker = yield* ProviderCircuit
    const provider = yield* DownloadProvider
    const state = yield* RuntimeState
    const gate = yield* SearchGate
    let cached: { at: number; breaker: string; status: ProviderStatus } | undefined
    // One refresh at a time: two hundred pages reconnecting at once make one slskd call, not two hundred.
    const refreshing = yield* Effect.makeSemaphore(1)

    // Cached per breaker state too: when the circuit opens or closes, what slskd says about
    // itself is asked again, so the panel never shows "working normally" next to "unreachable".
    const fresh = (breakerState: string, now: number) =>
      cached && cached.breaker === breakerState && now - cached.at < STATUS_TTL_MS ? cached.status : undefined

    const slskdStatus = (breakerState: string) => Effect.gen(function*() {
      const hit = fresh(breakerState, yield* Clock.currentTimeMillis)
      if (hit) return hit
      return yield* refreshing.withPermits(1)(Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const again = fresh(breakerState, now) // someone else refreshed while we waited
        if (again) return again
        const status = yield* provider.health
        cached = { at: now, breaker: breakerState, status }
        return status
      }))
    })

    const report = Effect.gen(function*() {
      const b = yield* breaker.snapshot
      const [s, lastSync, nextSearch] = yield* Effect.all([slskdStatus(b.state), state.lastSync.get, gate.nextSlotIn])
      return {
        provider: "slskd",
        ...b,
        slskd: { reachable: s.reachable, logged_in: s.loggedIn, version: s.version },
        next_search_in_seconds: Math.ceil(nextSearch / 1000),
        last_sync: lastSync
      } satisfies HealthDto
    }).pipe(Effect.withSpan("HealthReport.report"))

    return { report } as const
  })
}) {}
