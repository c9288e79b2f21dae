import type { TrackInput } from "./track.js"

/** The album a list entry belongs to, when the source says; used to group playlist tracks into album rows. */
export interface EntryAlbum {
  readonly source: "spotify" | "deezer" | "local"
  /** The catalog's album id; for "local" a key made from artist and album name. */
  readonly sourceId: string
  readonly title: string
  readonly artist: string
  readonly totalTracks: number | null
  readonly releaseDate: string | null
}

export interface TrackListEntry {
  readonly track: TrackInput
  readonly album: EntryAlbum | null
}

/** An entry the source could not turn into a track: why, and where it was (track id or file line). */
export interface SkippedEntry {
  readonly trackId: string | null
  readonly line: number | null
  readonly reason: string
}

export type TrackListSourceName = "spotify" | "deezer" | "file"

/** A playlist, Liked Songs or a playlist file, read and turned into tracks. */
export interface TrackList {
  readonly source: TrackListSourceName
  /** The source's id (Spotify or Deezer playlist id, "liked", or a hash of the file). */
  readonly sourceId: string
  readonly title: string
  /** Spotify snapshot_id or Deezer checksum: changes when the playlist changes. */
  readonly snapshot: string | null
  readonly entries: ReadonlyArray<TrackListEntry>
  readonly skipped: ReadonlyArray<SkippedEntry>
}
