import { Clock, Effect } from "effect"
import type { Download, DownloadStatus } from "../../domain/download.js"
import type { ImportView } from "../../domain/library/import-state.js"
import type { Track } from "../../domain/track.js"

export const nowIso = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

export interface TrackRow {
  readonly id: string
  readonly requestKey: string
  readonly title: string
  readonly artist: string
  readonly album: string | null
  readonly durationMs: number | null
  readonly isrc: string | null
  readonly trackNumber: number | null
  readonly discNumber: number | null
  readonly spotifyId: string | null
  readonly deezerId: string | null
}

export const toTrack = (r: TrackRow): Track => ({
  id: r.id,
  requestKey: r.requestKey,
  title: r.title,
  artist: r.artist,
  album: r.album,
  durationMs: r.durationMs,
  isrc: r.isrc,
  trackNumber: r.trackNumber,
  discNumber: r.discNumber,
  spotifyId: r.spotifyId,
  deezerId: r.deezerId
})

export const TRACK_COLUMNS = "id, request_key, title, artist, album, duration_ms, isrc, track_number, disc_number, spotify_id, deezer_id"

/** downloads joined with tracks; track columns are prefixed t_ to keep names apart. Read without the name transform (rows.ts maps the snake_case columns itself: it is the hot read of every sync tick). */
export const DOWNLOAD_SELECT = `SELECT d.id, d.track_id, d.status, d.priority, d.slskd_id, d.username, d.filename, d.size,
  d.bytes_transferred, d.speed_bps, d.eta_seconds, d.attempts, d.next_attempt_at, d.error, d.quality_profile, d.progress_at,
  d.created_at, d.updated_at, d.completed_at,
  t.request_key AS t_request_key, t.title AS t_title, t.artist AS t_artist, t.album AS t_album,
  t.duration_ms AS t_duration_ms, t.isrc AS t_isrc, t.track_number AS t_track_number,
  t.disc_number AS t_disc_number, t.spotify_id AS t_spotify_id, t.deezer_id AS t_deezer_id,
  i.status AS i_status, i.step AS i_step, i.path AS i_path, i.reason AS i_reason, i.checks AS i_checks
FROM downloads d JOIN tracks t ON t.id = d.track_id LEFT JOIN download_imports i ON i.download_id = d.id`

export interface DownloadRow {
  readonly id: string
  readonly track_id: string
  readonly status: DownloadStatus
  readonly priority: number
  readonly slskd_id: string | null
  readonly username: string | null
  readonly filename: string | null
  readonly size: number | null
  readonly bytes_transferred: number
  readonly speed_bps: number
  readonly eta_seconds: number | null
  readonly attempts: number
  readonly next_attempt_at: string | null
  readonly error: string | null
  readonly quality_profile: string
  readonly progress_at: string | null
  readonly created_at: string
  readonly updated_at: string
  readonly completed_at: string | null
  readonly t_request_key: string
  readonly t_title: string
  readonly t_artist: string
  readonly t_album: string | null
  readonly t_duration_ms: number | null
  readonly t_isrc: string | null
  readonly t_track_number: number | null
  readonly t_disc_number: number | null
  readonly t_spotify_id: string | null
  readonly t_deezer_id: string | null
  readonly i_status?: string | null
  readonly i_step?: string | null
  readonly i_path?: string | null
  readonly i_reason?: string | null
  readonly i_checks?: string | null
}

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
