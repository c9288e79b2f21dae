import { Schema } from "effect"
import { DownloadStatus } from "./download.js"

export class DownloadNotFound extends Schema.TaggedError<DownloadNotFound>()(
  "DownloadNotFound",
  { id: Schema.String }
) {
  override get message() {
    return `no download with id ${this.id}`
  }
}

export class TrackNotFound extends Schema.TaggedError<TrackNotFound>()(
  "TrackNotFound",
  { id: Schema.String }
) {
  override get message() {
    return `no track with id ${this.id}`
  }
}

/** A request that is well formed but not allowed in the download's current state. */
export class StatusConflict extends Schema.TaggedError<StatusConflict>()(
  "StatusConflict",
  {
    id: Schema.String, status: DownloadStatus, action: Schema.String,
    /** Why, when the status alone does not say it (e.g. "it is paused already"). */
    detail: Schema.optional(Schema.String)
  }
) {
  override get message() {
    return `cannot ${this.action} download ${this.id}: ${this.detail ?? `it is ${this.status}`}`
  }
}

/** A candidate rank that the download's last search did not produce. */
export class CandidateNotFound extends Schema.TaggedError<CandidateNotFound>()(
  "CandidateNotFound",
  { id: Schema.String, rank: Schema.Number }
) {
  override get message() {
    return `download ${this.id} has no candidate #${this.rank}; GET /api/downloads/${this.id}/candidates lists them`
  }
}

export class InvalidSetting extends Schema.TaggedError<InvalidSetting>()(
  "InvalidSetting",
  { key: Schema.String, reason: Schema.String }
) {
  override get message() {
    return `${this.key}: ${this.reason}`
  }
}

export class UnknownProfile extends Schema.TaggedError<UnknownProfile>()(
  "UnknownProfile",
  { name: Schema.String }
) {
  override get message() {
    return `quality_profile: there is no quality profile named "${this.name}"`
  }
}
