import { Clock, Effect, Schema } from "effect"
import { ACTIVE_STATUSES, type Download, DownloadStatus, TERMINAL_STATUSES } from "../../domain/download.js"
import { Album } from "../../domain/album.js"
import type { ImportView } from "../../domain/library/import-state.js"
import { Track } from "../../domain/track.js"

export const nowIso = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

/**
 * Status lists as SQL text, derived from the domain's lists. Literal text rather than bound
 * parameters: SQLite uses a partial index (migrations/0006_big_queues.sql) only when the query
 * repeats its WHERE clause, and it cannot see through a parameter.
 */
const statusList = (statuses: ReadonlyArray<DownloadStatus>) => `(${statuses.map((s) => `'${s}'`).join(", ")})`
export const ACTIVE_SQL = statusList(ACTIVE_STATUSES)
export const TERMINAL_SQL = statusList(TERMINAL_STATUSES)

/** A track row read through the client's name transform is the domain's Track. */
export const TrackRow = Track

export const TRACK_COLUMNS = "id, request_key, title, artist, album, duration_ms, isrc, track_number, disc_number, spotify_id, deezer_id"

/** downloads joined with tracks; track columns are prefixed t_ to keep names apart. Read without the name transform (toDownload maps the snake_case columns itself). */
export const DOWNLOAD_SELECT = `SELECT d.id, d.track_id, d.status, d.priority, d.slskd_id, d.username, d.filename, d.size,
  d.bytes_transferred, d.speed_bps, d.eta_seconds, d.attempts, d.next_attempt_at, d.error, d.quality_profile, d.progress_at, d.paused,
  d.created_at, d.updated_at, d.completed_at,
  t.request_key AS t_request_key, t.title AS t_title, t.artist AS t_artist, t.album AS t_album,
  t.duration_ms AS t_duration_ms, t.isrc AS t_isrc, t.track_number AS t_track_number,
  t.disc_number AS t_disc_number, t.spotify_id AS t_spotify_id, t.deezer_id AS t_deezer_id,
  i.status AS i_status, i.step AS i_step, i.path AS i_path, i.reason AS i_reason, i.checks AS i_checks
FROM downloads d JOIN tracks t ON t.id = d.track_id LEFT JOIN download_imports i ON i.download_id = d.id`

const NullString = Schema.NullOr(Schema.String)
const NullNumber = Schema.NullOr(Schema.Number)

/** One DOWNLOAD_SELECT row as SQLite returns it. */
export const DownloadRow = Schema.Struct({
  id: Schema.String,
  track_id: Schema.String,
  status: DownloadStatus,
  priority: Schema.Number,
  slskd_id: NullString,
  username: NullString,
  filename: NullString,
  size: NullNumber,
  bytes_transferred: Schema.Number,
  speed_bps: Schema.Number,
  eta_seconds: NullNumber,
  attempts: Schema.Number,
  next_attempt_at: NullString,
  error: NullString,
  quality_profile: Schema.String,
  progress_at: NullString,
  paused: Schema.Number,
  created_at: Schema.String,
  updated_at: Schema.String,
  completed_at: NullString,
  t_request_key: Schema.String,
  t_title: Schema.String,
  t_artist: Schema.String,
  t_album: NullString,
  t_duration_ms: NullNumber,
  t_isrc: NullString,
  t_track_number: NullNumber,
  t_disc_number: NullNumber,
  t_spotify_id: NullString,
  t_deezer_id: NullString,
  // download_imports, joined: absent while library import is off
  i_status: Schema.optional(NullString),
  i_step: Schema.optional(NullString),
  i_path: Schema.optional(NullString),
  i_reason: Schema.optional(NullString),
  i_checks: Schema.optional(NullString)
})
export type DownloadRow = typeof DownloadRow.Type

export const toDownload = (r: DownloadRow): Download => ({
  id: r.id,
  trackId: r.track_id,
  status: r.status,
  priority: r.priority,
  slskdId: r.slskd_id,
  username: r.username,
  filename: r.filename,
  size: r.size,
  bytesTransferred: r.bytes_transferred,
  speedBps: r.speed_bps,
  etaSeconds: r.eta_seconds,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  error: r.error,
  qualityProfile: r.quality_profile,
  progressAt: r.progress_at,
  paused: r.paused === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  completedAt: r.completed_at,
  track: {
    id: r.track_id,
    requestKey: r.t_request_key,
    title: r.t_title,
    artist: r.t_artist,
    album: r.t_album,
    durationMs: r.t_duration_ms,
    isrc: r.t_isrc,
    trackNumber: r.t_track_number,
    discNumber: r.t_disc_number,
    spotifyId: r.t_spotify_id,
    deezerId: r.t_deezer_id
  },
  importState: r.i_status ? importView(r) : null
})

const importView = (r: DownloadRow): ImportView => ({
  status: r.i_status as ImportView["status"],
  step: r.i_step ?? "",
  path: r.i_path ?? null,
  reason: r.i_reason ?? null,
  checks: JSON.parse(r.i_checks ?? "[]") as ImportView["checks"]
})

/** SQLite has no boolean: 0 or 1 in the column. */
const BooleanFromBit = Schema.transform(Schema.Literal(0, 1), Schema.Boolean, {
  strict: true,
  decode: (n) => n === 1,
  encode: (b) => (b ? 1 : 0)
})

export const CandidateRow = Schema.Struct({
  rank: Schema.Number,
  username: Schema.String,
  filename: Schema.String,
  size: Schema.Number,
  score: Schema.Number,
  accepted: BooleanFromBit,
  reasons: Schema.parseJson(Schema.Array(Schema.String)),
  query: NullString,
  outcome: NullString
})

export const StatusCountRow = Schema.Struct({ status: DownloadStatus, n: Schema.Number })
export const CountRow = Schema.Struct({ n: Schema.Number })
export const StatusRow = Schema.Struct({ id: Schema.String, status: DownloadStatus })

/** An album row read through the name transform is the domain's Album. */
export const AlbumRow = Album
export const AlbumTrackRow = Schema.Struct({ albumId: Schema.String, trackId: Schema.String })
