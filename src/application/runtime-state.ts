import { Effect, Ref } from "effect"

/**
 * What the status sync last did, for the health panel: when its changes were last committed
 * (so "last sync" is never older than the rows it wrote), whether nothing is in flight to follow,
 * and why the last tick was skipped when slskd's listing could not be read.
 */
export interface SyncState {
  readonly lastSync: string | null
  readonly idle: boolean
  readonly skipped: string | null
}

/** Small facts the workers learn at run time and the health panel shows. */
export class RuntimeState extends Effect.Service<RuntimeState>()("soulspot/RuntimeState", {
  effect: Effect.gen(function*() {
    const sync = yield* Ref.make<SyncState>({ lastSync: null, idle: false, skipped: null })
    return { sync } as const
  })
}) {}
