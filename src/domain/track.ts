import { Schema } from "effect"

export const Track = Schema.Struct({
  id: Schema.String,
  requestKey: Schema.String,
  title: Schema.String,
  artist: Schema.String,
  album: Schema.NullOr(Schema.String),
  durationMs: Schema.NullOr(Schema.Number),
  isrc: Schema.NullOr(Schema.String),
  trackNumber: Schema.NullOr(Schema.Number),
  discNumber: Schema.NullOr(Schema.Number),
  spotifyId: Schema.NullOr(Schema.String),
  deezerId: Schema.NullOr(Schema.String)
})
export type Track = typeof Track.Type

/** What a caller knows about a track before it is stored. */
export interface TrackInput {
  readonly title: string
  readonly artist: string
  readonly album?: string | null | undefined
  readonly durationMs?: number | null | undefined
  readonly isrc?: string | null | undefined
  readonly trackNumber?: number | null | undefined
  readonly discNumber?: number | null | undefined
  readonly spotifyId?: string | null | undefined
  readonly deezerId?: string | null | undefined
}

const blankToNull = (s: string | null | undefined): string | null => {
  const t = s?.trim() ?? ""
  return t === "" ? null : t
}

/**
 * Folding for the request key only. It is stored in the database, so it must stay
 * stable: case, diacritics, punctuation and spacing do not make a different track.
 */
export const foldForKey = (s: string): string =>
  s.normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()

/**
 * The same track means the same request key (a repeat request is not a second download): a catalog id or
 * ISRC when one is given, otherwise the folded (artist, title, album).
 */
export const requestKey = (t: TrackInput): string => {
  const spotify = blankToNull(t.spotifyId)
  if (spotify) return `spotify:${spotify}`
  const deezer = blankToNull(t.deezerId)
  if (deezer) return `deezer:${deezer}`
  const isrc = blankToNull(t.isrc)
  if (isrc) return `isrc:${isrc.toUpperCase().replace(/[^A-Z0-9]/g, "")}`
  return `meta:${foldForKey(t.artist)}|${foldForKey(t.title)}|${foldForKey(blankToNull(t.album) ?? "")}`
}

/** Trims every text field and turns whitespace-only strings into null. */
export const cleanTrackInput = (t: TrackInput): TrackInput => ({
  title: t.title.trim(),
  artist: t.artist.trim(),
  album: blankToNull(t.album),
  durationMs: t.durationMs ?? null,
  isrc: blankToNull(t.isrc),
  trackNumber: t.trackNumber ?? null,
  discNumber: t.discNumber ?? null,
  spotifyId: blankToNull(t.spotifyId),
  deezerId: blankToNull(t.deezerId)
})

/** Which stored tracks may be the same recording: the folded artist and title (indexed as tracks.recording_key). */
export const recordingKey = (t: Pick<TrackInput, "artist" | "title">): string =>
  `${foldForKey(t.artist)}|${foldForKey(t.title)}`

/** Two durations closer than this are the same recording (rips and encoders differ by a second or two). */
export const SAME_RECORDING_TOLERANCE_MS = 3000

// "(Remastered 2009)", "[Deluxe Edition]": the same release spelled differently, unlike "(Live)"
const EDITION_NOTE = /[([][^)\]]*\b(remaster(ed)?|deluxe|edition|expanded|anniversary|bonus)\b[^)\]]*[)\]]/giu
const foldAlbum = (album: string): string => foldForKey(album.replace(EDITION_NOTE, " "))

/**
 * Whether a request that found no track under its own request key is the stored track `existing`, already
 * known to share its folded artist and title. ISRCs on both sides decide; so do ids of one catalog on both
 * sides (two Spotify ids are two tracks, e.g. two "Intro"s of one album). Otherwise albums that differ after
 * folding (edition notes dropped), another disc/track position on the same album, or durations further apart
 * than the tolerance make it another recording; a field missing on either side decides nothing.
 */
export const sameRecording = (existing: TrackInput, incoming: TrackInput): boolean => {
  if (recordingKey(existing) !== recordingKey(incoming)) return false
  const isrcA = blankToNull(existing.isrc)?.toUpperCase(), isrcB = blankToNull(incoming.isrc)?.toUpperCase()
  if (isrcA && isrcB) return isrcA === isrcB
  for (const id of ["spotifyId", "deezerId"] as const) {
    const a = blankToNull(existing[id]), b = blankToNull(incoming[id])
    if (a !== null && b !== null) return a === b
  }
  const albumA = blankToNull(existing.album), albumB = blankToNull(incoming.album)
  if (albumA !== null && albumB !== null) {
    if (foldAlbum(albumA) !== foldAlbum(albumB)) return false
    const at = existing.trackNumber, bt = incoming.trackNumber
    if (at != null && bt != null && (at !== bt || (existing.discNumber ?? 1) !== (incoming.discNumber ?? 1))) return false
  }
  const a = existing.durationMs, b = incoming.durationMs
  if (a != null && b != null && Math.abs(a - b) > SAME_RECORDING_TOLERANCE_MS) return false
  return true
}
