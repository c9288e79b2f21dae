import { Context, type Effect } from "effect"

export type CircuitStateName = "CLOSED" | "OPEN" | "HALF_OPEN"

/** What the health panel and /metrics show about the circuit in front of slskd. */
export interface CircuitSnapshot {
  readonly state: CircuitStateName
  readonly failureCount: number
  readonly lastSuccess: string | null
  readonly lastFailure: string | null
  readonly lastError: string | null
  readonly retryInSeconds: number | null
}

export class ProviderCircuit extends Context.Tag("soulspot/ProviderCircuit")<ProviderCircuit, {
  readonly snapshot: Effect.Effect<CircuitSnapshot>
}>() {}
