/**
 * The album groups of the downloads page's first page: AlbumGroups.ofTracks for the 100 rows
 * shown, on a database of 100,000 downloads whose tracks are on 12-track albums (8,334 albums).
 *
 * Baseline (same run, same database): reading those 100 rows (DownloadRepository.listActive,
 * the query the page makes anyway). The figure is the extra cost of grouping a page.
 *
 *   npm run bench -- album-groups
 */
import Database from "better-sqlite3"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { PersistenceLayer } from "../src/App.js"
import { AlbumGroups } from "../src/domain/ports/AlbumGroups.js"
import { DownloadRepository } from "../src/domain/ports/DownloadRepository.js"
import { seedQueue } from "../test/support/big-queue.js"
import { benchResult, ms, printTable, ratio, round, summarize, tempDir, times } from "./support.js"

const N = 100_000
const ROUNDS = 300

const main = async () => {
  const file = join(tempDir("soulspot-bench-groups-"), "groups.db")
  await seedQueue(file, N)
  const db = new Database(file)
  // tracks t1..tN: twelve in a row on one album, numbered 1..12
  db.exec(`INSERT INTO albums (id, source, source_id, title, artist, total_tracks, created_at, updated_at)
      SELECT 'a' || ((CAST(substr(id, 2) AS INTEGER) - 1) / 12), 'deezer', 'a' || ((CAST(substr(id, 2) AS INTEGER) - 1) / 12),
        'Album', 'Artist', 12, '2026-11-01', '2026-11-01' FROM tracks GROUP BY 1;
    INSERT INTO album_tracks (album_id, track_id, disc_number, track_number)
      SELECT 'a' || ((CAST(substr(id, 2) AS INTEGER) - 1) / 12), id, 1, ((CAST(substr(id, 2) AS INTEGER) - 1) % 12) + 1 FROM tracks;
    ANALYZE;`)
  const albums = (db.prepare("SELECT count(*) AS n FROM albums").get() as { n: number }).n
  db.close()

  const figures = await Effect.runPromise(Effect.gen(function*() {
    const repo = yield* DownloadRepository
    const groups = yield* AlbumGroups
    const page = yield* repo.listActive({ limit: 100 })
    const trackIds = page.downloads.map((d) => d.trackId)
    const time = <A>(e: Effect.Effect<A>) => Effect.gen(function*() {
      const xs: Array<number> = []
      for (let i = 0; i < ROUNDS + 20; i++) {
        const t = performance.now()
        yield* e
        if (i >= 20) xs.push(performance.now() - t)
      }
      return summarize(xs)
    })
    const rows = yield* time(repo.listActive({ limit: 100 }).pipe(Effect.orDie))
    const grouped = yield* time(groups.ofTracks(trackIds))
    const found = yield* groups.ofTracks(trackIds)
    return { rows, grouped, groupCount: found.length }
  }).pipe(Effect.provide(PersistenceLayer(file).pipe(Layer.provide(Logger.minimumLogLevel(LogLevel.Error)))), Effect.scoped))

  printTable(`first page of ${N.toLocaleString("en")} downloads on ${albums.toLocaleString("en")} albums (${ROUNDS} rounds, ms)`,
    ["query", "median", "p95", "max"], [
      ["baseline: listActive(100), the page's rows", ms(figures.rows.median), ms(figures.rows.p95), ms(figures.rows.max)],
      [`AlbumGroups.ofTracks(100 tracks) → ${figures.groupCount} albums`, ms(figures.grouped.median), ms(figures.grouped.p95), ms(figures.grouped.max)]
    ])
  console.log(`  grouping / rows read: ${times(ratio(figures.grouped.median, figures.rows.median))} (median)`)
  benchResult("album-groups", {
    downloads: N, albums, groups: figures.groupCount,
    rows_median_ms: round(figures.rows.median, 3), groups_median_ms: round(figures.grouped.median, 3),
    groups_p95_ms: round(figures.grouped.p95, 3), ratio: round(ratio(figures.grouped.median, figures.rows.median), 2)
  })
}

await main()
