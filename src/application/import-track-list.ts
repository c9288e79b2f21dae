import { Effect, Metric } from "effect"
import { importedTracks } from "../metrics.js"
import type { Download, DownloadStatus } from "../domain/download.js"
import { type Playlist, PlaylistRepository } from "../domain/ports/PlaylistRepository.js"
import type { TrackList, TrackListEntry } from "../domain/track-list.js"
import { QueueTrackDownload } from "./queue-track-download.js"

export interface QueueOptions {
  readonly priority?: number | undefined
  readonly qualityProfile?: string | undefined
  /** Keep the playlist in sync; undefined leaves a stored playlist's flag as it is. */
  readonly watch?: boolean | undefined
}

export interface ListSkip {
  /** Our track id when the track was stored but not queued again; null when the entry could not be read. */
  readonly trackId: string | null
  /** The file line the entry came from, for playlist files. */
  readonly line: number | null
  readonly reason: string
}

export interface ImportResult {
  readonly playlist: Playlist
  /** One per usable entry, in list order: the new download or the existing one. */
  readonly downloads: ReadonlyArray<Download>
  readonly skipped: ReadonlyArray<ListSkip>
  /** Whether anything new was queued: false for a repeat (200 instead of 201). */
  readonly created: boolean
  readonly createdCount: number
}

const alreadyReason = (status: DownloadStatus): string =>
  status === "COMPLETED" ? "already downloaded" : status === "DOWNLOADING" ? "already downloading" : "already queued"

/**
 * The one importer: a batch of tracks, a playlist, Liked Songs or a playlist file become
 * WAITING downloads in one transaction, each track idempotent exactly like a single request
 * (the same track already active or completed is answered with that download).
 */
export class ImportTrackList extends Effect.Service<ImportTrackList>()("soulspot/ImportTrackList", {
  effect: Effect.gen(function*() {
    const playlists = yield* PlaylistRepository
    const single = yield* QueueTrackDownload

    /** Tracks without a playlist (POST /api/downloads/batch). The profile is checked before anything is stored. */
    const queueTracks = Effect.fn("ImportTrackList.queueTracks")(function*(entries: ReadonlyArray<TrackListEntry>, options: QueueOptions) {
      const qualityProfile = yield* single.checkProfile(options.qualityProfile)
      if (entries.length === 0) return []
      const { results } = yield* playlists.queueList({ entries, priority: options.priority ?? 0, qualityProfile, playlist: null })
      const created = results.filter((r) => r.created).length
      yield* Metric.incrementBy(importedTracks.pipe(Metric.tagged("source", "batch")), created)
      yield* Effect.logInfo(`batch queued: ${created} new downloads, ${results.length - created} tracks already queued or downloaded`)
      return results
    })

    /** A list read from a source: its entries queued, the playlist remembered (and watched when asked). */
    const importList = Effect.fn("ImportTrackList.importList")(function*(list: TrackList, options: QueueOptions) {
      const qualityProfile = yield* single.checkProfile(options.qualityProfile)
      const { results, playlist } = yield* playlists.queueList({
        entries: list.entries, priority: options.priority ?? 0, qualityProfile,
        playlist: { source: list.source, sourceId: list.sourceId, title: list.title, snapshot: list.snapshot, watch: options.watch }
      })
      const seen = new Set<string>()
      const already: Array<ListSkip> = []
      const downloads: Array<Download> = []
      for (const r of results) {
        if (seen.has(r.download.id)) continue
        seen.add(r.download.id)
        downloads.push(r.download)
        if (!r.created) already.push({ trackId: r.download.trackId, line: null, reason: alreadyReason(r.download.status) })
      }
      const createdCount = results.filter((r) => r.created).length
      yield* Metric.incrementBy(importedTracks.pipe(Metric.tagged("source", list.source)), createdCount)
      yield* Effect.logInfo(`${list.source} playlist imported: ${createdCount} new downloads, ${already.length} already queued or downloaded, ${list.skipped.length} entries skipped`)
        .pipe(Effect.annotateLogs({ playlist: playlist!.id, source: list.source, sourceId: list.sourceId }))
      return {
        playlist: playlist!, downloads, createdCount, created: createdCount > 0,
        skipped: [...list.skipped.map((s): ListSkip => ({ trackId: s.trackId, line: s.line, reason: s.reason })), ...already]
      } satisfies ImportResult
    })

    return { queueTracks, importList } as const
  })
}) {}
