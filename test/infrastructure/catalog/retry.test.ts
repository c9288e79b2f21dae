import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Ref, TestClock } from "effect"
import { retryReplies, TryAgain } from "../../../src/infrastructure/catalog/retry.js"

const BUDGETS = { limited: { times: 3, backoff: Duration.zero }, transient: { times: 2, backoff: Duration.millis(500) } }

/** An attempt that fails with the given outcomes in turn, then succeeds; records when it ran. */
const scripted = (outcomes: ReadonlyArray<"limited" | "transient" | "fatal">, delay = Duration.seconds(2)) =>
  Effect.gen(function*() {
    const runs = yield* Ref.make<ReadonlyArray<number>>([])
    const attempt = Effect.gen(function*() {
      const at = yield* TestClock.currentTimeMillis
      const n = (yield* Ref.updateAndGet(runs, (r) => [...r, at])).length - 1
      const o = outcomes[n]
      if (o === undefined) return "ok"
      if (o === "fatal") return yield* Effect.fail("fatal" as const)
      return yield* Effect.fail(new TryAgain({
        budget: o, exhausted: `${o} spent` as const, ...(o === "limited" ? { delay } : {})
      }))
    })
    return { runs, attempt }
  })

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.gen(function*() {
  const fiber = yield* Effect.fork(effect)
  yield* TestClock.adjust("1 minute")
  return yield* Fiber.await(fiber)
})

describe("retryReplies", () => {
  it.effect("waits the delay a failure names (Retry-After), else the budget's doubling backoff", () =>
    Effect.gen(function*() {
      const { runs, attempt } = yield* scripted(["limited", "transient", "transient", "limited"])
      expect(yield* run(retryReplies(attempt, BUDGETS))).toEqual(Exit.succeed("ok"))
      expect(yield* Ref.get(runs)).toEqual([0, 2000, 2500, 3500, 5500])
    }))

  it.effect("a delay of 0 retries at once", () =>
    Effect.gen(function*() {
      const { runs, attempt } = yield* scripted(["limited", "limited"], Duration.zero)
      expect(yield* run(retryReplies(attempt, BUDGETS))).toEqual(Exit.succeed("ok"))
      expect(yield* Ref.get(runs)).toEqual([0, 0, 0])
    }))

  it.effect("each budget is counted apart; a spent budget fails with its own error", () =>
    Effect.gen(function*() {
      const { runs, attempt } = yield* scripted(["transient", "limited", "transient", "limited", "transient"])
      expect(yield* run(retryReplies(attempt, BUDGETS))).toEqual(Exit.fail("transient spent"))
      expect((yield* Ref.get(runs)).length).toBe(5)
    }))

  it.effect("any other error ends at once", () =>
    Effect.gen(function*() {
      const { runs, attempt } = yield* scripted(["transient", "fatal"])
      expect(yield* run(retryReplies(attempt, BUDGETS))).toEqual(Exit.fail("fatal"))
      expect((yield* Ref.get(runs)).length).toBe(2)
    }))
})
