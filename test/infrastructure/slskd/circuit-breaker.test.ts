import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Queue, TestClock } from "effect"
import { Events } from "../../../src/application/events.js"
import { ProviderError } from "../../../src/domain/ports/DownloadProvider.js"
import { Settings } from "../../../src/domain/ports/Settings.js"
import { CircuitBreaker } from "../../../src/infrastructure/slskd/circuit-breaker.js"
import { PersistenceTest } from "../../support/db.js"

const TestLayer = CircuitBreaker.Default.pipe(Layer.provideMerge(PersistenceTest()))

const down = Effect.fail(new ProviderError({ reason: "Unreachable", message: "connect ECONNREFUSED 127.0.0.1:5030" }))
const answered4xx = Effect.fail(new ProviderError({ reason: "Unauthorized", message: "slskd answered 401: check the slskd API key", status: 401 }))
const ok = Effect.succeed("ok")

describe("CircuitBreaker", () => {
  it.layer(TestLayer, { timeout: 10_000 })((it) => {
    it.effect("CLOSED → OPEN after 3 failures, fails fast while OPEN, HALF_OPEN after 60 s, CLOSED on a good probe", () =>
      Effect.gen(function*() {
        const b = yield* CircuitBreaker
        let calls = 0
        const counted = <A, E>(e: Effect.Effect<A, E>) => Effect.suspend(() => { calls++; return e })
        for (let i = 0; i < 2; i++) yield* b.protect(counted(down)).pipe(Effect.ignore)
        expect((yield* b.snapshot)).toMatchObject({ state: "CLOSED", failureCount: 2 })
        yield* b.protect(counted(down)).pipe(Effect.ignore)
        expect((yield* b.snapshot)).toMatchObject({ state: "OPEN", failureCount: 3, retryInSeconds: 60, lastError: "connect ECONNREFUSED 127.0.0.1:5030" })

        const fast = yield* b.protect(counted(ok)).pipe(Effect.flip)
        expect(fast.reason).toBe("CircuitOpen")
        expect(calls).toBe(3) // the call never reached slskd

        yield* TestClock.adjust("59 seconds")
        expect((yield* b.snapshot).retryInSeconds).toBe(1)
        expect((yield* b.protect(counted(ok)).pipe(Effect.flip)).reason).toBe("CircuitOpen")
        yield* TestClock.adjust("1 second")
        expect(yield* b.protect(counted(ok))).toBe("ok")
        expect((yield* b.snapshot)).toMatchObject({ state: "CLOSED", failureCount: 0, retryInSeconds: null })
        expect((yield* b.snapshot).lastSuccess).not.toBeNull()
      }))

    it.effect("a failed probe re-opens for another full recovery time", () =>
      Effect.gen(function*() {
        const b = yield* CircuitBreaker
        for (let i = 0; i < 3; i++) yield* b.protect(down).pipe(Effect.ignore)
        yield* TestClock.adjust("60 seconds")
        yield* b.protect(down).pipe(Effect.ignore)
        expect((yield* b.snapshot)).toMatchObject({ state: "OPEN", failureCount: 4, retryInSeconds: 60 })
        yield* TestClock.adjust("60 seconds")
        yield* b.protect(ok)
        expect((yield* b.snapshot).state).toBe("CLOSED")
      }))

    it.effect("only one probe goes through while HALF_OPEN", () =>
      Effect.gen(function*() {
        const b = yield* CircuitBreaker
        for (let i = 0; i < 3; i++) yield* b.protect(down).pipe(Effect.ignore)
        yield* TestClock.adjust("60 seconds")
        const gate = yield* Deferred.make<void>()
        const probe = yield* Effect.fork(b.protect(Effect.as(Deferred.await(gate), "probe")))
        yield* Effect.yieldNow()
        expect((yield* b.snapshot).state).toBe("HALF_OPEN")
        expect((yield* b.protect(ok).pipe(Effect.flip)).reason).toBe("CircuitOpen")
        yield* Deferred.succeed(gate, undefined)
        expect(yield* Fiber.join(probe)).toBe("probe")
        expect((yield* b.snapshot).state).toBe("CLOSED")
      }))

    it.effect("4xx answers do not count, but show as the last error", () =>
      Effect.gen(function*() {
        const b = yield* CircuitBreaker
        for (let i = 0; i < 5; i++) yield* b.protect(answered4xx).pipe(Effect.ignore)
        expect((yield* b.snapshot)).toMatchObject({ state: "CLOSED", failureCount: 0, lastError: "slskd answered 401: check the slskd API key" })
      }))

    it.effect("interrupted calls do not count as failures", () =>
      Effect.gen(function*() {
        const b = yield* CircuitBreaker
        for (let i = 0; i < 5; i++) {
          const f = yield* Effect.fork(b.protect(Effect.never))
          yield* Effect.yieldNow()
          yield* Fiber.interrupt(f)
        }
        expect((yield* b.snapshot)).toMatchObject({ state: "CLOSED", failureCount: 0 })
      }))

    it.effect("an interrupted probe lets the next call probe again", () =>
      Effect.gen(function*() {
        const b = yield* CircuitBreaker
        for (let i = 0; i < 3; i++) yield* b.protect(down).pipe(Effect.ignore)
        yield* TestClock.adjust("60 seconds")
        const f = yield* Effect.fork(b.protect(Effect.never))
        yield* Effect.yieldNow()
        yield* Fiber.interrupt(f)
        expect(yield* b.protect(ok)).toBe("ok")
        expect((yield* b.snapshot).state).toBe("CLOSED")
      }))

    it.effect("the threshold and recovery time come from settings", () =>
      Effect.gen(function*() {
        const b = yield* CircuitBreaker
        const settings = yield* Settings
        yield* settings.update({ "breaker.failure_threshold": 1, "breaker.recovery_timeout": "5 seconds" })
        yield* b.protect(down).pipe(Effect.ignore)
        expect((yield* b.snapshot)).toMatchObject({ state: "OPEN", retryInSeconds: 5 })
        yield* TestClock.adjust("5 seconds")
        yield* b.protect(ok)
        yield* settings.update({ "breaker.failure_threshold": "", "breaker.recovery_timeout": "" })
      }))

    it.effect("state changes reach the event bus for the health panel", () =>
      Effect.gen(function*() {
        const b = yield* CircuitBreaker
        const events = yield* Events
        const sub = yield* events.subscribe
        for (let i = 0; i < 3; i++) yield* b.protect(down).pipe(Effect.ignore)
        const got = yield* Queue.takeAll(sub)
        expect([...got].filter((e) => e.event._tag === "HealthChanged").length).toBeGreaterThanOrEqual(3)
        yield* TestClock.adjust("60 seconds")
        yield* b.protect(ok)
      }).pipe(Effect.scoped))
  })
})
