import { foldForKey } from "../track.js"

/** A file of the library index, with the tags it was indexed with. */
export interface LibraryEntry {
  readonly path: string
  readonly title: string | null
  readonly artist: string | null
  readonly album: string | null
  readonly isrc: string | null
}

/** What is asked for: the fields the request key is made of. */
export interface WantedTrack {
  readonly title: string
  readonly artist: string
  readonly album?: string | null | undefined
  readonly isrc?: string | null | undefined
}

const text = (s: string | null | undefined) => {
  const t = s?.trim() ?? ""
  return t === "" ? null : t
}

export const normaliseIsrc = (s: string | null | undefined): string | null => {
  const t = text(s)?.toUpperCase().replace(/[^A-Z0-9]/g, "") ?? ""
  return t === "" ? null : t
}

/**
 * The request key's rules applied to a file: the same ISRC when both have one (a different ISRC
 * is a different recording, whatever the names say), else the same folded artist and title, and
 * the same album when both name one.
 */
export const isSameTrack = (want: WantedTrack, file: LibraryEntry): boolean => {
  const a = normaliseIsrc(want.isrc)
  const b = normaliseIsrc(file.isrc)
  if (a !== null && b !== null) return a === b
  if (file.artist === null || file.title === null) return false
  if (foldForKey(want.artist) !== foldForKey(file.artist) || foldForKey(want.title) !== foldForKey(file.title)) return false
  const wa = text(want.album)
  const fa = text(file.album)
  return wa === null || fa === null || foldForKey(wa) === foldForKey(fa)
}

/** The first file that is the wanted track (ISRC matches first, then by name), if any. */
export const findInLibrary = (want: WantedTrack, files: ReadonlyArray<LibraryEntry>): LibraryEntry | undefined => {
  const isrc = normaliseIsrc(want.isrc)
  return (isrc === null ? undefined : files.find((f) => normaliseIsrc(f.isrc) === isrc)) ?? files.find((f) => isSameTrack(want, f))
}
