import { Cache, Clock, Duration, Effect, Exit } from "effect"
import { DownloadManager, startOfTodayUtc } from "../application/download-manager.js"
import { QueueControl } from "../application/queue-control.js"
import { DataVersion } from "../infrastructure/persistence/data-version.js"
import { downloadPageJson, jsonText, toStatsDto } from "./dto.js"

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

    // a failed read is not kept; a few entries, since each commit makes a new key
    const stats = yield* Cache.makeWith({
      capacity: 4,
      timeToLive: (exit) => Exit.isSuccess(exit) ? Duration.infinity : Duration.zero,
      lookup: (_: string) => manager.stats.pipe(Effect.map((s) => jsonText(JSON.stringify(toStatsDto(s)))))
    })
    const firstPages = yield* Cache.makeWith({
      capacity: 4,
      timeToLive: (exit) => Exit.isSuccess(exit) ? Duration.infinity : Duration.zero,
      lookup: (key: string) => control.active({ limit: Number(key.split("|")[1]) }).pipe(
        Effect.map((p) => jsonText(downloadPageJson(p))), Effect.orDie)
    })

    return {
      stats: Effect.gen(function*() {
        const v = yield* version.current
        return yield* stats.get(`${v}|${startOfTodayUtc(yield* Clock.currentTimeMillis)}`)
      }),
      /** The first page in the list's order, without a filter. */
      firstActivePage: (limit: number) => Effect.flatMap(version.current, (v) => firstPages.get(`${v}|${limit}`))
    } as const
  })
}) {}
