import { HttpLayerRouter, HttpServerRequest } from "@effect/platform"
import { Cache, Clock, Data, Duration, Effect, Exit } from "effect"
import { DownloadManager, startOfTodayUtc } from "../application/download-manager.js"
import { QueueControl } from "../application/queue-control.js"
import { DataVersion } from "../infrastructure/persistence/data-version.js"
import { downloadPageJson, jsonText, toStatsDto } from "./dto.js"

export const STATS_URL = "/api/downloads/manager/stats"
export const ACTIVE_URL = "/api/downloads/manager/active"

/** The active list's page size when the request names none. */
export const DEFAULT_ACTIVE_LIMIT = 100

/**
 * The answers every open page and script polls (stats, the first page of the active list),
 * written once per committed change of the database and handed out as they are until the next
 * one. Keyed by DataVersion, so any commit (a worker's progress, the CLI in another process)
 * makes the next request read afresh; stats also by the UTC day, which moves completed_today.
 * Concurrent requests for the same key share one read. A failed read is not kept.
 */
export class ReadCache extends Effect.Service<ReadCache>()("soulspot/ReadCache", {
  effect: Effect.gen(function*() {
    const manager = yield* DownloadManager
    const control = yield* QueueControl
    const version = yield* DataVersion

    // The newest answer of each with its key, encoded once: what the fast path (polled-fast-path.ts)
    // may hand out without entering Effect while the database has not changed since.
    let lastStats: { readonly version: number; readonly day: string; readonly body: Buffer } | undefined
    let lastFirstPage: { readonly version: number; readonly body: Buffer } | undefined

    // a failed read is not kept; a few entries, since each commit makes a new key
    const stats = yield* Cache.makeWith({
      capacity: 4,
      timeToLive: (exit) => Exit.isSuccess(exit) ? Duration.infinity : Duration.zero,
      lookup: ([v, day]: readonly [version: number, day: string]) => manager.stats.pipe(
        Effect.map((s) => JSON.stringify(toStatsDto(s))),
        Effect.tap((body) => Effect.sync(() => { lastStats = { version: v, day, body: Buffer.from(body) } })))
    })
    const firstPages = yield* Cache.makeWith({
      capacity: 4,
      timeToLive: (exit) => Exit.isSuccess(exit) ? Duration.infinity : Duration.zero,
      lookup: ([v, limit]: readonly [version: number, limit: number]) => control.active({ limit }).pipe(
        Effect.map(downloadPageJson),
        Effect.tap((body) => Effect.sync(() => { if (limit === DEFAULT_ACTIVE_LIMIT) lastFirstPage = { version: v, body: Buffer.from(body) } })),
        Effect.orDie)
    })

    return {
      stats: Effect.gen(function*() {
        const v = yield* version.current
        return jsonText(yield* stats.get(Data.tuple(v, startOfTodayUtc(yield* Clock.currentTimeMillis))))
      }),
      /** The first page in the list's order, without a filter. */
      firstActivePage: (limit: number) =>
        Effect.flatMap(version.current, (v) => Effect.map(firstPages.get(Data.tuple(v, limit)), jsonText)),
      /**
       * The JSON of stats or of the default first page (by URL) if it was computed since the last
       * commit (and, for stats, today), else undefined: synchronous, for the fast path.
       */
      unsafePeek: (url: string, nowMillis: number): Buffer | undefined => {
        const v = version.unsafeCurrent()
        if (url === STATS_URL) {
          return lastStats !== undefined && lastStats.version === v && lastStats.day === startOfTodayUtc(nowMillis) ? lastStats.body : undefined
        }
        return url === ACTIVE_URL && lastFirstPage !== undefined && lastFirstPage.version === v ? lastFirstPage.body : undefined
      }
    } as const
  })
}) {}

const POLLED_READS: ReadonlySet<string> = new Set([STATS_URL, ACTIVE_URL])

/**
 * The reads every open page and script polls (with or without a query): no tracing span per
 * request (nothing exports spans; in a CPU profile of bench/http.bench.ts, the span's URL parse
 * and header copies were about 5 % of a cached answer's cost).
 */
export const isPolledRead = (request: HttpServerRequest.HttpServerRequest): boolean =>
  request.method === "GET" && POLLED_READS.has(request.url.split("?")[0] ?? "")

/**
 * The two polled URLs exactly as the page and scripts poll them (GET, no query string) are
 * answered from ReadCache before the router (and, once computed, before Effect at all:
 * polled-fast-path.ts); every other form of them (a limit, a cursor, a
 * filter) goes to their HttpApi endpoints in rest.ts, which give the same answers. Measured in
 * bench/http.bench.ts: HttpApi's own per-request work was a quarter of a cached answer's cost.
 * Listed after AuthMiddleware and GuardMiddleware in http.ts, so they run first: the key is still
 * needed and the guard's log line still applies (test/api/read-cache.test.ts); the security
 * headers are set as any answer leaves (withSecurityHeaders in guard.ts).
 */
export const PolledReadsMiddleware = HttpLayerRouter.middleware(Effect.gen(function*() {
  const cache = yield* ReadCache
  return (effect) => Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    request.method !== "GET"
      ? effect
      : request.url === STATS_URL
      ? cache.stats
      : request.url === ACTIVE_URL
      ? cache.firstActivePage(DEFAULT_ACTIVE_LIMIT)
      : effect)
}), { global: true })
