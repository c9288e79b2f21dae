import { Clock, Effect, Layer, Ref } from "effect"
import { SearchGate } from "../../domain/ports/SearchGate.js"

/**
 * The Soulseek server disconnects clients that search too often (about 34 searches per 220 s).
 * We keep a sliding window of start times, well under that, so no 220 s window ever holds more
 * than WINDOW_LIMIT starts, whatever the burst. A token bucket would not promise that: a full
 * bucket plus its refill can exceed the limit inside one window.
 */
export const WINDOW_MS = 220_000
export const WINDOW_LIMIT = 30
/** slskd runs two network searches at once; more would only queue inside slskd. */
export const CONCURRENT_SEARCHES = 2

export const makeSearchGate = Effect.gen(function*() {
  const starts = yield* Ref.make<ReadonlyArray<number>>([])
  const pausedUntil = yield* Ref.make(0)
  // One admission at a time (FIFO), two searches in flight.
  const admission = yield* Effect.makeSemaphore(1)
  const running = yield* Effect.makeSemaphore(CONCURRENT_SEARCHES)

  const waitFor = (now: number, recent: ReadonlyArray<number>, paused: number): number => {
    const windowWait = recent.length >= WINDOW_LIMIT ? recent[recent.length - WINDOW_LIMIT]! + WINDOW_MS - now : 0
    return Math.max(0, paused - now, windowWait)
  }

  const admit = admission.withPermits(1)(Effect.gen(function*() {
    while (true) {
      const now = yield* Clock.currentTimeMillis
      const recent = (yield* Ref.get(starts)).filter((t) => t > now - WINDOW_MS)
      const wait = waitFor(now, recent, yield* Ref.get(pausedUntil))
      if (wait === 0) {
        yield* Ref.set(starts, [...recent, now])
        return
      }
      yield* Effect.logDebug(`search budget: next search in ${Math.ceil(wait / 1000)} s`)
      yield* Effect.sleep(wait)
    }
  }))

  return SearchGate.of({
    // The concurrency slot is taken first, so a token is never spent on a search that then waits.
    withSearchSlot: (search) => running.withPermits(1)(Effect.zipRight(admit, search)),
    penalise: (millis) => Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Ref.update(pausedUntil, (p) => Math.max(p, now + millis))),
    nextSlotIn: Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const recent = (yield* Ref.get(starts)).filter((t) => t > now - WINDOW_MS)
      return waitFor(now, recent, yield* Ref.get(pausedUntil))
    })
  })
})

export const SearchGateLive = Layer.effect(SearchGate, makeSearchGate)
