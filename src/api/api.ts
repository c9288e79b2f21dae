import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { ParseResult, Schema } from "effect"
import { BULK_ACTIONS } from "../application/queue-control.js"
import { DownloadStatus, Priority } from "../domain/download.js"
import { DownloadDto, HealthDto, SettingDto, StatsDto } from "./dto.js"
import { BadRequest, Conflict, NotFound, Unauthorized, Unavailable, Unprocessable, UpstreamFailed } from "./errors.js"
import { describeOperations } from "./openapi-docs.js"
import { NotificationsApi } from "./notifications-api.js"
import { BatchApi, PlaylistsApi, SpotifyAccountApi } from "./playlist-api.js"

const Text = (field: string, max = 500) =>
  Schema.Trim.pipe(Schema.maxLength(max, { message: () => `${field}: must be at most ${max} characters` }))

const PositiveInt = (field: string, max: number) =>
  Schema.Int.pipe(Schema.between(0, max, { message: () => `${field}: must be a whole number from 0 to ${max}` }))

const ProfileName = Schema.String.pipe(Schema.pattern(/^[a-z0-9-]{1,40}$/, {
  message: () => "quality_profile: must be a profile name such as balanced, lossless, space-saver or any"
}))

/** A track to download, or an already stored track by id. Required fields are checked by the handler for clear messages. */
export const CreateDownload = Schema.Struct({
  track_id: Schema.optional(Text("track_id", 100)),
  title: Schema.optional(Text("title")),
  artist: Schema.optional(Text("artist")),
  album: Schema.optional(Schema.NullOr(Text("album"))),
  duration_ms: Schema.optional(Schema.NullOr(PositiveInt("duration_ms", 86_400_000))),
  isrc: Schema.optional(Schema.NullOr(Text("isrc", 20))),
  track_number: Schema.optional(Schema.NullOr(PositiveInt("track_number", 9999))),
  disc_number: Schema.optional(Schema.NullOr(PositiveInt("disc_number", 999))),
  spotify_id: Schema.optional(Schema.NullOr(Text("spotify_id", 100))),
  deezer_id: Schema.optional(Schema.NullOr(Text("deezer_id", 100))),
  priority: Schema.optional(Priority),
  quality_profile: Schema.optional(ProfileName)
}).annotations({ identifier: "CreateDownload" })
export type CreateDownload = typeof CreateDownload.Type

export const CreateAlbumDownloads = Schema.Struct({
  source: Schema.String,
  album_id: Text("album_id", 300),
  priority: Schema.optional(Priority),
  quality_profile: Schema.optional(ProfileName)
}).annotations({ identifier: "CreateAlbumDownloads" })

export const AlbumDownloads = Schema.Struct({
  album: Schema.Struct({
    id: Schema.String, title: Schema.String, artist: Schema.String, source: Schema.String,
    source_id: Schema.String, total_tracks: Schema.Number
  }),
  downloads: Schema.Array(DownloadDto),
  skipped: Schema.Array(Schema.Struct({ track_id: Schema.String, reason: Schema.String }))
}).annotations({ identifier: "AlbumDownloads" })

const StatusList = Schema.transformOrFail(Schema.String, Schema.Array(DownloadStatus), {
  strict: true,
  decode: (s, _, ast) => {
    const parts = s.split(",").map((p) => p.trim().toUpperCase()).filter((p) => p !== "")
    const known = DownloadStatus.literals as ReadonlyArray<string>
    const bad = parts.find((p) => !known.includes(p))
    return bad === undefined
      ? ParseResult.succeed(parts as Array<DownloadStatus>)
      : ParseResult.fail(new ParseResult.Type(ast, s, `status: unknown status "${bad}" (use ${known.join(", ")})`))
  },
  encode: (xs) => ParseResult.succeed(xs.join(","))
})

const IntFromString = (field: string, min: number, max: number) =>
  Schema.NumberFromString.pipe(Schema.int(), Schema.between(min, max, {
    message: () => `${field}: must be a whole number from ${min} to ${max}`
  }))

const Cursor = Schema.String.pipe(Schema.maxLength(500, { message: () => "cursor: not a cursor from next_cursor of this list" }))
const TextFilter = Text("q", 200)

const ListParams = Schema.Struct({
  status: Schema.optional(StatusList),
  q: Schema.optional(TextFilter),
  limit: Schema.optional(IntFromString("limit", 1, 500)),
  offset: Schema.optional(IntFromString("offset", 0, 1_000_000_000)),
  cursor: Schema.optional(Cursor)
})

const ActiveParams = Schema.Struct({
  status: Schema.optional(StatusList),
  q: Schema.optional(TextFilter),
  limit: Schema.optional(IntFromString("limit", 1, 1000)),
  cursor: Schema.optional(Cursor)
})

export const DownloadPage = (identifier: string) => Schema.Struct({
  downloads: Schema.Array(DownloadDto),
  total: Schema.Number,
  next_cursor: Schema.NullOr(Schema.String)
}).annotations({ identifier })

export const UpdateDownload = Schema.Struct({ priority: Priority }).annotations({ identifier: "UpdateDownload" })

export const BulkRequest = Schema.Struct({
  ids: Schema.Array(Text("ids", 100)).pipe(
    Schema.minItems(1, { message: () => "ids: must hold at least one id" }),
    Schema.maxItems(10_000, { message: () => "ids: at most 10000 ids per request" })),
  action: Schema.Literal(...BULK_ACTIONS).annotations({
    message: () => `action: must be one of ${BULK_ACTIONS.join(", ")}`
  }),
  priority: Schema.optional(Priority)
}).annotations({ identifier: "BulkRequest" })

export const BulkResult = Schema.Struct({
  done: Schema.Array(Schema.String),
  refused: Schema.Array(Schema.Struct({ id: Schema.String, error: Schema.String, message: Schema.String }))
}).annotations({ identifier: "BulkResult" })

const IdPath = HttpApiSchema.param("id", Schema.String)
const RankPath = HttpApiSchema.param("rank", Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 100_000, {
  message: () => "rank: must be a whole number from 1, as listed by GET /api/downloads/{id}/candidates"
})))

const CancelParams = Schema.Struct({
  remove: Schema.optional(Schema.Literal("true", "false").annotations({ message: () => "remove: must be true or false" }))
})

/** 204: the finished download was removed. */
const Removed = HttpApiSchema.NoContent.annotations({ description: "the finished download was removed from the lists" })

const Candidate = Schema.Struct({
  rank: Schema.Number, username: Schema.String, filename: Schema.String, size: Schema.Number, score: Schema.Number,
  accepted: Schema.Boolean, reasons: Schema.Array(Schema.String), query: Schema.NullOr(Schema.String),
  outcome: Schema.NullOr(Schema.String)
})

export const Preview = Schema.Struct({
  chosen: Schema.NullOr(Schema.Struct({ username: Schema.String, filename: Schema.String, size: Schema.Number, score: Schema.Number })),
  candidates: Schema.Array(Schema.Struct({
    username: Schema.String, filename: Schema.String, score: Schema.Number, accepted: Schema.Boolean, reasons: Schema.Array(Schema.String)
  })),
  queries: Schema.Array(Schema.String)
}).annotations({ identifier: "Preview" })

export const ImportAlbum = Schema.Struct({
  title: Text("title"),
  artist: Text("artist"),
  tracks: Schema.Array(CreateDownload).pipe(Schema.minItems(1, { message: () => "tracks: must hold at least one track" }), Schema.maxItems(500))
}).annotations({ identifier: "ImportAlbum" })

export class DownloadsApi extends HttpApiGroup.make("downloads")
  .add(HttpApiEndpoint.post("create", "/api/downloads")
    .setPayload(CreateDownload)
    .addSuccess(DownloadDto, { status: 201 })
    .addSuccess(DownloadDto.annotations({ identifier: "ExistingDownload", description: "the same track was already queued or downloaded" }), { status: 200 })
    .addError(BadRequest).addError(NotFound).addError(Unprocessable))
  .add(HttpApiEndpoint.get("list", "/api/downloads").setUrlParams(ListParams)
    .addSuccess(DownloadPage("DownloadList")).addError(BadRequest))
  .add(HttpApiEndpoint.post("bulk", "/api/downloads/bulk").setPayload(BulkRequest)
    .addSuccess(BulkResult).addError(BadRequest)
    .annotate(OpenApi.Summary, "One action on many downloads")
    .annotate(OpenApi.Description, "cancel, retry, pause, resume, remove (finished ones) or priority on each id. Every id is done or refused on its own: `refused` names it with `NotFound` or `Conflict` and the reason, as the single-download endpoint would answer; priority and remove run in one transaction."))
  .add(HttpApiEndpoint.get("get")`/api/downloads/${IdPath}`.addSuccess(DownloadDto).addError(NotFound))
  .add(HttpApiEndpoint.patch("update")`/api/downloads/${IdPath}`.setPayload(UpdateDownload)
    .addSuccess(DownloadDto).addError(BadRequest).addError(NotFound))
  .add(HttpApiEndpoint.get("candidates")`/api/downloads/${IdPath}/candidates`
    .addSuccess(Schema.Struct({ candidates: Schema.Array(Candidate) })).addError(NotFound))
  .add(HttpApiEndpoint.del("cancel")`/api/downloads/${IdPath}`.setUrlParams(CancelParams)
    .addSuccess(DownloadDto.annotations({ identifier: "CancelledDownload", description: "without remove: the download, now CANCELLED" }))
    .addSuccess(Removed, { status: 204 })
    .addError(BadRequest).addError(NotFound).addError(Conflict)
    .annotate(OpenApi.Summary, "Cancel an active download, or remove a finished one")
    .annotate(OpenApi.Description, "Without `remove` (or `remove=false`): cancels an active download, also in slskd when a transfer runs → 200 with the CANCELLED download; already finished → 409. With `remove=true`: a COMPLETED, FAILED or CANCELLED download is deleted with its candidates and import record (the library file stays) → 204; an active one → 409."))
  .add(HttpApiEndpoint.post("retry")`/api/downloads/${IdPath}/retry`.addSuccess(DownloadDto).addError(NotFound).addError(Conflict))
  .add(HttpApiEndpoint.post("pause")`/api/downloads/${IdPath}/pause`.addSuccess(DownloadDto).addError(NotFound).addError(Conflict)
    .annotate(OpenApi.Summary, "Pause an active download")
    .annotate(OpenApi.Description, "The status is kept and `paused` becomes true; the workers leave it alone. A QUEUED or DOWNLOADING transfer is cancelled in slskd; its user and file are kept for resume. Finished or already paused → 409."))
  .add(HttpApiEndpoint.post("resume")`/api/downloads/${IdPath}/resume`.addSuccess(DownloadDto).addError(NotFound).addError(Conflict)
    .annotate(OpenApi.Summary, "Resume a paused download")
    .annotate(OpenApi.Description, "WAITING (due at once) and PENDING carry on; a paused QUEUED or DOWNLOADING download goes back to WAITING with the same user and file, which is enqueued again (or adopted when slskd still holds it). Not paused → 409."))
  .add(HttpApiEndpoint.post("useCandidate")`/api/downloads/${IdPath}/candidates/${RankPath}/use`.addSuccess(DownloadDto)
    .addError(BadRequest).addError(NotFound).addError(Conflict)
    .annotate(OpenApi.Summary, "Download this candidate next")
    .annotate(OpenApi.Description, "The candidate of that rank (from GET .../candidates) becomes the download's file: back to WAITING with it chosen and due at once, so it is enqueued within a dispatcher tick. A running transfer of another file is cancelled in slskd; the given-up file is not tried again automatically. Costs no attempt. COMPLETED → 409 (reject its file instead); unknown rank → 404."))
  .add(HttpApiEndpoint.post("nextCandidate")`/api/downloads/${IdPath}/next-candidate`.addSuccess(DownloadDto).addError(NotFound).addError(Conflict)
    .annotate(OpenApi.Summary, "Give up the current file and try the next candidate")
    .annotate(OpenApi.Description, "The current file is given up (a running transfer is cancelled in slskd) and the download goes back to WAITING, due at once: the dispatcher takes the next untried candidate of the last search, another user first, or searches again. Costs no attempt. No file chosen yet, or finished → 409."))
  .annotate(OpenApi.Description, "Queue, follow, pause, cancel, retry and remove downloads")
{}

export class ManagerApi extends HttpApiGroup.make("manager")
  .add(HttpApiEndpoint.get("active", "/api/downloads/manager/active").setUrlParams(ActiveParams)
    .addSuccess(DownloadPage("ActiveDownloads")).addError(BadRequest))
  .add(HttpApiEndpoint.get("stats", "/api/downloads/manager/stats").addSuccess(StatsDto))
  .add(HttpApiEndpoint.get("health", "/api/downloads/manager/health").addSuccess(HealthDto))
  .add(HttpApiEndpoint.post("retryFailed", "/api/downloads/manager/retry-failed").addSuccess(BulkResult)
    .annotate(OpenApi.Summary, "Retry every failed download")
    .annotate(OpenApi.Description, "Every FAILED download back to WAITING with its attempts reset, like POST /api/downloads/{id}/retry on each."))
  .add(HttpApiEndpoint.post("clearFinished", "/api/downloads/manager/clear-finished").addSuccess(BulkResult)
    .annotate(OpenApi.Summary, "Remove every finished download from the lists")
    .annotate(OpenApi.Description, "Every COMPLETED, FAILED and CANCELLED download is removed, like DELETE /api/downloads/{id}?remove=true on each; files already in the library stay there."))
{}

export class SettingsApi extends HttpApiGroup.make("settings")
  .add(HttpApiEndpoint.get("read", "/api/settings").addSuccess(Schema.Struct({ settings: Schema.Array(SettingDto) })))
  .add(HttpApiEndpoint.put("update", "/api/settings")
    .setPayload(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
    .addSuccess(Schema.Struct({
      settings: Schema.Array(SettingDto),
      notices: Schema.Array(Schema.String).annotations({ description: "what the change also did, e.g. a secret cleared because its URL moved to another host" })
    }))
    .addError(BadRequest))
{}

export class AlbumsApi extends HttpApiGroup.make("albums")
  .add(HttpApiEndpoint.post("createAlbum", "/api/downloads/album")
    .setPayload(CreateAlbumDownloads)
    .addSuccess(AlbumDownloads, { status: 201 })
    .addError(BadRequest).addError(NotFound).addError(Unprocessable).addError(UpstreamFailed).addError(Unavailable))
  .add(HttpApiEndpoint.post("importAlbum", "/api/library/albums")
    .setPayload(ImportAlbum)
    .addSuccess(Schema.Struct({ album_id: Schema.String, tracks: Schema.Number }), { status: 201 })
    .addError(BadRequest))
{}

export class PreviewApi extends HttpApiGroup.make("preview")
  .add(HttpApiEndpoint.post("preview", "/api/downloads/preview")
    .setPayload(CreateDownload)
    .addSuccess(Preview)
    .addError(BadRequest).addError(NotFound).addError(Unprocessable).addError(Unavailable))
{}

export class LibraryImportApi extends HttpApiGroup.make("libraryImport")
  .add(HttpApiEndpoint.post("importFile")`/api/downloads/${IdPath}/import`.addSuccess(DownloadDto).addError(NotFound).addError(Conflict))
  .add(HttpApiEndpoint.post("rejectFile")`/api/downloads/${IdPath}/reject`.addSuccess(DownloadDto).addError(NotFound).addError(Conflict))
  .annotate(OpenApi.Description, "Retry a failed library import, accept a file waiting for review, or reject a file and download the track elsewhere")
{}

/**
 * With SOULSPOT_API_KEY set, every endpoint but health needs it in X-API-Key (the router's
 * middleware checks it; this only says so in the document).
 */
function declareApiKey(spec: Record<string, any>): Record<string, any> {
  const health = spec["paths"]?.["/api/downloads/manager/health"]?.["get"]
  if (health) health["security"] = []
  return {
    ...spec,
    components: {
      ...spec["components"],
      securitySchemes: {
        ...spec["components"]?.["securitySchemes"],
        ApiKey: { type: "apiKey", in: "header", name: "X-API-Key", description: "SOULSPOT_API_KEY; not needed when it is unset" }
      }
    },
    security: [{ ApiKey: [] }]
  }
}

export class SoulSpotApi extends HttpApi.make("soulspot")
  .add(DownloadsApi).add(ManagerApi).add(SettingsApi).add(AlbumsApi).add(PreviewApi).add(BatchApi)
  .add(PlaylistsApi).add(SpotifyAccountApi).add(LibraryImportApi).add(NotificationsApi)
  .addError(Unauthorized)
  .annotate(OpenApi.Title, "SoulSpot")
  .annotate(OpenApi.Description, "Self-hosted music download manager for the Soulseek network through slskd")
  .annotate(OpenApi.Transform, (spec) => describeOperations(declareApiKey(spec)))
{}
