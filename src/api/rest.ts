import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Effect, Layer, Option, Schema } from "effect"
import { DownloadManager } from "../application/download-manager.js"
import { HealthReport } from "../application/health.js"
import { QueueAlbumDownloads } from "../application/queue-album-downloads.js"
import { QueueControl } from "../application/queue-control.js"
import { QueueTrackDownload } from "../application/queue-track-download.js"
import type { Page } from "../domain/ports/DownloadRepository.js"
import { QueueDispatcher } from "../application/workers/queue-dispatcher.js"
import { TrackRepository } from "../domain/ports/TrackRepository.js"
import { Settings } from "../domain/ports/Settings.js"
import type { TrackInput } from "../domain/track.js"
import { AlbumDownloads, type CreateDownload, SoulSpotApi } from "./api.js"
import { DownloadDto, downloadPageJson, jsonText, toDto, toHealthDto } from "./dto.js"
import { asApiError, BadRequest, failAsApiError, NotFound, Unprocessable } from "./errors.js"
import { LibraryImportLive } from "./import-routes.js"
import { DEFAULT_ACTIVE_LIMIT, ReadCache } from "./read-cache.js"
import type { AlbumSourceError } from "../domain/ports/AlbumSource.js"

/** Turns the request body into a track, with the messages a person understands. */
export const trackFromPayload = (p: CreateDownload): Effect.Effect<TrackInput | { trackId: string }, BadRequest> => {
  if (p.track_id !== undefined) {
    return p.track_id === "" ? Effect.fail(new BadRequest({ message: "track_id: must not be empty" })) : Effect.succeed({ trackId: p.track_id })
  }
  for (const field of ["title", "artist"] as const) {
    const value = p[field]
    if (value === undefined) return Effect.fail(new BadRequest({ message: `${field}: is required (or give track_id)` }))
    if (value === "") return Effect.fail(new BadRequest({ message: `${field}: must not be empty` }))
  }
  return Effect.succeed({
    title: p.title!, artist: p.artist!, album: p.album, durationMs: p.duration_ms, isrc: p.isrc,
    trackNumber: p.track_number, discNumber: p.disc_number, spotifyId: p.spotify_id, deezerId: p.deezer_id
  })
}

const encodeDownload = Schema.encodeSync(DownloadDto)

const badCursor = (e: { readonly message: string }) => Effect.fail(new BadRequest({ message: e.message }))
const pageResponse = (p: Page) => jsonText(downloadPageJson(p))

const actionErrors = { DownloadNotFound: asApiError.DownloadNotFound, StatusConflict: asApiError.StatusConflict }

export const DownloadsLive = HttpApiBuilder.group(SoulSpotApi, "downloads", (handlers) => Effect.gen(function*() {
  const manager = yield* DownloadManager
  const queue = yield* QueueTrackDownload
  const control = yield* QueueControl
  return handlers
    .handle("create", ({ payload }) => Effect.gen(function*() {
      const track = yield* trackFromPayload(payload)
      const { download, created } = yield* queue.run({ track, priority: payload.priority, qualityProfile: payload.quality_profile })
        .pipe(Effect.catchTags({ TrackNotFound: asApiError.TrackNotFound, UnknownProfile: asApiError.UnknownProfile }))
      // 201 for a new download; the same track again answers 200 with the download it already has.
      return created ? toDto(download) : yield* HttpServerResponse.json(encodeDownload(toDto(download)), { status: 200 }).pipe(Effect.orDie)
    }))
    .handle("list", ({ urlParams }) => control.list({
      limit: urlParams.limit ?? 50, offset: urlParams.offset, cursor: urlParams.cursor, q: urlParams.q, statuses: urlParams.status
    }).pipe(Effect.map(pageResponse), Effect.catchTag("InvalidCursor", badCursor)))
    .handle("update", ({ path, payload }) => control.setPriority(path.id, payload.priority).pipe(
      Effect.map(toDto), Effect.catchTag("DownloadNotFound", asApiError.DownloadNotFound)))
    .handle("bulk", ({ payload }) => Effect.gen(function*() {
      if (payload.action === "priority" && payload.priority === undefined) {
        return yield* new BadRequest({ message: "priority: is required for the priority action" })
      }
      return yield* control.bulk({ ids: payload.ids, action: payload.action, priority: payload.priority ?? 0 })
    }))
    .handle("get", ({ path }) => manager.get(path.id).pipe(Effect.map(toDto), Effect.catchTag("DownloadNotFound", asApiError.DownloadNotFound)))
    .handle("candidates", ({ path }) => manager.get(path.id).pipe(
      Effect.zipRight(manager.candidates(path.id)),
      Effect.map((candidates) => ({ candidates })),
      Effect.catchTag("DownloadNotFound", asApiError.DownloadNotFound)))
    // DELETE cancels an active download; with remove=true it removes a finished one (204).
    .handle("cancel", ({ path, urlParams }) => urlParams.remove === "true"
      ? manager.remove(path.id).pipe(Effect.as(HttpServerResponse.empty({ status: 204 })), Effect.catchTags(actionErrors))
      : manager.cancel(path.id).pipe(Effect.map(toDto), Effect.catchTags(actionErrors)))
    .handle("retry", ({ path }) => manager.retry(path.id).pipe(Effect.map(toDto), Effect.catchTags(actionErrors)))
    .handle("pause", ({ path }) => manager.pause(path.id).pipe(Effect.map(toDto), Effect.catchTags(actionErrors)))
    .handle("resume", ({ path }) => manager.resume(path.id).pipe(Effect.map(toDto), Effect.catchTags(actionErrors)))
    .handle("useCandidate", ({ path }) => manager.useCandidate(path.id, path.rank).pipe(
      Effect.map(toDto), Effect.catchTags({ ...actionErrors, CandidateNotFound: asApiError.CandidateNotFound })))
    .handle("nextCandidate", ({ path }) => manager.nextCandidate(path.id).pipe(Effect.map(toDto), Effect.catchTags(actionErrors)))
}))

export const ManagerLive = HttpApiBuilder.group(SoulSpotApi, "manager", (handlers) => Effect.gen(function*() {
  const control = yield* QueueControl
  const health = yield* HealthReport
  const cache = yield* ReadCache
  return handlers
    .handle("active", ({ urlParams }) => urlParams.cursor === undefined && urlParams.q === undefined && urlParams.status === undefined
      ? cache.firstActivePage(urlParams.limit ?? DEFAULT_ACTIVE_LIMIT)
      : control.active({ limit: urlParams.limit ?? DEFAULT_ACTIVE_LIMIT, cursor: urlParams.cursor, q: urlParams.q, statuses: urlParams.status })
        .pipe(Effect.map(pageResponse), Effect.catchTag("InvalidCursor", badCursor)))
    .handle("stats", () => cache.stats)
    .handle("health", () => Effect.map(health.report, toHealthDto))
    .handle("retryFailed", () => control.retryFailed())
    .handle("clearFinished", () => control.clearFinished())
}))

export const SettingsRoutesLive = HttpApiBuilder.group(SoulSpotApi, "settings", (handlers) => Effect.gen(function*() {
  const settings = yield* Settings
  return handlers
    .handle("read", () => settings.describe.pipe(Effect.map((s) => ({ settings: s }))))
    .handle("update", ({ payload }) => settings.update(payload).pipe(
      Effect.catchTag("InvalidSetting", asApiError.InvalidSetting)))
}))

const SOURCES = ["spotify", "deezer", "local"] as const

const encodeAlbum = Schema.encodeSync(AlbumDownloads)

export const AlbumsLive = HttpApiBuilder.group(SoulSpotApi, "albums", (handlers) => Effect.gen(function*() {
  const albums = yield* QueueAlbumDownloads
  const queue = yield* QueueTrackDownload
  return handlers
    .handle("createAlbum", ({ payload }) => Effect.gen(function*() {
      const source = SOURCES.find((s) => s === payload.source.trim().toLowerCase())
      if (!source) return yield* new Unprocessable({ message: `source: unknown album source "${payload.source}" (use spotify, deezer or local)` })
      if (payload.album_id === "") return yield* new BadRequest({ message: "album_id: must not be empty" })
      yield* queue.checkProfile(payload.quality_profile).pipe(Effect.catchTag("UnknownProfile", asApiError.UnknownProfile))
      const result = yield* albums.run({ source, albumRef: payload.album_id, priority: payload.priority, qualityProfile: payload.quality_profile })
        .pipe(Effect.catchAll(failAsApiError<AlbumSourceError>))
      const body = {
        album: {
          id: result.album.id, title: result.album.title, artist: result.album.artist, source: result.album.source,
          source_id: result.album.sourceId, total_tracks: result.album.totalTracks
        },
        downloads: result.downloads.map(toDto),
        skipped: result.skipped.map((s) => ({ track_id: s.trackId, reason: s.reason }))
      }
      // A repeat creates nothing new: 200 with the downloads the album already has.
      return result.created ? body : yield* HttpServerResponse.json(encodeAlbum(body), { status: 200 }).pipe(Effect.orDie)
    }))
    .handle("importAlbum", ({ payload }) => Effect.gen(function*() {
      const tracks = []
      for (const [i, t] of payload.tracks.entries()) {
        if (!t.title) return yield* new BadRequest({ message: `tracks.${i}.title: is required` })
        tracks.push({
          title: t.title, artist: t.artist || payload.artist, album: t.album ?? payload.title, durationMs: t.duration_ms,
          isrc: t.isrc, trackNumber: t.track_number, discNumber: t.disc_number, spotifyId: t.spotify_id, deezerId: t.deezer_id
        })
      }
      if (payload.title === "" || payload.artist === "") return yield* new BadRequest({ message: "title and artist: must not be empty" })
      const stored = yield* albums.importLocalAlbum({ title: payload.title, artist: payload.artist, tracks }).pipe(
        Effect.catchTag("InvalidLocalAlbum", asApiError.InvalidLocalAlbum))
      return { album_id: stored.album.id, tracks: stored.tracks.length }
    }))
}))

export const PreviewLive = HttpApiBuilder.group(SoulSpotApi, "preview", (handlers) => Effect.gen(function*() {
  const dispatcher = yield* QueueDispatcher
  const queue = yield* QueueTrackDownload
  const tracks = yield* TrackRepository
  return handlers.handle("preview", ({ payload }) => Effect.gen(function*() {
    const input = yield* trackFromPayload(payload)
    const track = "trackId" in input
      ? yield* tracks.find(input.trackId).pipe(Effect.flatMap(Option.match({
        onNone: () => Effect.fail(new NotFound({ message: `no track with id ${input.trackId}` })),
        onSome: Effect.succeed
      })))
      : input
    const profile = yield* queue.checkProfile(payload.quality_profile).pipe(Effect.catchTag("UnknownProfile", asApiError.UnknownProfile))
    const outcome = yield* dispatcher.preview({
      title: track.title, artist: track.artist, album: track.album ?? null, durationMs: track.durationMs ?? null, trackNumber: track.trackNumber ?? null
    }, profile).pipe(Effect.catchTag("ProviderError", asApiError.ProviderError))
    // The same shape as `cli match`, plus the queries that were run.
    return {
      chosen: outcome.chosen ? { username: outcome.chosen.username, filename: outcome.chosen.filename, size: outcome.chosen.size, score: outcome.chosen.score } : null,
      candidates: outcome.candidates.map((c) => ({ username: c.username, filename: c.filename, score: c.score, accepted: c.accepted, reasons: c.reasons })),
      queries: outcome.queries
    }
  }))
}))

export const RestLive = Layer.mergeAll(DownloadsLive, ManagerLive, SettingsRoutesLive, AlbumsLive, PreviewLive, LibraryImportLive)
