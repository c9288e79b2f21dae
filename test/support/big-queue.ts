import Database from "better-sqlite3"
import { Effect, Layer } from "effect"
import { DatabaseLive } from "../../src/infrastructure/persistence/sqlite.js"

/**
 * Status of generated row i (1-based): 90 % WAITING, the rest spread over the other statuses.
 * The same rule in SQL below and here, so a test can say what it expects without a query.
 */
export const seededStatus = (i: number): string => {
  const r = i % 100
  return r < 90 ? "WAITING" : r < 92 ? "PENDING" : r < 94 ? "QUEUED" : r < 96 ? "DOWNLOADING" : r < 98 ? "COMPLETED" : r < 99 ? "FAILED" : "CANCELLED"
}

/**
 * A migrated database file holding `n` generated tracks and downloads, inserted by SQLite itself
 * (a recursive CTE: a second or two for 100,000 rows). Titles are "Song <i>", artists
 * "Artist <i % 50>", albums "Album <i / 10>"; every third row shares its created_at with the
 * next ones (the id breaks the tie); a quarter of WAITING rows is in back-off until 2099.
 */
export const seedQueue = async (file: string, n: number): Promise<void> => {
  await Effect.runPromise(Effect.scoped(Layer.build(DatabaseLive(file))).pipe(Effect.asVoid))
  const db = new Database(file)
  db.exec(`
    CREATE TEMP TABLE seq AS WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${n}) SELECT i FROM s;
    INSERT INTO tracks (id, request_key, title, artist, album, created_at, updated_at)
      SELECT 't' || i, 'seed|' || i, 'Song ' || i, 'Artist ' || (i % 50), 'Album ' || (i / 10),
        '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z' FROM seq;
    INSERT INTO downloads (id, track_id, status, priority, attempts, next_attempt_at, quality_profile, created_at, updated_at, completed_at)
      SELECT 'd' || printf('%06d', i), 't' || i, st,
        CASE WHEN i % 7 = 0 THEN 10 WHEN i % 13 = 0 THEN -5 ELSE 0 END, 0,
        CASE WHEN st = 'WAITING' AND i % 4 = 0 THEN '2099-01-01T00:00:00.000Z' END, 'balanced', ts, ts,
        CASE WHEN st IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN ts END
      FROM (SELECT i,
          CASE WHEN i % 100 < 90 THEN 'WAITING' WHEN i % 100 < 92 THEN 'PENDING' WHEN i % 100 < 94 THEN 'QUEUED'
            WHEN i % 100 < 96 THEN 'DOWNLOADING' WHEN i % 100 < 98 THEN 'COMPLETED' WHEN i % 100 < 99 THEN 'FAILED' ELSE 'CANCELLED' END AS st,
          strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-01', '+' || (i / 3) || ' seconds') AS ts
        FROM seq);
    DROP TABLE seq;
    ANALYZE;`)
  db.close()
}
