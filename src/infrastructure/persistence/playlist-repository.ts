import { SqlClient, type SqlError } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import { randomUUID } from "node:crypto"
import type { Download } from "../../domain/download.js"
import { DomainEvents } from "../../domain/events.js"
import type { QueueResult } from "../../domain/ports/DownloadRepository.js"
import {
  type Playlist, PlaylistRepository, type PlaylistSummary, type QueueListRequest, type QueueListResult
} from "../../domain/ports/PlaylistRepository.js"
import { cleanTrackInput, recordingKey } from "../../domain/track.js"
import type { EntryAlbum, TrackListSourceName } from "../../domain/track-list.js"
import { orderedUuid } from "./ordered-id.js"
import { resolveRequestKeys, TRACK_MERGE_ON_CONFLICT } from "./track-merge.js"
import { DOWNLOAD_SELECT, type DownloadRow, nowIso, toDownload } from "./rows.js"

/*
 * Many tracks in a handful of statements: every step of a list (tracks, existing downloads,
 * new downloads, albums, the playlist) is one INSERT ... SELECT FROM json_each(?) or one SELECT,
 * whatever the list's length. One statement per track cost about 1 ms per track.
 */

const ACTIVE_OR_DONE = "('WAITING', 'PENDING', 'QUEUED', 'DOWNLOADING', 'COMPLETED')"

const sqliteCode = (e: unknown): string => String((e as { cause?: { code?: unknown } } | undefined)?.cause?.code ?? "")

/** Another process took the write lock or inserted the same row first: running the transaction again is right. */
const raceLost = (e: SqlError.SqlError) => sqliteCode(e) === "SQLITE_CONSTRAINT_UNIQUE" || sqliteCode(e).startsWith("SQLITE_BUSY")

interface PlaylistRow {
  readonly id: string
  readonly source: TrackListSourceName
  readonly source_id: string
  readonly title: string
  readonly watch: number
  readonly snapshot: string | null
  readonly total_tracks: number
  readonly priority: number
  readonly quality_profile: string | null
  readonly last_synced_at: string | null
  readonly last_error: string | null
  readonly queued?: number | null
  readonly done?: number | null
  readonly failed?: number | null
}

const toPlaylist = (r: PlaylistRow): Playlist => ({
  id: r.id, source: r.source, sourceId: r.source_id, title: r.title, watch: r.watch === 1, snapshot: r.snapshot,
  totalTracks: r.total_tracks, priority: r.priority, qualityProfile: r.quality_profile,
  lastSyncedAt: r.last_synced_at, lastError: r.last_error
})

const toSummary = (r: PlaylistRow): PlaylistSummary => ({
  ...toPlaylist(r), queued: r.queued ?? 0, done: r.done ?? 0, failed: r.failed ?? 0
})

// Per playlist: how many of its tracks are active, done, or only failed/cancelled.
const SUMMARY_SELECT = `WITH per_track AS (
    SELECT pt.playlist_id, pt.track_id, max(CASE
      WHEN d.status IN ('WAITING', 'PENDING', 'QUEUED', 'DOWNLOADING') THEN 3
      WHEN d.status = 'COMPLETED' THEN 2
      WHEN d.status = 'FAILED' THEN 1 ELSE 0 END) AS s
    FROM playlist_tracks pt LEFT JOIN downloads d ON d.track_id = pt.track_id
    GROUP BY pt.playlist_id, pt.track_id),
  counts AS (
    SELECT playlist_id, sum(s = 3) AS queued, sum(s = 2) AS done, sum(s = 1) AS failed FROM per_track GROUP BY playlist_id)
  SELECT p.id, p.source, p.source_id, p.title, p.watch, p.snapshot, p.total_tracks, p.priority, p.quality_profile,
    p.last_synced_at, p.last_error, c.queued, c.done, c.failed
  FROM playlists p LEFT JOIN counts c ON c.playlist_id = p.id`

const albumKey = (a: EntryAlbum) => `${a.source}\u0000${a.sourceId}`

export const makePlaylistRepository = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const events = yield* DomainEvents

  const rows = <A extends object>(query: string, params: ReadonlyArray<unknown>) =>
    sql.unsafe<A>(query, params as Array<unknown>).withoutTransform

  const queueListTx = (req: QueueListRequest) => Effect.gen(function*() {
    const now = yield* nowIso
    const nowMs = Date.parse(now)
    const cleaned = req.entries.map((e) => ({ ...e, track: cleanTrackInput(e.track) }))
    // the same recording already stored under another key (no album, another spelling) is that track
    // folding is the costly part of a key: once per track (a list holds up to 10,000)
    const recordingKeys = cleaned.map((e) => recordingKey(e.track))
    const keys = yield* resolveRequestKeys(sql, cleaned.map((e) => e.track), recordingKeys)

    // 1. tracks, by request key
    const firstByKey = new Map<string, number>()
    keys.forEach((k, i) => firstByKey.has(k) || firstByKey.set(k, i))
    const unique = [...firstByKey.entries()]
    yield* rows(`INSERT INTO tracks (id, request_key, title, artist, album, duration_ms, isrc, track_number, disc_number,
        spotify_id, deezer_id, recording_key, created_at, updated_at)
      SELECT j.value ->> 'id', j.value ->> 'k', j.value ->> 't', j.value ->> 'a', j.value ->> 'al', j.value ->> 'd',
        j.value ->> 'i', j.value ->> 'tn', j.value ->> 'dn', j.value ->> 's', j.value ->> 'z', j.value ->> 'rk', ?, ?
      FROM json_each(?) AS j WHERE true
      ${TRACK_MERGE_ON_CONFLICT}`, [now, now, JSON.stringify(unique.map(([k, i]) => {
      const t = cleaned[i]!.track
      return {
        id: randomUUID(), k, t: t.title, a: t.artist, al: t.album ?? null, d: t.durationMs ?? null, i: t.isrc ?? null,
        tn: t.trackNumber ?? null, dn: t.discNumber ?? null, s: t.spotifyId ?? null, z: t.deezerId ?? null,
        rk: recordingKeys[i]!
      }
    }))])
    const trackIdByKey = new Map((yield* rows<{ id: string; request_key: string }>(
      "SELECT id, request_key FROM tracks WHERE request_key IN (SELECT value FROM json_each(?))",
      [JSON.stringify(unique.map(([k]) => k))])).map((r) => [r.request_key, r.id]))
    const trackIds = unique.map(([k]) => trackIdByKey.get(k)!)

    // 2. the download each track already has (active first, else the latest completed one)
    const existing = new Map<string, string>()
    for (const r of yield* rows<{ id: string; track_id: string }>(`SELECT id, track_id FROM downloads
        WHERE track_id IN (SELECT value FROM json_each(?)) AND status IN ${ACTIVE_OR_DONE}
        ORDER BY track_id, CASE WHEN status = 'COMPLETED' THEN 1 ELSE 0 END, created_at DESC`, [JSON.stringify(trackIds)])) {
      if (!existing.has(r.track_id)) existing.set(r.track_id, r.id)
    }

    // 3. one WAITING download for every other track, ids in list order
    const created = new Set<string>()
    const fresh: Array<{ id: string; t: string }> = []
    for (const trackId of trackIds) {
      if (existing.has(trackId)) continue
      const id = orderedUuid(nowMs)
      existing.set(trackId, id)
      created.add(id)
      fresh.push({ id, t: trackId })
    }
    if (fresh.length > 0) {
      yield* rows(`INSERT INTO downloads (id, track_id, status, priority, quality_profile, created_at, updated_at)
        SELECT j.value ->> 'id', j.value ->> 't', 'WAITING', ?, ?, ?, ? FROM json_each(?) AS j`,
        [req.priority, req.qualityProfile, now, now, JSON.stringify(fresh)])
    }

    // 4. two or more tracks of one album: an album row, so the dispatcher searches the album's folder
    const byAlbum = new Map<string, { album: EntryAlbum; members: Array<{ trackId: string; disc: number; number: number }> }>()
    cleaned.forEach((e, i) => {
      if (e.album === null) return
      const group = byAlbum.get(albumKey(e.album)) ?? { album: e.album, members: [] }
      const trackId = trackIdByKey.get(keys[i]!)!
      if (!group.members.some((m) => m.trackId === trackId)) {
        group.members.push({ trackId, disc: e.track.discNumber ?? 1, number: e.track.trackNumber ?? group.members.length + 1 })
      }
      byAlbum.set(albumKey(e.album), group)
    })
    const groups = [...byAlbum.values()].filter((g) => g.members.length >= 2)
    if (groups.length > 0) {
      const albums = JSON.stringify(groups.map(({ album, members }) => ({
        id: randomUUID(), s: album.source, i: album.sourceId, t: album.title, a: album.artist,
        n: album.totalTracks ?? members.length, r: album.releaseDate
      })))
      yield* rows(`INSERT INTO albums (id, source, source_id, title, artist, total_tracks, release_date, created_at, updated_at)
        SELECT j.value ->> 'id', j.value ->> 's', j.value ->> 'i', j.value ->> 't', j.value ->> 'a', j.value ->> 'n',
          j.value ->> 'r', ?, ? FROM json_each(?) AS j WHERE true
        ON CONFLICT (source, source_id) DO NOTHING`, [now, now, albums])
      const albumIds = new Map((yield* rows<{ id: string; source: string; source_id: string }>(
        `SELECT a.id, a.source, a.source_id FROM json_each(?) AS j
          JOIN albums a ON a.source = j.value ->> 's' AND a.source_id = j.value ->> 'i'`, [albums]))
        .map((r) => [`${r.source}\u0000${r.source_id}`, r.id]))
      yield* rows(`INSERT INTO album_tracks (album_id, track_id, disc_number, track_number)
        SELECT j.value ->> 'a', j.value ->> 't', j.value ->> 'd', j.value ->> 'n' FROM json_each(?) AS j WHERE true
        ON CONFLICT (album_id, track_id) DO NOTHING`, [JSON.stringify(groups.flatMap((g) => g.members.map((m) => ({
        a: albumIds.get(albumKey(g.album)), t: m.trackId, d: m.disc, n: m.number
      }))))])
    }

    // 5. the playlist and which tracks it holds
    let playlist: Playlist | null = null
    if (req.playlist !== null) {
      const p = req.playlist
      yield* rows(`INSERT INTO playlists (id, source, source_id, title, watch, snapshot, total_tracks, priority, quality_profile,
          last_synced_at, last_error, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
        ON CONFLICT (source, source_id) DO UPDATE SET title = excluded.title, snapshot = excluded.snapshot,
          total_tracks = excluded.total_tracks, last_synced_at = excluded.last_synced_at, last_error = NULL,
          watch = ${p.watch === undefined ? "playlists.watch" : "excluded.watch"}, updated_at = excluded.updated_at`,
        [randomUUID(), p.source, p.sourceId, p.title, p.watch ? 1 : 0, p.snapshot, cleaned.length, req.priority,
          req.qualityProfile, now, now, now])
      const [row] = yield* rows<PlaylistRow>("SELECT * FROM playlists WHERE source = ? AND source_id = ?", [p.source, p.sourceId])
      playlist = toPlaylist(row!)
      yield* rows(`INSERT INTO playlist_tracks (playlist_id, track_id, position)
        SELECT ?, j.value ->> 't', j.value ->> 'p' FROM json_each(?) AS j WHERE true
        ON CONFLICT (playlist_id, track_id) DO UPDATE SET position = excluded.position`,
        [playlist.id, JSON.stringify(trackIds.map((t, p) => ({ t, p })))])
    }

    // 6. the answer: one download per entry
    const downloads = new Map((yield* rows<DownloadRow>(`${DOWNLOAD_SELECT} WHERE d.id IN (SELECT value FROM json_each(?))`,
      [JSON.stringify([...new Set(existing.values())])])).map((r) => [r.id, toDownload(r)]))
    const seen = new Set<string>()
    const results = keys.map((k): QueueResult => {
      const download = downloads.get(existing.get(trackIdByKey.get(k)!)!)!
      const first = !seen.has(download.id)
      seen.add(download.id)
      return { download, created: first && created.has(download.id) }
    })
    return { results, playlist } satisfies QueueListResult
  })

  const queueList = Effect.fn("PlaylistRepository.queueList")(function*(req: QueueListRequest) {
    const result = yield* queueListTx(req).pipe(
      sql.withTransaction,
      Effect.retry({ times: 5, while: raceLost }),
      Effect.orDie)
    const fresh: Array<Download> = result.results.flatMap((r) => (r.created ? [r.download] : []))
    if (fresh.length > 0) yield* events.publish(fresh.map((download) => ({ _tag: "DownloadChanged" as const, download })))
    return result
  })

  const find = (id: string) =>
    rows<PlaylistRow>(`${SUMMARY_SELECT} WHERE p.id = ?`, [id]).pipe(Effect.map((rs) => Option.map(Option.fromNullable(rs[0]), toSummary)))

  return PlaylistRepository.of({
    queueList,
    list: rows<PlaylistRow>(`${SUMMARY_SELECT} ORDER BY p.created_at, p.id`, []).pipe(Effect.map((rs) => rs.map(toSummary)), Effect.orDie),
    find: (id) => find(id).pipe(Effect.orDie),
    findBySource: (source, sourceId) =>
      rows<PlaylistRow>("SELECT * FROM playlists WHERE source = ? AND source_id = ?", [source, sourceId]).pipe(
        Effect.map((rs) => Option.map(Option.fromNullable(rs[0]), toPlaylist)), Effect.orDie),
    setWatch: (id, watch) => Effect.gen(function*() {
      yield* rows("UPDATE playlists SET watch = ?, updated_at = ? WHERE id = ?", [watch ? 1 : 0, yield* nowIso, id])
      return yield* find(id)
    }).pipe(Effect.orDie),
    remove: (id) => Effect.gen(function*() {
      const before = yield* rows<{ n: number }>("SELECT count(*) AS n FROM playlists WHERE id = ?", [id])
      yield* rows("DELETE FROM playlists WHERE id = ?", [id])
      return (before[0]?.n ?? 0) > 0
    }).pipe(sql.withTransaction, Effect.orDie),
    watched: rows<PlaylistRow>("SELECT * FROM playlists WHERE watch = 1 ORDER BY created_at, id", []).pipe(
      Effect.map((rs) => rs.map(toPlaylist)), Effect.orDie),
    markSynced: (id, at, error) =>
      rows("UPDATE playlists SET last_synced_at = ?, last_error = ?, updated_at = ? WHERE id = ?", [at, error, at, id]).pipe(
        Effect.asVoid, Effect.orDie)
  })
})

export const PlaylistRepositoryLive = Layer.effect(PlaylistRepository, makePlaylistRepository)
