import { Context, type Effect, type Option } from "effect"
import type { Album, AlbumSourceName } from "../album.js"
import type { Track, TrackInput } from "../track.js"

/** An album to store: where it comes from and its tracks in album order (disc, then track number). */
export interface AlbumInput {
  readonly source: AlbumSourceName
  /** The catalog's own id (Spotify base-62 id, Deezer number as text, or a library album's source id). */
  readonly sourceId: string
  readonly title: string
  readonly artist: string
  /** As the catalog gives it: "1997", "1997-05" or "1997-05-21". */
  readonly releaseDate: string | null
  /** The catalog's cover image, when it gave one. */
  readonly coverUrl?: string | null
  readonly tracks: ReadonlyArray<TrackInput>
}

export interface AlbumWithTracks {
  readonly album: Album
  /** In album order: disc, then track number. */
  readonly tracks: ReadonlyArray<Track>
}

export class TrackRepository extends Context.Tag("soulspot/TrackRepository")<TrackRepository, {
  /** Insert or refresh by request key; returns the stored track. */
  readonly upsert: (track: TrackInput) => Effect.Effect<Track>
  readonly find: (id: string) => Effect.Effect<Option.Option<Track>>
  readonly findByRequestKey: (key: string) => Effect.Effect<Option.Option<Track>>
  /** Stores the album and its tracks in one transaction (upsert by source id and request keys). */
  readonly upsertAlbum: (album: AlbumInput) => Effect.Effect<AlbumWithTracks>
  readonly findAlbum: (source: AlbumSourceName, sourceId: string) => Effect.Effect<Option.Option<AlbumWithTracks>>
  readonly findAlbumById: (id: string) => Effect.Effect<Option.Option<AlbumWithTracks>>
  /** For each album holding any of these tracks: the album id and which of the tracks it holds. */
  readonly albumsOfTracks: (trackIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, ReadonlyArray<string>>>
}>() {}
