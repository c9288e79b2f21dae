/**
 * Test wiring for the slskd provider against the real simulator: real SQLite settings
 * pointing at a simulator on 127.0.0.1 port 0, the real client and provider.
 *
 * Provide `slskdTestLayer(...)` *inside* the test effect (`Effect.provide`), so the simulator
 * is built on the test's clock: under `it.effect` its time then moves only with TestClock.
 */
import { Duration, Effect, Fiber, Layer, Option, TestClock } from "effect"
import type { DurationInput } from "effect/Duration"
import { SlskdSimulatorWithSettings } from "../../src/dev/slskd-simulator/layer.js"
import type { SimulatorOptions } from "../../src/dev/slskd-simulator/index.js"
import { SlskdClient } from "../../src/infrastructure/slskd/client.js"
import { type ProviderTimings, slskdDownloadProviderLayer } from "../../src/infrastructure/slskd/provider.js"
import { PersistenceTest } from "./db.js"

export { SlskdSimulator } from "../../src/dev/slskd-simulator/layer.js"

/** Settings (real SQLite) → simulator (settings point at it) → SlskdClient → DownloadProvider. */
export const slskdTestLayer = (options: SimulatorOptions = {}, timings: Partial<ProviderTimings> = {}) => {
  const persistence = PersistenceTest()
  const simulator = SlskdSimulatorWithSettings(options).pipe(Layer.provide(persistence))
  const client = SlskdClient.Default.pipe(Layer.provide(persistence))
  const provider = slskdDownloadProviderLayer(timings).pipe(Layer.provide(Layer.merge(client, persistence)))
  return Layer.mergeAll(simulator, client, provider, persistence)
}

/** A real pause (not TestClock), to let sockets and the server do their work. */
export const realPause = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/**
 * Runs `effect` while moving TestClock forward in small steps, with a short real pause after
 * each step so HTTP round trips can finish. Fails the test when `limit` of virtual time passes.
 */
export const withTime = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: { readonly step?: DurationInput; readonly limit?: DurationInput } = {}
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const step = Duration.decode(options.step ?? "100 millis")
    const limit = Duration.toMillis(Duration.decode(options.limit ?? "10 minutes"))
    const fiber = yield* Effect.fork(effect)
    let elapsed = 0
    while (true) {
      yield* realPause(2)
      const exit = yield* Fiber.poll(fiber)
      if (Option.isSome(exit)) return yield* exit.value
      if (elapsed >= limit) {
        yield* Fiber.interrupt(fiber)
        return yield* Effect.dieMessage(`still running after ${Duration.format(Duration.millis(limit))} of test time`)
      }
      yield* TestClock.adjust(step)
      elapsed += Duration.toMillis(step)
    }
  })

/** Moves TestClock forward by `total`, step by step, with real pauses for in-flight requests. */
export const advance = (total: DurationInput, step: DurationInput = "100 millis") =>
  Effect.gen(function*() {
    const all = Duration.toMillis(Duration.decode(total))
    const each = Duration.toMillis(Duration.decode(step))
    for (let t = 0; t < all; t += each) {
      yield* TestClock.adjust(Duration.millis(Math.min(each, all - t)))
      yield* realPause(1)
    }
  })
