import { Clock, Effect } from "effect"
import type { Download, DownloadStatus } from "../../domain/download.js"
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

/** downloads joined with tracks; track columns are prefixed t_ to keep names apart. */
export const DOWNLOAD_SELECT = `SELECT d.id, d.track_id, d.status, d.priority, d.slskd_id, d.username, d.filename, d.size,
  d.bytes_transferred, d.speed_bps, d.eta_seconds, d.attempts, d.next_attempt_at, d.error, d.quality_profile, d.progress_at,
  d.created_at, d.updated_at, d.completed_at,
  t.request_key AS t_request_key, t.title AS t_title, t.artist AS t_artist, t.album AS t_album,
  t.duration_ms AS t_duration_ms, t.isrc AS t_isrc, t.track_number AS t_track_number,
  t.disc_number AS t_disc_number, t.spotify_id AS t_spotify_id, t.deezer_id AS t_deezer_id
FROM downloads d JOIN tracks t ON t.id = d.track_id`

export interface DownloadRow {
  readonly id: string
  readonly trackId: string
  readonly status: DownloadStatus
  readonly priority: number
  readonly slskdId: string | null
  readonly username: string | null
  readonly filename: string | null
  readonly size: number | null
  readonly bytesTransferred: number
  readonly speedBps: number
  readonly etaSeconds: number | null
  readonly attempts: number
  readonly nextAttemptAt: string | null
  readonly error: string | null
  readonly qualityProfile: string
  readonly progressAt: string | null
  readonly createdAt: string
  readonly updatedAt: string
  readonly completedAt: string | null
  readonly tRequestKey: string
  readonly tTitle: string
  readonly tArtist: string
  readonly tAlbum: string | null
  readonly tDurationMs: number | null
  readonly tIsrc: string | null
  readonly tTrackNumber: number | null
  readonly tDiscNumber: number | null
  readonly tSpotifyId: string | null
  readonly tDeezerId: string | null
}

export const toDownload = (r: DownloadRow): Download => ({
  id: r.id,
  trackId: r.trackId,
  status: r.status,
  priority: r.priority,
  slskdId: r.slskdId,
  username: r.username,
  filename: r.filename,
  size: r.size,
  bytesTransferred: r.bytesTransferred,
  speedBps: r.speedBps,
  etaSeconds: r.etaSeconds,
  attempts: r.attempts,
  nextAttemptAt: r.nextAttemptAt,
  error: r.error,
  qualityProfile: r.qualityProfile,
  progressAt: r.progressAt,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  completedAt: r.completedAt,
  track: {
    id: r.trackId,
    requestKey: r.tRequestKey,
    title: r.tTitle,
    artist: r.tArtist,
    album: r.tAlbum,
    durationMs: r.tDurationMs,
    isrc: r.tIsrc,
    trackNumber: r.tTrackNumber,
    discNumber: r.tDiscNumber,
    spotifyId: r.tSpotifyId,
    deezerId: r.tDeezerId
  }
})
