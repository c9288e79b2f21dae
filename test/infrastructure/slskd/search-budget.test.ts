/**
 * The search budget across restarts: 30 searches, a crash, a new process on the same database
 * file and the same (simulated) slskd: the 31st waits until the window moves, and the searches
 * the crashed run left in slskd are deleted at start.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Fiber, Layer, Logger, LogLevel, Scope, TestClock } from "effect"
import { randomUUID } from "node:crypto"
import { ProviderLayer } from "../../../src/App.js"
import { makeSimulator, type SlskdSimulatorHandle } from "../../../src/dev/slskd-simulator/index.js"
import { SearchGate } from "../../../src/domain/ports/SearchGate.js"
import { SlskdClient } from "../../../src/infrastructure/slskd/client.js"
import { WINDOW_LIMIT, WINDOW_MS } from "../../../src/infrastructure/slskd/search-gate.js"
import { PersistenceTest, tempDbFile } from "../../support/db.js"
import { realPause } from "../../support/simulator.js"

/** One run of the service's slskd side on this database file. */
const processOn = (file: string, sim: SlskdSimulatorHandle) => Layer.fresh(ProviderLayer.pipe(
  Layer.provideMerge(PersistenceTest(file)),
  Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([
    ["SOULSPOT_SLSKD_URL", sim.url], ["SOULSPOT_SLSKD_API_KEY", sim.apiKey ?? ""]
  ])))),
  Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))))

const search = Effect.gen(function*() {
  const gate = yield* SearchGate
  const client = yield* SlskdClient
  return yield* gate.withSearchSlot(client.startSearch({ id: randomUUID(), searchText: "massive attack angel", searchTimeout: 5 }))
})

/** Waits (real time) until `check` holds, for socket round trips. */
const eventually = (check: Effect.Effect<boolean>) => Effect.gen(function*() {
  for (let i = 0; i < 200; i++) {
    if (yield* check) return
    yield* realPause(10)
  }
  return yield* Effect.dieMessage("condition not reached")
})

describe("search budget across a restart", () => {
  it.effect("after 30 searches and a crash, no 31st until the window moves; the crashed run's searches are deleted at start", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator({ host: "127.0.0.1", port: 0 })
      const file = tempDbFile()

      // first run: the whole budget, then a crash (no search deleted)
      const first = yield* Scope.make()
      const ctx1 = yield* Layer.buildWithScope(processOn(file, sim), first)
      yield* Effect.all(Array.from({ length: WINDOW_LIMIT }, () => search), { concurrency: 4 }).pipe(Effect.provide(ctx1))
      expect(yield* sim.control.searchCount).toBe(WINDOW_LIMIT)
      yield* Scope.close(first, Exit.void)
      expect((yield* sim.control.searches).filter((s) => !s.deleted)).toHaveLength(WINDOW_LIMIT)

      // second run, 10 s later, same file
      yield* TestClock.adjust("10 seconds")
      const second = yield* Scope.make()
      const ctx2 = yield* Layer.buildWithScope(processOn(file, sim), second)
      yield* eventually(Effect.map(sim.control.searches, (all) => all.every((s) => s.deleted)))
      expect(yield* Effect.provide(Effect.flatMap(SearchGate, (g) => g.nextSlotIn), ctx2)).toBe(WINDOW_MS - 10_000)

      const next = yield* Effect.fork(Effect.provide(search, ctx2))
      for (const step of [...Array.from({ length: 20 }, () => 10), 9]) { // up to 219 s
        yield* TestClock.adjust(`${step} seconds`)
        yield* realPause(5)
        expect(yield* sim.control.searchCount).toBe(WINDOW_LIMIT)
      }
      yield* TestClock.adjust("1 second") // 220 s after the first search: it leaves the window
      yield* Fiber.join(next)
      expect(yield* sim.control.searchCount).toBe(WINDOW_LIMIT + 1)
      yield* Scope.close(second, Exit.void)
    }).pipe(Effect.scoped), { timeout: 30_000 })
})
