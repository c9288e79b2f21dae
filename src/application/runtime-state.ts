import { Effect, Ref } from "effect"

/** Small facts the workers learn at run time and the health panel shows. */
export class RuntimeState extends Effect.Service<RuntimeState>()("soulspot/RuntimeState", {
  effect: Effect.gen(function*() {
    const lastSync = yield* Ref.make<string | null>(null)
    const nextSearchInMillis = yield* Ref.make<Effect.Effect<number>>(Effect.succeed(0))
    return {
      lastSync,
      /** The search budget registers how to ask it; 0 until one does. */
      nextSearchInMillis
    } as const
  })
}) {}
