import { HttpApiBuilder, type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Either, Layer, Option, ParseResult, Schema } from "effect"
import { type ImportResult, ImportTrackList } from "../application/import-track-list.js"
import { QueueTrackDownload } from "../application/queue-track-download.js"
import { parsePlaylistFile } from "../domain/playlist-file.js"
import { PlaylistRepository, type PlaylistSummary } from "../domain/ports/PlaylistRepository.js"
import { type TrackListError, TrackListSource } from "../domain/ports/TrackListSource.js"
import type { TrackListEntry } from "../domain/track-list.js"
import { CreateDownload, SoulSpotApi } from "./api.js"
import { toDto } from "./dto.js"
import { BadRequest, NotFound, Unavailable, Unprocessable, UpstreamFailed } from "./errors.js"
import { PLAYLIST_FILE_CONTENT_TYPES, PlaylistDownloads, UnsupportedMediaType } from "./playlist-api.js"
import { trackFromPayload } from "./rest.js"
import { SpotifyAccountLive } from "./rest-spotify.js"

const decodeItem = Schema.decodeUnknownEither(CreateDownload)

/** The first useful complaint about one item, as "field: message". */
const itemMessage = (e: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(e)
  const issue = issues.find((i) => !/^Expected undefined/.test(i.message)) ?? issues[0]
  if (!issue) return "is not a track"
  const path = issue.path.join(".")
  const message = issue.message.split("\n")[0]!
  return path && !message.startsWith(`${path}:`) ? `${path}: ${message}` : message
}

/** One batch item to a list entry, or why it is refused. Only TrackDTOs: a batch is a list of tracks to find. */
export const batchEntry = (item: unknown): Either.Either<TrackListEntry, string> => {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return Either.left("must be a track object {title, artist, ...}")
  const decoded = decodeItem(item)
  if (Either.isLeft(decoded)) return Either.left(itemMessage(decoded.left))
  if (decoded.right.track_id !== undefined) return Either.left("track_id: not accepted in a batch; give title and artist")
  const track = Effect.runSync(Effect.either(trackFromPayload(decoded.right)))
  if (Either.isLeft(track)) return Either.left(track.left.message)
  return "trackId" in track.right ? Either.left("must be a track") : Either.right({ track: track.right, album: null })
}

const unprocessable = (e: { readonly message: string }) => Effect.fail(new Unprocessable({ message: e.message }))

export const BatchLive = HttpApiBuilder.group(SoulSpotApi, "batch", (handlers) => Effect.gen(function*() {
  const importer = yield* ImportTrackList
  return handlers.handle("batch", ({ payload }) => Effect.gen(function*() {
    const refused: Array<{ index: number; error: string; message: string }> = []
    const accepted: Array<{ index: number; entry: TrackListEntry }> = []
    payload.tracks.forEach((item, index) => {
      const entry = batchEntry(item)
      if (Either.isLeft(entry)) refused.push({ index, error: "BadRequest", message: `tracks.${index}: ${entry.left}` })
      else accepted.push({ index, entry: entry.right })
    })
    const results = yield* importer.queueTracks(accepted.map((a) => a.entry), {
      priority: payload.priority, qualityProfile: payload.quality_profile
    }).pipe(Effect.catchTag("UnknownProfile", unprocessable))
    const created = results.filter((r) => r.created).length
    return {
      created,
      existing: results.length - created,
      refused,
      downloads: results.map((r, i) => ({ index: accepted[i]!.index, id: r.download.id, status: r.download.status }))
    }
  }))
}))


// ------------------------------------------------------------------------------ playlists

const SOURCE_NAMES = { spotify: "spotify", deezer: "deezer" } as const

/** Errors of a list source as the API answers them; the contract's own tags (spotify_playlist_forbidden, ...) pass through. */
type PassedThrough = Exclude<TrackListError, { readonly _tag: "InvalidPlaylistReference" | "PlaylistNotFound" | "CatalogUnavailable" | "CatalogCredentialsError" | "CatalogRateLimited" }>

const listError = (e: TrackListError): Effect.Effect<never, BadRequest | NotFound | UpstreamFailed | Unavailable | PassedThrough> => {
  switch (e._tag) {
    case "InvalidPlaylistReference": return Effect.fail(new BadRequest({ message: e.message }))
    case "PlaylistNotFound": return Effect.fail(new NotFound({ message: e.message }))
    case "CatalogUnavailable": return Effect.fail(new UpstreamFailed({ message: e.message }))
    case "CatalogCredentialsError":
    case "CatalogRateLimited": return Effect.fail(new Unavailable({ message: e.message }))
    default: return Effect.fail(e as PassedThrough)
  }
}

const encodePlaylist = Schema.encodeSync(PlaylistDownloads)

/** 201 when anything new was queued, else 200 with what the playlist already has. */
const importAnswer = (r: ImportResult) => {
  const body = {
    playlist: {
      id: r.playlist.id, title: r.playlist.title, source: r.playlist.source, source_id: r.playlist.sourceId,
      total_tracks: r.playlist.totalTracks, watch: r.playlist.watch
    },
    downloads: r.downloads.map(toDto),
    skipped: r.skipped.map((s) => ({ track_id: s.trackId, reason: s.reason, line: s.line }))
  }
  return r.created ? Effect.succeed(body) : HttpServerResponse.json(encodePlaylist(body), { status: 200 }).pipe(Effect.orDie)
}

const summaryDto = (p: PlaylistSummary) => ({
  id: p.id, source: p.source, source_id: p.sourceId, title: p.title, watch: p.watch, last_synced_at: p.lastSyncedAt,
  snapshot: p.snapshot, total_tracks: p.totalTracks, queued: p.queued, done: p.done, failed: p.failed, last_error: p.lastError
})

const isFileType = (contentType: string) =>
  (PLAYLIST_FILE_CONTENT_TYPES as ReadonlyArray<string>).includes(contentType.split(";")[0]!.trim().toLowerCase())

/** The uploaded file: the multipart field `file`, or the whole body for a raw CSV / M3U. */
const uploadedFile = (request: HttpServerRequest.HttpServerRequest, name: string | undefined) => Effect.gen(function*() {
  const contentType = request.headers["content-type"] ?? ""
  if (!isFileType(contentType)) {
    return yield* new UnsupportedMediaType({
      message: "send the playlist file as multipart/form-data (field \"file\"), or raw with Content-Type text/csv or audio/x-mpegurl"
    })
  }
  const body = yield* request.arrayBuffer.pipe(Effect.mapError(() => new BadRequest({ message: "the request body could not be read" })))
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
    return { bytes: new Uint8Array(body), name: name ?? null, contentType }
  }
  const form = yield* Effect.tryPromise({
    try: () => new Response(body, { headers: { "content-type": contentType } }).formData(),
    catch: () => new BadRequest({ message: "the multipart body could not be read" })
  })
  const file = form.get("file")
  if (file === null || typeof file === "string") return yield* new BadRequest({ message: "file: the multipart field \"file\" with the playlist file is missing" })
  const bytes = new Uint8Array(yield* Effect.promise(() => file.arrayBuffer()))
  return { bytes, name: file.name || name || null, contentType: file.type || null }
})

export const PlaylistsLive = HttpApiBuilder.group(SoulSpotApi, "playlists", (handlers) => Effect.gen(function*() {
  const importer = yield* ImportTrackList
  const sources = yield* TrackListSource
  const single = yield* QueueTrackDownload
  const repo = yield* PlaylistRepository
  const checkProfile = (name: string | undefined) => single.checkProfile(name).pipe(Effect.catchTag("UnknownProfile", unprocessable))

  return handlers
    .handle("playlist", ({ payload }) => Effect.gen(function*() {
      const source = SOURCE_NAMES[payload.source.trim().toLowerCase() as keyof typeof SOURCE_NAMES]
      if (source === undefined) {
        return yield* new Unprocessable({ message: `source: unknown playlist source "${payload.source}" (use spotify or deezer; playlist files go to POST /api/downloads/file)` })
      }
      yield* checkProfile(payload.quality_profile)
      const read = yield* sources.playlist(source, payload.playlist_id, null).pipe(Effect.catchAll(listError))
      if (read._tag === "Unchanged") return yield* Effect.dieMessage("a read without a known snapshot cannot be unchanged")
      const result = yield* importer.importList(read.list, { priority: payload.priority, qualityProfile: payload.quality_profile, watch: payload.watch })
        .pipe(Effect.catchTag("UnknownProfile", unprocessable))
      return yield* importAnswer(result)
    }))
    .handle("liked", ({ payload }) => Effect.gen(function*() {
      if (payload.source.trim().toLowerCase() !== "spotify") {
        return yield* new Unprocessable({ message: `source: Liked Songs come from "spotify" only, not "${payload.source}"` })
      }
      yield* checkProfile(payload.quality_profile)
      const read = yield* sources.liked(null).pipe(Effect.catchAll(listError))
      if (read._tag === "Unchanged") return yield* Effect.dieMessage("a read without a known snapshot cannot be unchanged")
      const result = yield* importer.importList(read.list, { priority: payload.priority, qualityProfile: payload.quality_profile, watch: payload.watch })
        .pipe(Effect.catchTag("UnknownProfile", unprocessable))
      return yield* importAnswer(result)
    }))
    .handleRaw("file", ({ request, urlParams }) => Effect.gen(function*() {
      yield* checkProfile(urlParams.quality_profile)
      const upload = yield* uploadedFile(request, urlParams.name)
      const list = parsePlaylistFile(upload)
      if (Either.isLeft(list)) return yield* new BadRequest({ message: list.left.message })
      const result = yield* importer.importList(list.right, { priority: urlParams.priority, qualityProfile: urlParams.quality_profile })
        .pipe(Effect.catchTag("UnknownProfile", unprocessable))
      const answer = yield* importAnswer(result)
      return HttpServerResponse.isServerResponse(answer)
        ? answer
        : yield* HttpServerResponse.json(encodePlaylist(answer), { status: 201 }).pipe(Effect.orDie)
    }))
    .handle("list", () => repo.list.pipe(Effect.map((ps) => ({ playlists: ps.map(summaryDto) }))))
    .handle("update", ({ path, payload }) => Effect.gen(function*() {
      const current = yield* repo.find(path.id)
      if (Option.isSome(current) && current.value.source === "file" && payload.watch) {
        return yield* new Unprocessable({ message: "watch: a playlist file cannot be read again; upload the new version instead" })
      }
      return current
    }).pipe(Effect.zipRight(repo.setWatch(path.id, payload.watch)), Effect.flatMap(Option.match({
      onNone: () => Effect.fail(new NotFound({ message: `no playlist with id ${path.id}` })),
      onSome: (p) => Effect.as(Effect.logInfo(`playlist ${p.title}: watch ${p.watch ? "on" : "off"}`), summaryDto(p))
    }))))
    .handle("remove", ({ path }) => repo.remove(path.id).pipe(Effect.flatMap((removed) => removed
      ? Effect.as(Effect.logInfo("playlist forgotten; its downloads stay").pipe(Effect.annotateLogs({ playlist: path.id })),
        HttpServerResponse.empty({ status: 204 }))
      : Effect.fail(new NotFound({ message: `no playlist with id ${path.id}` })))))
}))

export const PlaylistRestLive = Layer.mergeAll(BatchLive, PlaylistsLive, SpotifyAccountLive)
