import { Effect, Option, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { Setting } from "../config.js"
import type { Album, AlbumSourceName } from "../domain/album.js"
import type { Download, DownloadStatus } from "../domain/download.js"
import { AlbumCatalog, AlbumNotFound, type AlbumSourceError } from "../domain/ports/AlbumSource.js"
import { DownloadRepository, type QueueResult } from "../domain/ports/DownloadRepository.js"
import { Settings } from "../domain/ports/Settings.js"
import { type AlbumWithTracks, TrackRepository } from "../domain/ports/TrackRepository.js"
import type { TrackInput } from "../domain/track.js"
import { LibraryIndexer } from "./library/library-indexer.js"

export interface QueueAlbumRequest {
  readonly source: AlbumSourceName
  /** An id, URI or share link of the source; for "local", our album id. */
  readonly albumRef: string
  readonly priority?: number | undefined
  readonly qualityProfile?: string | undefined
}

export interface SkippedTrack {
  readonly trackId: string
  /** "already queued", "already downloading" or "already downloaded". */
  readonly reason: string
  /** The existing download that made this track be skipped. */
  readonly download: Download
}

export interface QueueAlbumResult {
  readonly album: Album
  /** One per album track, in album order: the new download, or the existing one of a skipped track. */
  readonly downloads: ReadonlyArray<Download>
  readonly skipped: ReadonlyArray<SkippedTrack>
  /** Whether any new download was made: false for a repeat (answer 200 instead of 201). */
  readonly created: boolean
}

export interface LocalAlbumInput {
  readonly title: string
  readonly artist: string
  readonly releaseDate?: string | null | undefined
  /** In album order; a track without artist gets the album's, without numbers its position on disc 1. */
  readonly tracks: ReadonlyArray<TrackInput>
}

/** A library import that cannot be stored as given. */
export class InvalidLocalAlbum extends Schema.TaggedError<InvalidLocalAlbum>()(
  "InvalidLocalAlbum",
  { reason: Schema.String }
) {
  override get message() {
    return this.reason
  }
}

const MAX_LOCAL_TRACKS = 500

const skipReason = (status: DownloadStatus): string => {
  switch (status) {
    case "COMPLETED": return "already downloaded"
    case "DOWNLOADING": return "already downloading"
    default: return "already queued"
  }
}

/**
 * Stores an album the user describes (POST /api/library/albums) as a library album: source
 * "local" and a new source id, so two albums with the same name (self-titled records, "Greatest
 * Hits") stay apart. Its tracks are upserted by request key like any other track.
 */
export const importLocalAlbum = (input: LocalAlbumInput) => Effect.gen(function*() {
  const title = input.title.trim()
  const artist = input.artist.trim()
  if (title === "") return yield* new InvalidLocalAlbum({ reason: "title: must not be empty" })
  if (artist === "") return yield* new InvalidLocalAlbum({ reason: "artist: must not be empty" })
  if (input.tracks.length === 0) return yield* new InvalidLocalAlbum({ reason: "tracks: must hold at least one track" })
  if (input.tracks.length > MAX_LOCAL_TRACKS) {
    return yield* new InvalidLocalAlbum({ reason: `tracks: at most ${MAX_LOCAL_TRACKS} tracks` })
  }
  const tracks: Array<TrackInput> = []
  for (const [i, t] of input.tracks.entries()) {
    if (t.title.trim() === "") return yield* new InvalidLocalAlbum({ reason: `tracks[${i}].title: must not be empty` })
    tracks.push({
      ...t,
      artist: t.artist.trim() === "" ? artist : t.artist,
      album: t.album?.trim() ? t.album : title,
      trackNumber: t.trackNumber ?? i + 1,
      discNumber: t.discNumber ?? 1
    })
  }
  const repo = yield* TrackRepository
  const stored = yield* repo.upsertAlbum({
    source: "local", sourceId: randomUUID(), title, artist, releaseDate: input.releaseDate?.trim() || null, tracks
  })
  yield* Effect.logInfo(`library album stored with ${stored.tracks.length} tracks`).pipe(Effect.annotateLogs({ album: stored.album.id }))
  return stored
}).pipe(Effect.withSpan("importLocalAlbum"))

/**
 * Queue a whole album: read it from its source (Spotify, Deezer or the library), store it so it
 * is a library album from then on, then one WAITING download per track in album order, all in
 * one transaction. Tracks whose download is active or completed are skipped, with the reason;
 * asking again therefore creates nothing new.
 */
export class QueueAlbumDownloads extends Effect.Service<QueueAlbumDownloads>()("soulspot/QueueAlbumDownloads", {
  effect: Effect.gen(function*() {
    const catalog = yield* AlbumCatalog
    const tracks = yield* TrackRepository
    const downloads = yield* DownloadRepository
    const library = yield* LibraryIndexer
    const settings = yield* Settings

    const store = (source: AlbumSourceName, ref: string) => Effect.gen(function*() {
      const found = yield* catalog.fetch(source, ref)
      if (found.libraryId !== null) {
        const stored = yield* tracks.findAlbumById(found.libraryId)
        if (Option.isNone(stored)) return yield* new AlbumNotFound({ source: "local", albumId: found.libraryId })
        return stored.value
      }
      return yield* tracks.upsertAlbum({
        source: found.source, sourceId: found.sourceId, title: found.title, artist: found.artist,
        releaseDate: found.releaseDate, coverUrl: found.coverUrl ?? null, tracks: found.tracks
      })
    })

    const run = (req: QueueAlbumRequest): Effect.Effect<QueueAlbumResult, AlbumSourceError> => Effect.gen(function*() {
      const priority = req.priority ?? 0
      const qualityProfile = req.qualityProfile ?? (yield* settings.get(Setting.defaultProfile))
      const { album, tracks: albumTracks }: AlbumWithTracks = yield* store(req.source, req.albumRef)
      // tracks already in the library are answered with their files; the others are queued together
      const fromLibrary = new Map<string, QueueResult>()
      for (const t of albumTracks) {
        const hit = yield* library.answer(t, priority, qualityProfile)
        if (Option.isSome(hit)) fromLibrary.set(t.id, { download: hit.value, created: true })
      }
      const queued = [...yield* downloads.queueTracks(albumTracks.filter((t) => !fromLibrary.has(t.id)).map((t) => t.id), priority, qualityProfile)]
      const results = albumTracks.map((t) => fromLibrary.get(t.id) ?? queued.shift()!)
      const skipped = results.flatMap((r): Array<SkippedTrack> => r.created ? [] : [{
        trackId: r.download.trackId, reason: skipReason(r.download.status), download: r.download
      }])
      const created = results.length - skipped.length
      yield* Effect.logInfo(`album queued: ${created} new downloads, ${skipped.length} tracks skipped`).pipe(
        Effect.annotateLogs({ album: album.id, source: album.source, sourceId: album.sourceId }))
      return { album, downloads: results.map((r) => r.download), skipped, created: created > 0 }
    }).pipe(Effect.withSpan("QueueAlbumDownloads.run", { attributes: { source: req.source } }))

    return { run, importLocalAlbum: (input: LocalAlbumInput) => importLocalAlbum(input).pipe(Effect.provideService(TrackRepository, tracks)) } as const
  })
}) {}
