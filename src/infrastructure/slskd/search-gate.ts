import { SqlClient } from "@effect/sql"
import { Clock, Effect, Layer, Ref, Schedule } from "effect"
import { SearchGate } from "../../domain/ports/SearchGate.js"
import { SlskdClient } from "./client.js"

/**
 * The Soulseek server disconnects clients that search too often (about 34 searches per 220 s).
 * We keep a sliding window of start times, well under that, so no 220 s window ever holds more
 * than WINDOW_LIMIT starts, whatever the burst. A token bucket would not promise that: a full
 * bucket plus its refill can exceed the limit inside one window. The start times are kept in
 * SQLite, so a restart (or a crash loop) starts with the window as it was.
 */
export const WINDOW_MS = 220_000
export const WINDOW_LIMIT = 30
/** slskd runs two network searches at once; more would only queue inside slskd. */
export const CONCURRENT_SEARCHES = 2

export const makeSearchGate = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const startedAt = yield* Clock.currentTimeMillis
  yield* sql`DELETE FROM search_starts WHERE started_at <= ${startedAt - WINDOW_MS}`.pipe(Effect.orDie)
  const kept = yield* sql<{ startedAt: number }>`SELECT started_at FROM search_starts ORDER BY started_at`.pipe(Effect.orDie)
  const starts = yield* Ref.make<ReadonlyArray<number>>(kept.map((r) => Number(r.startedAt)))
  if (kept.length > 0) yield* Effect.logInfo(`search budget: ${kept.length} searches started in the last ${WINDOW_MS / 1000} s before this start`)
  const record = (now: number) => Effect.orDie(sql.withTransaction(Effect.zipRight(
    sql`INSERT INTO search_starts (started_at) VALUES (${now})`,
    sql`DELETE FROM search_starts WHERE started_at <= ${now - WINDOW_MS}`)))
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
        // stored before the search is sent: a crash right after it still counts it
        yield* record(now)
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

/**
 * The slskd client, with every search it creates written down (before the POST) and crossed
 * out when it is deleted: what a crash leaves behind in slskd is known at the next start.
 */
export const RecordedSearchesClient = Layer.effect(SlskdClient, Effect.gen(function*() {
  const client = yield* SlskdClient
  const sql = yield* SqlClient.SqlClient
  return new SlskdClient({
    ...client,
    startSearch: (body) => Effect.zipRight(
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        sql`INSERT INTO slskd_searches (id, created_at) VALUES (${body.id}, ${new Date(now).toISOString()}) ON CONFLICT (id) DO NOTHING`).pipe(Effect.orDie),
      client.startSearch(body)),
    deleteSearch: (id) => Effect.tap(client.deleteSearch(id), () => sql`DELETE FROM slskd_searches WHERE id = ${id}`.pipe(Effect.orDie))
  })
}))

/**
 * At start, the searches an earlier run created and never deleted (it crashed or was killed)
 * are stopped and deleted in slskd; while slskd is unreachable this is tried again every minute.
 */
export const StaleSearchCleanupLive = Layer.scopedDiscard(Effect.gen(function*() {
  const client = yield* SlskdClient
  const sql = yield* SqlClient.SqlClient
  const leftovers = (yield* sql<{ id: string }>`SELECT id FROM slskd_searches ORDER BY created_at`.pipe(Effect.orDie)).map((r) => r.id)
  if (leftovers.length === 0) return
  const cleanUp = Effect.gen(function*() {
    const remaining = (yield* sql<{ id: string }>`SELECT id FROM slskd_searches`.pipe(Effect.orDie)).map((r) => r.id)
    yield* Effect.forEach(remaining, (id) => Effect.zipRight(client.stopSearch(id), client.deleteSearch(id)), { discard: true })
    yield* Effect.logInfo(`deleted ${remaining.length} searches an earlier run left in slskd`)
  })
  yield* Effect.logInfo(`${leftovers.length} searches an earlier run left in slskd: deleting them`)
  yield* cleanUp.pipe(
    Effect.tapError((e) => Effect.logWarning(`could not delete the searches left in slskd yet: ${e.message}`)),
    Effect.retry(Schedule.spaced("1 minute")),
    Effect.forkScoped)
}))
