/** The wanted track, analysed once: the words its title, artist and album must be matched by. Pure functions. */
import { isNoiseGroup, splitArtists, splitBrackets, stripFeaturing, tokens } from "./normalise.js"
import type { TrackInput } from "../track.js"
import { versionCounts, type VersionKind } from "./versions.js"

/** What is known about the wanted track: the part of a track input matching reads. */
export type WantedTrack = Pick<TrackInput, "title" | "artist" | "album" | "durationMs" | "trackNumber">

export interface WantedAnalysis {
  readonly track: WantedTrack
  /** Title words outside brackets and featuring: all must be present. */
  readonly titleMain: ReadonlyArray<string>
  /** Words of non-noise bracket groups and dash suffixes ("Part 2", "I Can't Get No"). */
  readonly titleOptional: ReadonlyArray<string>
  /**
   * Words of groups that name a version ("Alesso Remix", "Live at the BBC", "Radio Edit"):
   * required like the main title (in the file name or, failing that, a folder name).
   */
  readonly titleVersion: ReadonlyArray<string>
  /** Artist token lists, best evidence first: whole credit, first name, other names. */
  readonly artists: ReadonlyArray<ReadonlyArray<string>>
  readonly artistKnown: boolean
  /** Versions the title itself asks for: a file must name them at least as often. */
  readonly titleVersions: ReadonlyMap<VersionKind, number>
  /** Guests from "feat." in title or artist: their names in a file name are not extra title words. */
  readonly featured: ReadonlyArray<ReadonlyArray<string>>
  readonly album: ReadonlyArray<string> | null
  readonly durationSec: number | null
  readonly versions: ReadonlyMap<VersionKind, number>
}

/** Small words in a version group that need not be repeated ("Live at the BBC" needs "live" and "bbc"). */
export const VERSION_STOPWORDS: ReadonlySet<string> = new Set(["at", "the", "in", "of", "on", "from", "a", "an", "and", "version", "mix", "edit", "s"])

const UNKNOWN_ARTIST = /^(?:unknown(?: artist)?|various(?: artists)?|va|n\/?a|-|\?+)$/i

const dropLeadingThe = (ts: ReadonlyArray<string>): ReadonlyArray<string> =>
  ts.length > 1 && ts[0] === "the" ? ts.slice(1) : ts

/** Splits a title on spaced dashes only ("Anti-Hero" stays whole). */
const dashParts = (s: string): Array<string> => s.split(/\s+[-–—]+\s+/).map((p) => p.trim()).filter((p) => p !== "")

export const analyseWanted = (track: WantedTrack): WantedAnalysis => {
  const title = track.title.trim()
  const { text: noFeat, featured: titleFeat } = stripFeaturing(title)
  const [head = noFeat, ...suffixes] = dashParts(noFeat)
  const { outside, groups } = splitBrackets(head)
  const extraGroups = [...groups, ...suffixes.flatMap((s) => {
    const b = splitBrackets(s)
    return [b.outside, ...b.groups]
  })].filter((g) => g !== "" && !isNoiseGroup(g))
  const versionGroups = extraGroups.filter((g) => versionCounts(g).size > 0)
  let titleMain = tokens(outside)
  let titleOptional = extraGroups.filter((g) => !versionGroups.includes(g)).flatMap(tokens)
  const titleVersion = versionGroups.flatMap(tokens).filter((t) => !VERSION_STOPWORDS.has(t))
  if (titleMain.length === 0) {
    titleMain = titleOptional.length > 0 ? titleOptional : tokens(title)
    titleOptional = []
  }

  const artist = track.artist.trim()
  const artistKnown = artist !== "" && !UNKNOWN_ARTIST.test(artist)
  const names = artistKnown ? splitArtists(artist) : []
  const { featured: artistFeat } = stripFeaturing(artist)
  const featNames = [...titleFeat, ...artistFeat].flatMap((f) => splitArtists(f))
  const credited = names.filter((n) => !featNames.includes(n))
  const artists = uniqueLists(credited.map((n) => dropLeadingThe(tokens(n))))

  const albumText = track.album?.trim() ?? ""
  let album: ReadonlyArray<string> | null = null
  if (albumText !== "") {
    const b = splitBrackets(stripFeaturing(albumText).text)
    const t = tokens([b.outside, ...b.groups.filter((g) => !isNoiseGroup(g))].join(" "))
    album = t.length > 0 ? t : null
  }
  const durationSec = track.durationMs !== null && track.durationMs !== undefined && track.durationMs > 0
    ? track.durationMs / 1000
    : null
  return {
    track, titleMain, titleOptional, titleVersion, titleVersions: versionCounts(title), artists, artistKnown,
    featured: uniqueLists(featNames.map((f) => tokens(f))),
    album, durationSec,
    versions: versionCounts([title, artist, albumText].join(" "))
  }
}

const uniqueLists = (lists: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<ReadonlyArray<string>> => {
  const seen = new Set<string>()
  return lists.filter((l) => {
    const k = l.join(" ")
    if (l.length === 0 || seen.has(k)) return false
    seen.add(k)
    return true
  })
}
