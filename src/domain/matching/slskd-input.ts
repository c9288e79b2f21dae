/**
 * JSON inputs of the matcher as outsiders write them: slskd search responses exactly as
 * `GET /api/v0/searches/{id}/responses` returns them (nulls absent or null, unknown fields
 * ignored) and a track as `cli match` reads it (the API's snake_case fields: title, artist, album, duration_ms…).
 */
import { Schema } from "effect"
import type { WantedTrack } from "./score.js"
import type { PeerFile, PeerResponse } from "./types.js"

const OptionalNumber = Schema.optional(Schema.NullOr(Schema.Number))
const OptionalString = Schema.optional(Schema.NullOr(Schema.String))

export const TrackJson = Schema.Struct({
  title: Schema.String.pipe(Schema.filter((s) => s.trim() !== "", { message: () => "title must not be empty" })),
  artist: Schema.String,
  album: OptionalString,
  duration_ms: OptionalNumber,
  track_number: OptionalNumber
})

export const SlskdFile = Schema.Struct({
  filename: Schema.String,
  size: Schema.Number,
  extension: OptionalString,
  bitRate: OptionalNumber,
  bitDepth: OptionalNumber,
  sampleRate: OptionalNumber,
  length: OptionalNumber,
  isVariableBitRate: Schema.optional(Schema.NullOr(Schema.Boolean)),
  isLocked: Schema.optional(Schema.NullOr(Schema.Boolean)),
  code: OptionalNumber
})
type SlskdFile = typeof SlskdFile.Type

export const SlskdResponse = Schema.Struct({
  username: Schema.String,
  files: Schema.optional(Schema.NullOr(Schema.Array(SlskdFile))),
  lockedFiles: Schema.optional(Schema.NullOr(Schema.Array(SlskdFile))),
  hasFreeUploadSlot: Schema.optional(Schema.NullOr(Schema.Boolean)),
  queueLength: OptionalNumber,
  uploadSpeed: OptionalNumber,
  fileCount: OptionalNumber,
  lockedFileCount: OptionalNumber,
  token: OptionalNumber
})
export const SlskdResponses = Schema.Array(SlskdResponse)

const orUndefined = <A>(a: A | null | undefined): A | undefined => a ?? undefined

const toPeerFile = (f: SlskdFile): PeerFile => ({
  filename: f.filename,
  size: f.size,
  extension: orUndefined(f.extension),
  bitRate: orUndefined(f.bitRate),
  bitDepth: orUndefined(f.bitDepth),
  sampleRate: orUndefined(f.sampleRate),
  length: orUndefined(f.length),
  isVariableBitRate: orUndefined(f.isVariableBitRate),
  isLocked: orUndefined(f.isLocked),
  code: orUndefined(f.code)
})

export const toPeerResponses = (rs: typeof SlskdResponses.Type): ReadonlyArray<PeerResponse> =>
  rs.map((r) => ({
    username: r.username,
    files: (r.files ?? []).map(toPeerFile),
    lockedFiles: (r.lockedFiles ?? []).map(toPeerFile),
    hasFreeUploadSlot: r.hasFreeUploadSlot ?? false,
    queueLength: r.queueLength ?? 0,
    uploadSpeed: r.uploadSpeed ?? 0
  }))


export const toWantedTrack = (t: typeof TrackJson.Type): WantedTrack => ({
  title: t.title,
  artist: t.artist,
  album: t.album ?? null,
  durationMs: t.duration_ms ?? null,
  trackNumber: t.track_number ?? null
})
