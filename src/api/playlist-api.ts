import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, Multipart, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Priority } from "../domain/download.js"
import {
  DeezerPlaylistPrivate, SpotifyNotConnected, SpotifyPlaylistForbidden, SpotifyPlaylistUnavailable
} from "../domain/ports/TrackListSource.js"
import { InvalidRedirectUri, SpotifyClientIdMissing, SpotifyLoginFailed } from "../infrastructure/spotify/account.js"
import { DownloadDto } from "./dto.js"
import { BadRequest, NotFound, Unavailable, Unprocessable, UpstreamFailed } from "./errors.js"

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

export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()(
  "UnsupportedMediaType", { message: Schema.String }, HttpApiSchema.annotations({ status: 415 })) {}

/**
 * Content types POST /api/downloads/file accepts besides multipart/form-data: the one /api route
 * whose body is not JSON.
 */
export const PLAYLIST_FILE_CONTENT_TYPES = [
  "multipart/form-data", "text/csv", "audio/x-mpegurl", "audio/mpegurl", "application/vnd.apple.mpegurl", "text/plain"
] as const

const QueueOptions = {
  priority: Schema.optional(Priority),
  quality_profile: Schema.optional(ProfileName),
  watch: Schema.optional(Schema.Boolean)
}

export const CreatePlaylistDownloads = Schema.Struct({
  source: Schema.String,
  playlist_id: Schema.String.pipe(Schema.maxLength(2048, { message: () => "playlist_id: must be at most 2048 characters" })),
  ...QueueOptions
}).annotations({ identifier: "CreatePlaylistDownloads" })

export const CreateLikedDownloads = Schema.Struct({ source: Schema.String, ...QueueOptions }).annotations({ identifier: "CreateLikedDownloads" })

export const PlaylistDownloads = Schema.Struct({
  playlist: Schema.Struct({
    id: Schema.String, title: Schema.String, source: Schema.String, source_id: Schema.String, total_tracks: Schema.Number,
    watch: Schema.Boolean
  }),
  downloads: Schema.Array(DownloadDto),
  skipped: Schema.Array(Schema.Struct({ track_id: Schema.NullOr(Schema.String), reason: Schema.String, line: Schema.NullOr(Schema.Number) }))
}).annotations({ identifier: "PlaylistDownloads" })

const FileQuery = Schema.Struct({
  priority: Schema.optional(Schema.NumberFromString.pipe(Schema.compose(Priority))),
  quality_profile: Schema.optional(ProfileName),
  watch: Schema.optional(Schema.Literal("true", "false")),
  name: Schema.optional(Schema.String.pipe(Schema.maxLength(300)))
})

export const PlaylistSummaryDto = Schema.Struct({
  id: Schema.String, source: Schema.String, source_id: Schema.String, title: Schema.String, watch: Schema.Boolean,
  last_synced_at: Schema.NullOr(Schema.String), snapshot: Schema.NullOr(Schema.String), total_tracks: Schema.Number,
  queued: Schema.Number, done: Schema.Number, failed: Schema.Number, last_error: Schema.NullOr(Schema.String)
}).annotations({ identifier: "Playlist" })

const PlaylistId = HttpApiSchema.param("id", Schema.String)

export class PlaylistsApi extends HttpApiGroup.make("playlists")
  .add(HttpApiEndpoint.post("playlist", "/api/downloads/playlist")
    .setPayload(CreatePlaylistDownloads)
    .addSuccess(PlaylistDownloads, { status: 201 })
    .addSuccess(PlaylistDownloads.annotations({ identifier: "ExistingPlaylistDownloads", description: "nothing new: every track was already queued or downloaded" }), { status: 200 }))
  .add(HttpApiEndpoint.post("liked", "/api/downloads/liked")
    .setPayload(CreateLikedDownloads)
    .addSuccess(PlaylistDownloads, { status: 201 })
    .addSuccess(PlaylistDownloads.annotations({ identifier: "ExistingLikedDownloads" }), { status: 200 }))
  .add(HttpApiEndpoint.post("file", "/api/downloads/file")
    .setPayload(HttpApiSchema.Multipart(Schema.Struct({ file: Multipart.SingleFileSchema })).annotations({
      description: "the file in the multipart field `file`, or the raw file with Content-Type text/csv or audio/x-mpegurl"
    }))
    .setUrlParams(FileQuery)
    .addError(UnsupportedMediaType)
    .addSuccess(PlaylistDownloads, { status: 201 })
    .addSuccess(PlaylistDownloads.annotations({ identifier: "ExistingFileDownloads" }), { status: 200 }))
  .add(HttpApiEndpoint.get("list", "/api/playlists").addSuccess(Schema.Struct({ playlists: Schema.Array(PlaylistSummaryDto) })))
  .add(HttpApiEndpoint.patch("update")`/api/playlists/${PlaylistId}`
    .setPayload(Schema.Struct({ watch: Schema.Boolean }))
    .addSuccess(PlaylistSummaryDto))
  .add(HttpApiEndpoint.del("remove")`/api/playlists/${PlaylistId}`.addSuccess(HttpApiSchema.NoContent))
  .addError(BadRequest).addError(NotFound).addError(Unprocessable).addError(UpstreamFailed).addError(Unavailable)
  .addError(SpotifyPlaylistForbidden).addError(SpotifyPlaylistUnavailable).addError(DeezerPlaylistPrivate).addError(SpotifyNotConnected)
  .annotate(OpenApi.Description, "Queue playlists, Liked Songs and playlist files; watched playlists")
{}

export const AccountDto = Schema.Struct({
  connected: Schema.Boolean,
  user: Schema.NullOr(Schema.Struct({ id: Schema.String, display_name: Schema.NullOr(Schema.String) })),
  scopes: Schema.Array(Schema.String),
  redirect_uri: Schema.String,
  client_id_set: Schema.Boolean,
  error: Schema.NullOr(Schema.String)
}).annotations({ identifier: "SpotifyAccount" })

export class SpotifyAccountApi extends HttpApiGroup.make("spotify")
  .add(HttpApiEndpoint.get("account", "/api/spotify/account").addSuccess(AccountDto))
  .add(HttpApiEndpoint.del("disconnect", "/api/spotify/account").addSuccess(HttpApiSchema.NoContent))
  .add(HttpApiEndpoint.get("connect", "/api/spotify/connect")
    .addSuccess(HttpApiSchema.Empty(302).annotations({ description: "to Spotify's consent page" }))
    .addError(SpotifyClientIdMissing).addError(InvalidRedirectUri))
  .add(HttpApiEndpoint.get("callback", "/api/spotify/callback")
    .setUrlParams(Schema.Struct({ code: Schema.optional(Schema.String), state: Schema.optional(Schema.String), error: Schema.optional(Schema.String) }))
    .addSuccess(HttpApiSchema.Empty(303).annotations({ description: "to the Settings page, which says who is connected or why not" }))
    .addError(SpotifyLoginFailed))
  .add(HttpApiEndpoint.post("pasteCallback", "/api/spotify/callback")
    .setPayload(Schema.Struct({ url: Schema.String.pipe(Schema.maxLength(4096)) }))
    .addSuccess(AccountDto)
    .addError(SpotifyLoginFailed).addError(BadRequest).addError(UpstreamFailed))
  .add(HttpApiEndpoint.get("playlists", "/api/spotify/playlists")
    .setUrlParams(Schema.Struct({
      offset: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 100_000))),
      limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 50)))
    }))
    .addSuccess(Schema.Struct({
      playlists: Schema.Array(Schema.Struct({
        id: Schema.String, name: Schema.String, owner: Schema.String, collaborative: Schema.Boolean,
        snapshot_id: Schema.NullOr(Schema.String), readable: Schema.Boolean
      })),
      total: Schema.Number,
      next_offset: Schema.NullOr(Schema.Number)
    }))
    .addError(SpotifyNotConnected).addError(UpstreamFailed).addError(Unavailable))
  .annotate(OpenApi.Description, "The Spotify account SoulSpot reads playlists and Liked Songs with (PKCE login)")
{}
