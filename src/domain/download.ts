import { Either, Schema } from "effect"
import { ImportView } from "./library/import-state.js"
import { Track } from "./track.js"

export const DownloadStatus = Schema.Literal(
  "WAITING", "PENDING", "QUEUED", "DOWNLOADING", "COMPLETED", "FAILED", "CANCELLED"
)
export type DownloadStatus = typeof DownloadStatus.Type

export const ACTIVE_STATUSES: ReadonlyArray<DownloadStatus> = ["WAITING", "PENDING", "QUEUED", "DOWNLOADING"]
export const TERMINAL_STATUSES: ReadonlyArray<DownloadStatus> = ["COMPLETED", "FAILED", "CANCELLED"]
export const isTerminal = (s: DownloadStatus): boolean => TERMINAL_STATUSES.includes(s)
export const isActive = (s: DownloadStatus): boolean => ACTIVE_STATUSES.includes(s)

export class IllegalTransition extends Schema.TaggedError<IllegalTransition>()("IllegalTransition", {
  from: DownloadStatus,
  to: DownloadStatus
}) {
  override get message() {
    return `a download cannot move from ${this.from} to ${this.to}`
  }
}

/**
 * The one rule for status moves (README.md, "How a download moves"). Forward one step at a time,
 * any non-terminal state may fail or be cancelled, and WAITING is where every retry
 * (automatic from an active state or a refused import, manual from FAILED/CANCELLED) starts again.
 */
export const canTransition = (from: DownloadStatus, to: DownloadStatus): boolean => {
  // COMPLETED → WAITING: the library import refused the file, so another is searched for.
  if (to === "WAITING") return from !== "WAITING"
  if (to === "FAILED" || to === "CANCELLED") return !isTerminal(from)
  switch (to) {
    case "PENDING": return from === "WAITING"
    case "QUEUED": return from === "PENDING"
    case "DOWNLOADING": return from === "QUEUED"
    case "COMPLETED": return from === "DOWNLOADING"
  }
}

export const transition = (from: DownloadStatus, to: DownloadStatus): Either.Either<DownloadStatus, IllegalTransition> =>
  canTransition(from, to) ? Either.right(to) : Either.left(new IllegalTransition({ from, to }))

export const MAX_PRIORITY = 1000

export const Priority = Schema.Int.pipe(Schema.between(-MAX_PRIORITY, MAX_PRIORITY, {
  message: () => "priority must be an integer from -1000 to 1000"
}))

export const Download = Schema.Struct({
  id: Schema.String,
  trackId: Schema.String,
  status: DownloadStatus,
  priority: Schema.Number,
  slskdId: Schema.NullOr(Schema.String),
  username: Schema.NullOr(Schema.String),
  filename: Schema.NullOr(Schema.String),
  size: Schema.NullOr(Schema.Number),
  bytesTransferred: Schema.Number,
  speedBps: Schema.Number,
  etaSeconds: Schema.NullOr(Schema.Number),
  createdAt: Schema.String,
  updatedAt: Schema.String,
  completedAt: Schema.NullOr(Schema.String),
  attempts: Schema.Number,
  nextAttemptAt: Schema.NullOr(Schema.String),
  error: Schema.NullOr(Schema.String),
  qualityProfile: Schema.String,
  /** Last time the transfer was seen moving (internal: stall detection). */
  progressAt: Schema.NullOr(Schema.String),
  /** Held by the user: the workers skip it; absent means false. */
  paused: Schema.optional(Schema.Boolean),
  track: Track,
  /** The library import of a COMPLETED download; absent or null when there is none. */
  importState: Schema.optional(Schema.NullOr(ImportView))
})
export type Download = typeof Download.Type

export interface Progress {
  readonly bytesTransferred: number
  readonly size: number
  readonly percent: number
  readonly speedBps: number
  readonly etaSeconds: number | null
}

/** Progress is shown once a file is chosen and slskd knows about it. */
export const progressOf = (d: Download): Progress | null => {
  if (d.size === null || !(d.status === "QUEUED" || d.status === "DOWNLOADING" || d.status === "COMPLETED")) return null
  const bytes = d.status === "COMPLETED" ? d.size : Math.min(d.bytesTransferred, d.size)
  const percent = d.size > 0 ? Math.round((bytes / d.size) * 1000) / 10 : 0
  return {
    bytesTransferred: bytes,
    size: d.size,
    percent,
    speedBps: d.status === "DOWNLOADING" ? d.speedBps : 0,
    etaSeconds: d.status === "DOWNLOADING" ? d.etaSeconds : null
  }
}
