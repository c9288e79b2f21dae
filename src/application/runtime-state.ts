import { Effect, Ref } from "effect"

/** Small facts the workers learn at run time and the health panel shows. */
export class RuntimeState extends Effect.Service<RuntimeState>()("soulspot/RuntimeState", {
  effect: Effect.gen(function*() {
    const lastSync = yield* Ref.make<string | null>(null)
    return { lastSync } as const
  })
}) {}
