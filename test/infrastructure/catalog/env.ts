import { Chunk, Duration, Effect, Layer, TestClock } from "effect"
import { AlbumCatalogDefault } from "../../../src/infrastructure/catalog/catalog.js"
import { PersistenceTest } from "../../support/db.js"
import { FakeDeezerLive } from "../../support/fake-deezer.js"
import { FakeSpotifyLive } from "../../support/fake-spotify.js"

/**
 * The real catalog adapters over a real HTTP client, talking to the two fake servers, with
 * real SQLite (settings and library). Build it fresh per test so faults and counters never leak.
 */
export const CatalogTestEnv = () =>
  Layer.mergeAll(AlbumCatalogDefault, FakeSpotifyLive, FakeDeezerLive)
    .pipe(Layer.provideMerge(PersistenceTest()))

const realPause = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/** Polls (in real time: the servers are real) until `check` holds; dies after ~5 s. */
export const waitFor = <E, R>(check: Effect.Effect<boolean, E, R>, what: string) => Effect.gen(function*() {
  for (let i = 0; i < 2500; i++) {
    if (yield* check) return
    yield* realPause(2)
  }
  return yield* Effect.dieMessage(`timed out waiting for ${what}`)
})

/**
 * Waits until some fiber sleeps exactly `ms` from now on the TestClock, then moves the clock
 * by that much. Looking for the exact deadline makes the test fail if the code waits for any
 * other length of time.
 */
export const advanceWhenSleeping = (ms: number) => Effect.gen(function*() {
  const now = yield* TestClock.currentTimeMillis
  yield* waitFor(Effect.map(TestClock.sleeps(), Chunk.some((d) => d === now + ms)), `a wait of ${ms} ms`)
  yield* TestClock.adjust(Duration.millis(ms))
})

/** Gives in-flight real I/O a moment, for asserting that something did NOT happen. */
export const settle = realPause(50)
