import { Context, type Effect, type Option } from "effect"
import type { TrackListEntry, TrackListSourceName } from "../track-list.js"
import type { QueueResult } from "./DownloadRepository.js"

/** The playlist row a queued list is remembered under (absent for a plain batch of tracks). */
export interface PlaylistInput {
  readonly source: TrackListSourceName
  readonly sourceId: string
  readonly title: string
  readonly snapshot: string | null
  /** undefined keeps the stored flag (false for a new playlist). */
  readonly watch: boolean | undefined
}

export interface Playlist {
  readonly id: string
  readonly source: TrackListSourceName
  readonly sourceId: string
  readonly title: string
  readonly watch: boolean
  readonly snapshot: string | null
  readonly totalTracks: number
  readonly priority: number
  readonly qualityProfile: string | null
  readonly lastSyncedAt: string | null
  readonly lastError: string | null
}

/** A playlist with what became of its tracks. */
export interface PlaylistSummary extends Playlist {
  /** Tracks with a WAITING..DOWNLOADING download. */
  readonly queued: number
  readonly done: number
  readonly failed: number
}

export interface QueueListRequest {
  readonly entries: ReadonlyArray<TrackListEntry>
  readonly priority: number
  readonly qualityProfile: string
  readonly playlist: PlaylistInput | null
}

export interface QueueListResult {
  /** One per entry, in order; an entry repeating an earlier one's track gets that result with created = false. */
  readonly results: ReadonlyArray<QueueResult>
  readonly playlist: Playlist | null
}

export class PlaylistRepository extends Context.Tag("soulspot/PlaylistRepository")<PlaylistRepository, {
  /**
   * Upserts every track by request key, creates a WAITING download for each track that has no
   * active or completed one, links tracks of one album to an album row (so the album-folder
   * search finds them) and remembers the playlist: all in one transaction. Events for the new
   * downloads are published after the commit.
   */
  readonly queueList: (request: QueueListRequest) => Effect.Effect<QueueListResult>
  readonly list: Effect.Effect<ReadonlyArray<PlaylistSummary>>
  readonly find: (id: string) => Effect.Effect<Option.Option<PlaylistSummary>>
  readonly findBySource: (source: TrackListSourceName, sourceId: string) => Effect.Effect<Option.Option<Playlist>>
  readonly setWatch: (id: string, watch: boolean) => Effect.Effect<Option.Option<PlaylistSummary>>
  /** Forgets the playlist; its tracks and downloads stay. false when there was none. */
  readonly remove: (id: string) => Effect.Effect<boolean>
  readonly watched: Effect.Effect<ReadonlyArray<Playlist>>
  /** After a sync that found nothing new (or failed): when, and the error if any. */
  readonly markSynced: (id: string, at: string, error: string | null) => Effect.Effect<void>
}>() {}
