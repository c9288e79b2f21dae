import { Context, type Effect } from "effect"

export type CircuitStateName = "CLOSED" | "OPEN" | "HALF_OPEN"

/** What the health panel and /metrics show about the circuit in front of slskd. */
export interface CircuitSnapshot {
  readonly state: CircuitStateName
  readonly failure_count: number
  readonly last_success: string | null
  readonly last_failure: string | null
  readonly last_error: string | null
  readonly retry_in_seconds: number | null
}

export class ProviderCircuit extends Context.Tag("soulspot/ProviderCircuit")<ProviderCircuit, {
  readonly snapshot: Effect.Effect<CircuitSnapshot>
}>() {}
