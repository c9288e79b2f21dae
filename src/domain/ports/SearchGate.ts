import { Context, type Effect } from "effect"

/** The search budget as the workers see it: when a search may start, and a shared pause after a 429. */
export class SearchGate extends Context.Tag("soulspot/SearchGate")<SearchGate, {
  /** Waits for a budget token and one of the concurrent search slots, then runs the search. */
  readonly withSearchSlot: <A, E, R>(search: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Everyone waits this long before the next search (slskd answered 429). */
  readonly penalise: (millis: number) => Effect.Effect<void>
  /** Milliseconds until the next search may start; 0 when one may start now. */
  readonly nextSlotIn: Effect.Effect<number>
}>() {}
