import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"
import { randomUUID } from "node:crypto"
import { type LibraryEntry, normaliseIsrc, type WantedTrack } from "../../domain/library/library-match.js"
import { foldForKey } from "../../domain/track.js"
import { nowIso } from "../persistence/rows.js"

export interface IndexedFile extends LibraryEntry {
  readonly size: number
  readonly mtimeMs: number
}

/** The library index in SQLite: files with their tags, and the download a library hit becomes. */
export class LibraryIndex extends Effect.Service<LibraryIndex>()("soulspot/LibraryIndex", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const upsertMany = (files: ReadonlyArray<IndexedFile>, scanId: string | null = null) => Effect.gen(function*() {
      const now = yield* nowIso
      for (const f of files) {
        yield* sql`INSERT INTO library_files ${sql.insert({
          path: f.path, size: f.size, mtimeMs: Math.round(f.mtimeMs), title: f.title, artist: f.artist, album: f.album,
          isrc: normaliseIsrc(f.isrc), artistKey: foldForKey(f.artist ?? ""), titleKey: foldForKey(f.title ?? ""), indexedAt: now, scanId
        })} ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, title = excluded.title,
          artist = excluded.artist, album = excluded.album, isrc = excluded.isrc, artist_key = excluded.artist_key,
          title_key = excluded.title_key, indexed_at = excluded.indexed_at, scan_id = excluded.scan_id`
      }
    }).pipe(sql.withTransaction, Effect.orDie)

    /** size and mtime of the indexed files among `paths`, to skip the ones that did not change. */
    const known = (paths: ReadonlyArray<string>) =>
      sql<{ path: string; size: number; mtimeMs: number }>`SELECT path, size, mtime_ms FROM library_files
        WHERE path IN (SELECT value FROM json_each(${JSON.stringify(paths)}))`.pipe(
        Effect.map((rows) => new Map(rows.map((r) => [r.path, r] as const))), Effect.orDie)

    /** Files that may be the track (same ISRC, or same folded artist and title); the match rule decides. */
    const candidates = (t: WantedTrack) =>
      sql<LibraryEntry>`SELECT path, title, artist, album, isrc FROM library_files
        WHERE isrc = ${normaliseIsrc(t.isrc) ?? ""} OR (artist_key = ${foldForKey(t.artist)} AND title_key = ${foldForKey(t.title)})
        ORDER BY path LIMIT 50`.pipe(Effect.orDie)

    /** Drops entries under `root` that the scan `scanId` did not see (an import during the scan is kept). */
    const removeUnseen = (root: string, scanId: string) =>
      sql`DELETE FROM library_files WHERE scan_id IS NOT NULL AND scan_id != ${scanId}
        AND substr(path, 1, ${root.length + 1}) = ${root + "/"}`.pipe(Effect.asVoid, Effect.orDie)

    /** Unchanged files the scan `scanId` saw. */
    const touch = (paths: ReadonlyArray<string>, scanId: string) =>
      sql`UPDATE library_files SET scan_id = ${scanId} WHERE path IN (SELECT value FROM json_each(${JSON.stringify(paths)}))`.pipe(
        Effect.asVoid, Effect.orDie)

    const remove = (path: string) => sql`DELETE FROM library_files WHERE path = ${path}`.pipe(Effect.asVoid, Effect.orDie)

    const count = sql<{ n: number }>`SELECT count(*) AS n FROM library_files`.pipe(Effect.map((r) => r[0]?.n ?? 0), Effect.orDie)

    /**
     * A request for a track already in the library: one COMPLETED download with an IMPORTED import
     * at that path, in one transaction, unless the track has an active or completed download
     * already (then that one is the answer). None when another request won.
     */
    const answerFromLibrary = (trackId: string, priority: number, qualityProfile: string, path: string, detail: string) =>
      Effect.gen(function*() {
        const existing = yield* sql<{ id: string }>`SELECT id FROM downloads WHERE track_id = ${trackId}
          AND status IN ('WAITING', 'PENDING', 'QUEUED', 'DOWNLOADING', 'COMPLETED') LIMIT 1`
        if (existing.length > 0) return Option.none<string>()
        const id = randomUUID()
        const now = yield* nowIso
        yield* sql`INSERT INTO downloads ${sql.insert({
          id, trackId, status: "COMPLETED", priority, qualityProfile, createdAt: now, updatedAt: now, completedAt: now
        })}`
        yield* sql`INSERT INTO download_imports ${sql.insert({
          downloadId: id, status: "IMPORTED", step: "DONE", accepted: 0, sourcePath: null, stagingPath: null, path,
          reason: "already in your library", checks: JSON.stringify([{ name: "library", ok: true, detail }]),
          createdAt: now, updatedAt: now
        })}`
        return Option.some(id)
      }).pipe(sql.withTransaction, Effect.orDie)

    return { upsertMany, known, candidates, removeUnseen, touch, remove, count, answerFromLibrary } as const
  })
}) {}
