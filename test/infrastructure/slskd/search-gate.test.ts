import { describe, expect, it } from "@effect/vitest"
import { Clock, Deferred, Effect, Fiber, Ref, TestClock } from "effect"
import { SearchGate } from "../../../src/domain/ports/SearchGate.js"
import { DatabaseLive } from "../../../src/infrastructure/persistence/sqlite.js"
import { makeSearchGate, WINDOW_LIMIT, WINDOW_MS } from "../../../src/infrastructure/slskd/search-gate.js"

const gate = <A, E>(self: Effect.Effect<A, E, SearchGate>) =>
  self.pipe(Effect.provideServiceEffect(SearchGate, makeSearchGate), Effect.provide(DatabaseLive(":memory:")))

describe("search gate", () => {
  it.effect("100 wanted searches: never more than the budget in any 220 s window, never more than 2 at once", () =>
    Effect.gen(function*() {
      const g = yield* SearchGate
      const starts: Array<number> = []
      const inFlight = yield* Ref.make(0)
      let maxInFlight = 0
      const search = Effect.gen(function*() {
        starts.push(yield* Clock.currentTimeMillis)
        const n = yield* Ref.updateAndGet(inFlight, (x) => x + 1)
        maxInFlight = Math.max(maxInFlight, n)
        yield* Effect.sleep("7 seconds") // a search lasts a while
        yield* Ref.update(inFlight, (x) => x - 1)
      })
      const all = yield* Effect.fork(Effect.all(Array.from({ length: 100 }, () => g.withSearchSlot(search)), { concurrency: "unbounded" }))
      for (let i = 0; i < 300 && (yield* Fiber.poll(all))._tag === "None"; i++) yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(all)
      expect(starts).toHaveLength(100)
      expect(maxInFlight).toBe(2)
      // slide a 220 s window over every start: at most WINDOW_LIMIT inside
      const worst = Math.max(...starts.map((s) => starts.filter((t) => t >= s && t < s + WINDOW_MS).length))
      expect(worst).toBeLessThanOrEqual(WINDOW_LIMIT)
      expect(worst).toBe(WINDOW_LIMIT) // and the budget is used, not wasted
    }).pipe(gate))

  it.effect("a 429 cool-down delays everyone, and nextSlotIn says for how long", () =>
    Effect.gen(function*() {
      const g = yield* SearchGate
      expect(yield* g.nextSlotIn).toBe(0)
      yield* g.penalise(30_000)
      expect(yield* g.nextSlotIn).toBe(30_000)
      const started = yield* Deferred.make<number>()
      const f = yield* Effect.fork(g.withSearchSlot(Effect.flatMap(Clock.currentTimeMillis, (t) => Deferred.succeed(started, t))))
      yield* TestClock.adjust("29 seconds")
      expect(yield* Deferred.isDone(started)).toBe(false)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(f)
      expect(yield* Deferred.await(started)).toBe(30_000)
    }).pipe(gate))

  it.effect("a full window reports when the oldest start leaves it", () =>
    Effect.gen(function*() {
      const g = yield* SearchGate
      for (let i = 0; i < WINDOW_LIMIT; i++) {
        yield* g.withSearchSlot(Effect.void)
        yield* TestClock.adjust("1 second")
      }
      // 30 starts at t=0..29 s, now t=30 s: the first leaves the window at 220 s
      expect(yield* g.nextSlotIn).toBe(WINDOW_MS - 30_000)
    }).pipe(gate))

  it.effect("a failing search frees its slot", () =>
    Effect.gen(function*() {
      const g = yield* SearchGate
      for (let i = 0; i < 3; i++) yield* g.withSearchSlot(Effect.fail("boom")).pipe(Effect.ignore)
      const ok = yield* g.withSearchSlot(Effect.succeed("ok"))
      expect(ok).toBe("ok")
    }).pipe(gate))
})
