import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Priority } from "../domain/download.js"
import { BadRequest, Unprocessable } from "./errors.js"

/** Most tracks one POST /api/downloads/batch may carry. */
export const MAX_BATCH_TRACKS = 10_000

/**
 * Routes whose bodies may exceed the general 1 MiB: 10,000 tracks are about 1.5 MB of JSON, an
 * Exportify CSV of 10,000 rows about 4 MB.
 */
export const LARGE_BODY_LIMITS: Readonly<Record<string, number>> = {
  "/api/downloads/batch": 8 * 1024 * 1024,
  "/api/downloads/file": 8 * 1024 * 1024
}

const ProfileName = Schema.String.pipe(Schema.pattern(/^[a-z0-9-]{1,40}$/, {
  message: () => "quality_profile: must be a profile name such as balanced, lossless, space-saver or any"
}))

/** Items are checked one by one by the handler, so one bad item is refused alone. */
export const CreateBatch = Schema.Struct({
  tracks: Schema.Array(Schema.Unknown).pipe(
    Schema.minItems(1, { message: () => "tracks: must hold at least one track" }),
    Schema.maxItems(MAX_BATCH_TRACKS, { message: () => `tracks: at most ${MAX_BATCH_TRACKS} tracks per request` })),
  priority: Schema.optional(Priority),
  quality_profile: Schema.optional(ProfileName)
}).annotations({ identifier: "CreateBatch" })

export const BatchResult = Schema.Struct({
  created: Schema.Number,
  existing: Schema.Number,
  refused: Schema.Array(Schema.Struct({ index: Schema.Number, error: Schema.String, message: Schema.String })),
  downloads: Schema.Array(Schema.Struct({ index: Schema.Number, id: Schema.String, status: Schema.String }))
}).annotations({ identifier: "BatchResult" })

export class BatchApi extends HttpApiGroup.make("batch")
  .add(HttpApiEndpoint.post("batch", "/api/downloads/batch")
    .setPayload(CreateBatch)
    .addSuccess(BatchResult)
    .addError(BadRequest).addError(Unprocessable))
  .annotate(OpenApi.Description, "Queue many tracks in one request")
{}
