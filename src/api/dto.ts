import { Schema } from "effect"
import type { ProviderHealth } from "../application/health.js"
import { type Download, DownloadStatus, type Progress, progressOf } from "../domain/download.js"
import type { DownloadStats } from "../domain/ports/DownloadRepository.js"

const Nullable = <S extends Schema.Schema.Any>(s: S) => Schema.NullOr(s)

export const TrackDto = Schema.Struct({
  id: Schema.String,
  title: Schema.String,
  artist: Schema.String,
  album: Nullable(Schema.String),
  duration_ms: Nullable(Schema.Number),
  isrc: Nullable(Schema.String),
  track_number: Nullable(Schema.Number),
  disc_number: Nullable(Schema.Number)
})

export const ProgressDto = Schema.Struct({
  bytes_transferred: Schema.Number,
  size: Schema.Number,
  percent: Schema.Number,
  speed_bps: Schema.Number,
  eta_seconds: Nullable(Schema.Number)
})

export const DownloadDto = Schema.Struct({
  id: Schema.String,
  track_id: Schema.String,
  status: DownloadStatus,
  priority: Schema.Number,
  slskd_id: Nullable(Schema.String),
  username: Nullable(Schema.String),
  filename: Nullable(Schema.String),
  size: Nullable(Schema.Number),
  created_at: Schema.String,
  updated_at: Schema.String,
  completed_at: Nullable(Schema.String),
  track: TrackDto,
  progress: Nullable(ProgressDto),
  attempts: Schema.Number,
  next_attempt_at: Nullable(Schema.String),
  error: Nullable(Schema.String),
  quality_profile: Schema.String,
  /** Held by the user: the status is kept, nothing runs until it is resumed. */
  paused: Schema.Boolean,
  import: Nullable(Schema.Struct({
    status: Schema.Literal("IMPORTING", "IMPORTED", "NEEDS_REVIEW", "IMPORT_FAILED"),
    /** Extension: the step a running import is at (LOCATING, VERIFYING, STAGING, PUBLISHING, CLEANING, DONE). */
    step: Schema.String,
    path: Nullable(Schema.String),
    reason: Nullable(Schema.String),
    checks: Schema.Array(Schema.Struct({ name: Schema.String, ok: Schema.Boolean, detail: Schema.String }))
  }))
}).annotations({ identifier: "Download" })
export type DownloadDto = typeof DownloadDto.Type

const toProgressDto = (p: Progress | null): typeof ProgressDto.Type | null => p === null ? null : {
  bytes_transferred: p.bytesTransferred, size: p.size, percent: p.percent, speed_bps: p.speedBps, eta_seconds: p.etaSeconds
}

export const toDto = (d: Download): DownloadDto => ({
  id: d.id,
  track_id: d.trackId,
  status: d.status,
  priority: d.priority,
  slskd_id: d.slskdId,
  username: d.username,
  filename: d.filename,
  size: d.size,
  created_at: d.createdAt,
  updated_at: d.updatedAt,
  completed_at: d.completedAt,
  track: {
    id: d.track.id,
    title: d.track.title,
    artist: d.track.artist,
    album: d.track.album,
    duration_ms: d.track.durationMs,
    isrc: d.track.isrc,
    track_number: d.track.trackNumber,
    disc_number: d.track.discNumber
  },
  progress: toProgressDto(progressOf(d)),
  attempts: d.attempts,
  next_attempt_at: d.nextAttemptAt,
  error: d.error,
  quality_profile: d.qualityProfile,
  paused: d.paused === true,
  // only a COMPLETED download has an import; a file refused at import sends it back to WAITING
  import: d.status === "COMPLETED" && d.importState ? { ...d.importState, checks: [...d.importState.checks] } : null
})

export const StatsDto = Schema.Struct({
  waiting: Schema.Number,
  pending: Schema.Number,
  queued: Schema.Number,
  downloading: Schema.Number,
  completed: Schema.Number,
  failed: Schema.Number,
  cancelled: Schema.Number,
  total: Schema.Number,
  completed_today: Schema.Number,
  failed_today: Schema.Number
}).annotations({ identifier: "Stats" })
export type StatsDto = typeof StatsDto.Type

export const toStatsDto = (s: DownloadStats): StatsDto => ({
  waiting: s.waiting, pending: s.pending, queued: s.queued, downloading: s.downloading,
  completed: s.completed, failed: s.failed, cancelled: s.cancelled, total: s.total,
  completed_today: s.completedToday, failed_today: s.failedToday
})

export const HealthDto = Schema.Struct({
  provider: Schema.Literal("slskd"),
  state: Schema.Literal("CLOSED", "OPEN", "HALF_OPEN"),
  failure_count: Schema.Number,
  last_success: Nullable(Schema.String),
  last_failure: Nullable(Schema.String),
  last_error: Nullable(Schema.String),
  retry_in_seconds: Nullable(Schema.Number),
  slskd: Schema.Struct({
    reachable: Schema.Boolean,
    logged_in: Nullable(Schema.Boolean),
    version: Nullable(Schema.String)
  }),
  /** Extension: seconds until the search budget allows the next search. */
  next_search_in_seconds: Schema.Number,
  /** Extension: when the status sync last committed what it read from slskd. */
  last_sync: Nullable(Schema.String),
  /** Extension: true while nothing is queued or downloading in slskd, so there is nothing to sync. */
  sync_idle: Schema.Boolean,
  /** Extension: why the last sync tick could not read slskd's transfers (null once one succeeds). */
  sync_error: Nullable(Schema.String)
}).annotations({ identifier: "Health" })
export type HealthDto = typeof HealthDto.Type

export const toHealthDto = (h: ProviderHealth): HealthDto => ({
  provider: h.provider,
  state: h.state,
  failure_count: h.failureCount,
  last_success: h.lastSuccess,
  last_failure: h.lastFailure,
  last_error: h.lastError,
  retry_in_seconds: h.retryInSeconds,
  slskd: { reachable: h.slskd.reachable, logged_in: h.slskd.loggedIn, version: h.slskd.version },
  next_search_in_seconds: h.nextSearchInSeconds,
  last_sync: h.lastSync,
  sync_idle: h.syncIdle,
  sync_error: h.syncSkipped
})

export const SettingDto = Schema.Struct({
  key: Schema.String,
  env: Schema.String,
  description: Schema.String,
  value: Nullable(Schema.String),
  source: Schema.Literal("database", "environment", "default")
})
