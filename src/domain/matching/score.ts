/**
 * Scoring one remote file against the wanted track: hard gates, identity evidence, quality
 * and peer availability, each with the reasons a user reads. Pure functions.
 *
 * Score = 55 × identity + 35 × quality + 10 × availability (0-100). Identity dominates;
 * availability only separates otherwise equal files.
 *
 * A file is accepted only when no gate rejects it and the identity evidence is sufficient:
 * the title matches (score ≥ 0.75: every title word present, no different part number, at
 * most one unexplained extra word for long titles) AND the artist is named somewhere in the
 * path (unless the wanted artist is unknown), AND identity ≥ 0.6 overall.
 */
import {
  formatDuration, isAlwaysNoiseToken, isNoiseGroup, isNumberToken, isGenericFolder, isYearToken,
  NOISE_WORDS, parseRemotePath, parseTrackPrefix, splitArtists, splitBrackets, splitSegments, stripCopyMarker,
  stripFeaturing, tokens, type RemotePath, type TrackPrefix
} from "./normalise.js"
import {
  COMPANION_EXTENSIONS, FORMAT_LABEL, formatOf, isLossless, type AudioFormat, type QualityProfile
} from "./profiles.js"
import type { PeerFile, PeerResponse } from "./types.js"
import { unwantedVersions, VERSION_LABEL, VERSION_WORDS, versionCounts, type VersionKind } from "./versions.js"

/** What is known about the wanted track (TrackInput fits). */
export interface WantedTrack {
  readonly title: string
  readonly artist: string
  readonly album?: string | null | undefined
  readonly durationMs?: number | null | undefined
  readonly trackNumber?: number | null | undefined
}

export const WEIGHTS = { identity: 55, quality: 35, availability: 10 } as const
export const MIN_TITLE_SCORE = 0.75
export const MIN_IDENTITY = 0.6

// ---------------------------------------------------------------------------------------------
// The wanted track, analysed once

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
const VERSION_STOPWORDS = new Set(["at", "the", "in", "of", "on", "from", "a", "an", "and", "version", "mix", "edit", "s"])

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

// ---------------------------------------------------------------------------------------------
// Token helpers

/** needle as consecutive tokens of hay, or as one run of tokens written together ("acdc" = "ac dc"). */
export const containsTokens = (hay: ReadonlyArray<string>, needle: ReadonlyArray<string>): boolean => {
  if (needle.length === 0) return false
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer
    return true
  }
  const joined = needle.join("")
  for (let i = 0; i < hay.length; i++) {
    let acc = ""
    for (let j = i; j < hay.length; j++) {
      acc += hay[j]
      if (acc === joined) return true
      if (!joined.startsWith(acc)) break
    }
  }
  return false
}

interface Tok {
  readonly t: string
  readonly group: boolean
  /** From a group that names a version ("Live at the BBC"). */
  readonly version: boolean
  readonly prev: string | undefined
  used: boolean
}

const take = (items: Array<Tok>, t: string): boolean => {
  const hit = items.find((i) => !i.used && i.t === t && !i.group) ?? items.find((i) => !i.used && i.t === t)
  if (hit) hit.used = true
  return hit !== undefined
}

/** Marks all of `needle` as used if every token is still free (or one free token spells it without spaces). */
const takeAll = (items: Array<Tok>, needle: ReadonlyArray<string>): boolean => {
  if (needle.length === 0) return false
  const free = items.filter((i) => !i.used)
  const need = new Map<string, number>()
  for (const t of needle) need.set(t, (need.get(t) ?? 0) + 1)
  const ok = [...need].every(([t, n]) => free.filter((i) => i.t === t).length >= n)
  if (ok) {
    for (const t of needle) take(items, t)
    return true
  }
  const joined = needle.join("")
  const compact = free.find((i) => i.t === joined)
  if (compact && needle.length > 1) {
    compact.used = true
    return true
  }
  return false
}

const BITRATE_TOKENS = new Set(["96", "112", "128", "160", "192", "224", "256", "320"])
const NUMBERING_CONTEXT = new Set(["track", "disc", "disk", "cd", "side"])

/** A word that says nothing about which song a file is. */
const isNoiseWord = (t: string): boolean =>
  (NOISE_WORDS.has(t) && !isNumberToken(t)) || isAlwaysNoiseToken(t) || isYearToken(t) || BITRATE_TOKENS.has(t)
  || NUMBERING_CONTEXT.has(t)

// ---------------------------------------------------------------------------------------------
// Title

export interface TitleMatch {
  readonly score: number
  readonly missing: ReadonlyArray<string>
  /** Words matched with a one-letter difference ("rapsody ≈ rhapsody"). */
  readonly fuzzy: ReadonlyArray<string>
  readonly extra: ReadonlyArray<string>
  readonly extraInBrackets: ReadonlyArray<string>
  readonly numberConflict: { readonly wanted: ReadonlyArray<string>; readonly found: ReadonlyArray<string> } | null
  /** Index into WantedAnalysis.artists of the credit found inside the title text, -1 if none. */
  readonly artistInTitle: number
  readonly albumInTitle: boolean
  readonly prefix: TrackPrefix | null
}

/** Damerau-Levenshtein distance, stopping early above 1. */
const withinOneEdit = (a: string, b: string): boolean => {
  if (a === b) return true
  if (Math.abs(a.length - b.length) > 1) return false
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  const ra = a.slice(i + 1)
  const rb = b.slice(i + 1)
  return ra === rb // substitution
    || a.slice(i + 1) === b.slice(i) // deletion from a
    || a.slice(i) === b.slice(i + 1) // insertion into a
    || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2)) // transposition
}

/** Long words only: a one-letter slip in "Rhapsody" is a typo, in "Alive"/"Alice" a different word. */
const FUZZY_MIN_LENGTH = 7

/**
 * Scores one piece of a file name (the part that should be the title) against the wanted
 * title. `folderTokens` may supply words the wanted title's version part needs ("Live at the
 * BBC" in a folder name).
 */
export const matchTitle = (
  w: WantedAnalysis,
  text: string,
  prefix: TrackPrefix | null = null,
  folderTokens: ReadonlyArray<string> = []
): TitleMatch => {
  const { text: noFeat } = stripFeaturing(text)
  const { outside, groups } = splitBrackets(noFeat)
  const items: Array<Tok> = []
  const push = (ts: ReadonlyArray<string>, group: boolean, version: boolean) =>
    ts.forEach((t, i) => items.push({ t, group, version, prev: ts[i - 1], used: false }))
  push(tokens(outside), false, false)
  // a group that names a version ("Nicky Romero Remix") is held to the main title's standard
  for (const g of groups) {
    if (isNoiseGroup(g)) continue
    const version = versionCounts(g).size > 0
    push(tokens(g), !version, version)
  }

  const fuzzy: Array<string> = []
  const missing = w.titleMain.filter((t) => {
    if (take(items, t)) return false
    if ([...t].length < FUZZY_MIN_LENGTH || isNumberToken(t)) return true
    const near = items.find((i) => !i.used && [...i.t].length >= FUZZY_MIN_LENGTH - 1 && withinOneEdit(i.t, t))
    if (!near) return true
    near.used = true
    fuzzy.push(`${near.t} ≈ ${t}`)
    return false
  })
  const missingVersion = w.titleVersion.filter((t) => !take(items, t) && !folderTokens.includes(t))
  const missingOptional = w.titleOptional.filter((t) => !take(items, t))
  let artistInTitle = -1
  for (let i = 0; i < w.artists.length; i++) {
    if (takeAll(items, w.artists[i]!)) { artistInTitle = i; break }
  }
  for (const f of w.featured) takeAll(items, f)
  const albumInTitle = w.album !== null && takeAll(items, w.album)
  for (const i of items) {
    if (i.used) continue
    if (isNoiseWord(i.t) || VERSION_WORDS.has(i.t) || (i.version && VERSION_STOPWORDS.has(i.t))) i.used = true
    else if (isNumberToken(i.t) && i.prev !== undefined && NUMBERING_CONTEXT.has(i.prev)) i.used = true
  }
  const left = items.filter((i) => !i.used)
  const extra = left.filter((i) => !i.group).map((i) => i.t)
  const extraInBrackets = left.filter((i) => i.group).map((i) => i.t)

  const wantedNumbers = [...w.titleMain, ...w.titleOptional, ...w.titleVersion].filter(isNumberToken)
  const strayNumbers = left.filter((i) => isNumberToken(i.t)).map((i) => i.t)
  const missingNumbers = [...missing, ...missingOptional, ...missingVersion].filter(isNumberToken)
  const numberConflict = strayNumbers.length > 0 || missingNumbers.length > 0
    ? {
      wanted: wantedNumbers,
      found: items.filter((i) => isNumberToken(i.t) && (strayNumbers.includes(i.t) || wantedNumbers.includes(i.t))).map((i) => i.t)
    }
    : null

  const n = w.titleMain.length
  let score = 1
  // a long title may lack one word, or have one word in its place ("Till" for "'Til")
  const oneWordSlip = n >= 5 && missing.length === 1 && !isNumberToken(missing[0]!)
  const wordExtras = extra.filter((t) => !isNumberToken(t))
  const substituted = oneWordSlip && wordExtras.length > 0 ? 1 : 0
  if (missing.length > 0) score = oneWordSlip ? 0.8 : Math.min(0.5, 0.5 * (n - missing.length) / n)
  score -= fuzzy.length * 0.1
  score -= (wordExtras.length - substituted) * (n >= 4 ? 0.2 : 0.3)
  score -= Math.min(0.2, extraInBrackets.filter((t) => !isNumberToken(t)).length * 0.05)
  score -= Math.min(0.1, missingOptional.filter((t) => !isNumberToken(t)).length * 0.05)
  if (missingVersion.length > 0) score = Math.min(score, 0.5)
  if (numberConflict) score = Math.min(score, 0.3)
  return {
    score: Math.max(0, Math.min(1, score)),
    missing: [...missing, ...missingVersion],
    fuzzy,
    extra, extraInBrackets, numberConflict, artistInTitle, albumInTitle, prefix
  }
}

interface TitleRun {
  readonly match: TitleMatch
  /** File-name segments outside the title part. */
  readonly context: ReadonlyArray<string>
}

/** Tries every run of up to four dash-separated segments of the file name, with and without a track number. */
const bestTitleRun = (w: WantedAnalysis, stem: string, folderTokens: ReadonlyArray<string>): TitleRun => {
  const segments = splitSegments(stripCopyMarker(stem))
  let best: TitleRun | null = null
  let bestLength = Infinity
  for (let i = 0; i < segments.length; i++) {
    for (let j = i; j < Math.min(segments.length, i + 4); j++) {
      const text = segments.slice(i, j + 1).join(" - ")
      const prefix = parseTrackPrefix(text)
      const variants: Array<TitleMatch> = [matchTitle(w, text, null, folderTokens)]
      if (prefix) variants.push(matchTitle(w, prefix.rest, prefix, folderTokens))
      for (const m of variants) {
        const better = best === null || m.score > best.match.score + 1e-9
          || (Math.abs(m.score - best.match.score) < 1e-9 && j - i + 1 < bestLength)
        if (better) {
          best = { match: m, context: [...segments.slice(0, i), ...segments.slice(j + 1)] }
          bestLength = j - i + 1
        }
      }
    }
  }
  return best ?? { match: matchTitle(w, stem, null, folderTokens), context: [] }
}

// ---------------------------------------------------------------------------------------------
// Candidate

export interface Ranked {
  readonly username: string
  readonly filename: string
  readonly size: number
  /** 0-100. */
  readonly score: number
  readonly accepted: boolean
  readonly reasons: ReadonlyArray<string>
  readonly format: AudioFormat | null
  readonly bitRate: number | null
  readonly bitDepth: number | null
  readonly sampleRate: number | null
  /** Seconds, as the peer reported it. */
  readonly length: number | null
  readonly locked: boolean
  /** The components, each 0-1. */
  readonly identity: number
  readonly quality: number
  readonly availability: number
  readonly hasFreeUploadSlot: boolean
  readonly queueLength: number
  readonly uploadSpeed: number
}

export interface ScoreContext {
  readonly profile: QualityProfile
  /** Lower-cased user names never to download from. */
  readonly blockedUsers: ReadonlySet<string>
}

const kb = (bytes: number) => bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.round(bytes / 1000)} KB`
const speedText = (bps: number) => `${kb(bps)}/s`
const quote = (s: string) => `"${s}"`

interface QualityResult {
  readonly score: number
  readonly reasons: ReadonlyArray<string>
  readonly rejections: ReadonlyArray<string>
  readonly bitRate: number | null
}

/** Format, bitrate, depth, rate and size against the profile, plus the fake-file checks. */
export const evaluateQuality = (
  file: PeerFile,
  format: AudioFormat,
  profile: QualityProfile,
  wantedSeconds: number | null
): QualityResult => {
  const reasons: Array<string> = []
  const rejections: Array<string> = []
  const label = FORMAT_LABEL[format]
  const index = profile.formats.indexOf(format)
  if (index < 0) rejections.push(`${label} is not allowed by the "${profile.name}" profile`)
  const seconds = file.length !== undefined && file.length > 0 ? file.length : wantedSeconds
  const assumed = file.length === undefined || file.length <= 0
  let detail = 1
  let bitRate: number | null = file.bitRate ?? null

  if (isLossless(format)) {
    const depth = file.bitDepth
    const rate = file.sampleRate
    const spec = [depth !== undefined ? `${depth}-bit` : null, rate !== undefined ? `${rate / 1000} kHz` : null].filter(Boolean).join(" ")
    reasons.push(`${label}${spec ? ` ${spec}` : ""}`)
    if (depth !== undefined && profile.maxBitDepth !== null && depth > profile.maxBitDepth) rejections.push(`${depth}-bit is above the profile's ${profile.maxBitDepth}-bit limit`)
    if (depth !== undefined && profile.minBitDepth !== null && depth < profile.minBitDepth) rejections.push(`${depth}-bit is below the profile's ${profile.minBitDepth}-bit minimum`)
    if (profile.minLosslessBytesPerSecond !== null) {
      const floorKbps = profile.minLosslessBytesPerSecond * 8 / 1000
      if (seconds !== null && file.size > 0) {
        const perSecond = file.size / seconds
        bitRate = Math.round(perSecond * 8 / 1000)
        if (perSecond < profile.minLosslessBytesPerSecond) {
          rejections.push(`suspicious: ${kb(file.size)} for ${formatDuration(seconds)} is only ${bitRate} kbps, too small for real ${label} (a lossy file in disguise?)`)
        }
      } else if (file.bitRate !== undefined && file.bitRate > 0 && file.bitRate < floorKbps) {
        rejections.push(`suspicious: ${label} reported at ${file.bitRate} kbps (real ${label} is far above ${Math.round(floorKbps)} kbps)`)
      }
      if (assumed && seconds !== null) reasons.push("length unknown: size checked against the wanted length")
    }
  } else {
    const vbr = file.isVariableBitRate === true
    let estimated = false
    if (bitRate === null && seconds !== null && file.size > 0) {
      bitRate = Math.round(file.size * 8 / seconds / 1000)
      estimated = true
    }
    if (bitRate === null) {
      reasons.push(`${label}, bitrate unknown`)
      detail = 0.4
    } else {
      reasons.push(`${label} ${estimated ? "~" : ""}${bitRate} kbps${vbr ? " VBR" : ""}${estimated ? " (estimated from size)" : ""}`)
      if (profile.minBitRate !== null) {
        const min = profile.minBitRate * (vbr || estimated ? profile.vbrFactor : 1)
        if (bitRate < min) rejections.push(`${bitRate} kbps is below the profile's ${profile.minBitRate} kbps`)
      }
      if (profile.maxBitRate !== null && !estimated && bitRate > profile.maxBitRate) {
        rejections.push(`${bitRate} kbps is above the profile's ${profile.maxBitRate} kbps`)
      }
      if (!vbr && !estimated && profile.bitrateSizeTolerance !== null && file.length !== undefined && file.length > 0) {
        const needed = bitRate * 125 * file.length
        if (file.size < needed * profile.bitrateSizeTolerance) {
          const real = Math.round(file.size * 8 / file.length / 1000)
          rejections.push(`suspicious: claims ${bitRate} kbps but ${kb(file.size)} for ${formatDuration(file.length)} is about ${real} kbps`)
        }
      }
      detail = vbr && bitRate >= 220 ? 0.97 : Math.min(1, bitRate / 320)
      if (estimated) detail *= 0.9
    }
  }
  if (file.sampleRate !== undefined) {
    if (profile.maxSampleRate !== null && file.sampleRate > profile.maxSampleRate) rejections.push(`${file.sampleRate / 1000} kHz is above the profile's limit`)
    if (profile.minSampleRate !== null && file.sampleRate < profile.minSampleRate) rejections.push(`${file.sampleRate / 1000} kHz is below the profile's minimum`)
  }
  if (profile.minSize !== null && file.size < profile.minSize) rejections.push(`${kb(file.size)} is smaller than the profile allows`)
  if (profile.maxSize !== null && file.size > profile.maxSize) rejections.push(`${kb(file.size)} is larger than the profile allows`)
  if (index >= 0 && reasons[0] !== undefined) {
    reasons[0] = `${reasons[0]} (${index === 0 ? "preferred format" : `format choice ${index + 1} of ${profile.formats.length}`})`
  }
  const formatScore = index < 0 ? 0 : 1 - index / profile.formats.length
  return { score: 0.65 * formatScore + 0.35 * detail, reasons, rejections, bitRate }
}

/** Duration tolerance: 10 s, or 8 % of the wanted length when that is less, but never under 3 s. */
export const durationTolerance = (wantedSeconds: number): number => Math.min(10, Math.max(3, wantedSeconds * 0.08))

const availabilityOf = (peer: PeerResponse): { score: number; reasons: ReadonlyArray<string> } => {
  const free = peer.hasFreeUploadSlot
  const queue = Math.max(0, peer.queueLength)
  const speed = Math.max(0, peer.uploadSpeed)
  const score = 0.5 * (free ? 1 : 0) + 0.3 / (1 + queue / 10) + 0.2 * Math.min(1, speed / 2_000_000)
  return {
    score,
    reasons: [free ? "free upload slot" : `no free upload slot, ${queue} queued`, `upload speed ${speedText(speed)}`]
  }
}

/**
 * A file-name segment that is not the title, a number, noise, the album or a folder's name:
 * typically another artist ("Etta James - At Last.mp3" in a "Beyonce" folder).
 */
const otherNameInFileName = (
  w: WantedAnalysis,
  context: ReadonlyArray<string>,
  folders: ReadonlyArray<string>
): string | undefined => {
  const folderTokenLists = folders.map((f) => tokens(f))
  return context.find((segment) => {
    const ts = tokens(stripFeaturing(segment).text)
    if (w.featured.some((f) => containsTokens(ts, f))) return false
    const words = ts.filter((t) => !isNoiseWord(t) && !isNumberToken(t) && !VERSION_WORDS.has(t) && !/^\d+(?:st|nd|rd|th)$/.test(t))
    if (words.length === 0) return false
    if (w.album !== null && containsTokens(ts, w.album)) return false
    return !folderTokenLists.some((f) => containsTokens(f, words))
  })
}

export interface FileContext {
  readonly peer: PeerResponse
  readonly file: PeerFile
  /** Listed in the peer's lockedFiles (slskd's isLocked is always false). */
  readonly locked: boolean
}

/**
 * Scores one file. Returns null for companion files (cover art, logs, playlists), which are
 * not candidates at all.
 */
export const scoreFile = (w: WantedAnalysis, { peer, file, locked }: FileContext, ctx: ScoreContext): Ranked | null => {
  const path: RemotePath = parseRemotePath(file.filename)
  const extension = path.extension !== "" ? path.extension : (file.extension ?? "").toLowerCase().replace(/^\./, "")
  if (COMPANION_EXTENSIONS.has(extension)) return null

  const rejections: Array<string> = []
  const evidence: Array<string> = []
  if (ctx.blockedUsers.has(peer.username.toLowerCase())) rejections.push(`user ${quote(peer.username)} is blocklisted`)
  if (locked) rejections.push("locked: the peer does not share this file with you")

  // format and quality
  const format = formatOf(extension, file)
  let quality: QualityResult = { score: 0, reasons: [], rejections: [], bitRate: file.bitRate ?? null }
  if (format === null) rejections.push(extension === "" ? "not an audio file (no extension)" : `not an audio file (.${extension})`)
  else quality = evaluateQuality(file, format, ctx.profile, w.durationSec)
  rejections.push(...quality.rejections)

  // versions
  const folders = path.folders.filter((f) => !isGenericFolder(f))
  for (const v of unwantedVersions(w.versions, path.stem, folders)) {
    rejections.push(`${VERSION_LABEL[v.kind]} (${v.where === "file name" ? "named in the file name" : `named by ${v.where}`})`)
  }
  if (w.titleVersions.size > 0) {
    const named = versionCounts([path.stem, ...folders].join(" "))
    for (const [kind, n] of w.titleVersions) {
      if ((named.get(kind) ?? 0) < n) rejections.push(`the wanted track is a ${VERSION_LABEL[kind]}; this file does not say it is one`)
    }
  }

  // title
  const folderTokens = folders.flatMap((f) => tokens(f))
  const run = bestTitleRun(w, path.stem, folderTokens)
  const t = run.match
  if (t.numberConflict) {
    const found = t.numberConflict.found.length > 0 ? t.numberConflict.found.join(", ") : "none"
    const wanted = t.numberConflict.wanted.length > 0 ? t.numberConflict.wanted.join(", ") : "none"
    rejections.push(`a different part or number in the title (file: ${found}, wanted: ${wanted})`)
  }
  if (t.score < MIN_TITLE_SCORE) {
    if (t.missing.length > 0) rejections.push(`title does not match (missing: ${t.missing.join(" ")})`)
    else if (t.extra.length > 0) rejections.push(`title does not match (extra words: ${t.extra.join(" ")})`)
    else if (!t.numberConflict) rejections.push("title does not match")
  } else {
    const notes = [
      t.missing.length > 0 ? `missing: ${t.missing.join(" ")}` : null,
      t.fuzzy.length > 0 ? `spelled differently: ${t.fuzzy.join(", ")}` : null,
      t.extra.length > 0 ? `extra: ${t.extra.join(" ")}` : null,
      t.extraInBrackets.length > 0 ? `in brackets: ${t.extraInBrackets.join(" ")}` : null
    ].filter(Boolean)
    evidence.push(notes.length === 0 ? "title matches ✓" : `title matches (${notes.join("; ")})`)
  }

  // artist
  let artistScore = 0.5
  if (w.artistKnown) {
    const credit = (i: number) => i === 0 ? "artist" : i === 1 && w.artists.length > 1 ? "first credited artist" : "a credited artist"
    const scoreOf = (i: number) => i === 0 ? 1 : i === 1 ? 0.9 : 0.7
    let found: { index: number; where: string } | null = t.artistInTitle >= 0 ? { index: t.artistInTitle, where: "the file name" } : null
    const consider = (index: number, where: string) => {
      if (found === null || index < found.index) found = { index, where }
    }
    const contextTokens = tokens(run.context.join(" "))
    w.artists.forEach((a, i) => {
      if (containsTokens(contextTokens, a) || containsTokens(contextTokens, ["the", ...a])) consider(i, "the file name")
    })
    for (const folder of [...folders].reverse()) {
      const ft = tokens(folder)
      w.artists.forEach((a, i) => {
        if (containsTokens(ft, a) || containsTokens(ft, ["the", ...a])) consider(i, `folder ${quote(folder)}`)
      })
    }
    const f = found as { index: number; where: string } | null
    if (f === null) {
      artistScore = 0
      rejections.push("artist not found in the path")
    } else {
      artistScore = scoreOf(f.index)
      evidence.push(`${credit(f.index)} found in ${f.where} ✓`)
      const someoneElse = f.where === "the file name" ? undefined : otherNameInFileName(w, run.context, folders)
      if (someoneElse !== undefined) {
        rejections.push(`the file name names ${quote(someoneElse)}, not the artist (who is only in a folder name)`)
      }
    }
  } else {
    evidence.push("artist unknown: matched on title only")
  }

  // album
  let albumScore = 0.5
  if (w.album !== null) {
    const album = w.album
    const where = t.albumInTitle
      ? "the file name"
      : containsTokens(tokens(run.context.join(" ")), album)
        ? "the file name"
        : folders.map((f) => containsTokens(tokens(f), album) ? `folder ${quote(f)}` : null).find((x) => x !== null) ?? null
    if (where) {
      albumScore = 1
      evidence.push(`album found in ${where}`)
    } else {
      albumScore = 0.3
      evidence.push("album not named in the path")
    }
  }

  // duration
  let durationScore = 0.5
  if (w.durationSec !== null) {
    const want = w.durationSec
    const tolerance = durationTolerance(want)
    if (file.length !== undefined && file.length > 0) {
      const diff = Math.abs(file.length - want)
      const text = `duration ${formatDuration(file.length)} vs ${formatDuration(want)}`
      if (diff > tolerance) {
        rejections.push(`${text}, ${Math.round(diff)} s off (more than ${Math.round(tolerance)} s)`)
        durationScore = 0
      } else {
        durationScore = diff <= 1.5 ? 1 : 1 - (diff - 1.5) / tolerance
        evidence.push(`${text} ✓`)
      }
    } else if (format !== null && !isLossless(format) && file.bitRate !== undefined && file.bitRate > 0) {
      // CBR size gives the length; VBR averages and cover art make it rough, and art only ever adds bytes
      const est = file.size * 8 / (file.bitRate * 1000)
      if (est < want - Math.max(15, want * 0.1)) {
        rejections.push(`estimated duration ${formatDuration(est)} (from size and bitrate) vs ${formatDuration(want)}: too short`)
        durationScore = 0
      } else {
        durationScore = 0.5
        evidence.push(`length unknown (about ${formatDuration(est)} from size and bitrate)`)
      }
    } else {
      evidence.push("length unknown")
    }
  }

  if (t.fuzzy.length > 0 && t.score >= MIN_TITLE_SCORE && durationScore < 0.8) {
    rejections.push(`title only matches with a spelling difference (${t.fuzzy.join(", ")}) and the length cannot confirm it`)
  }

  // track number
  let trackScore = 0.5
  const fileTrack = t.prefix?.track ?? parseTrackPrefix(path.stem)?.track ?? null
  const wantTrack = w.track.trackNumber ?? null
  if (wantTrack !== null && fileTrack !== null) {
    trackScore = fileTrack === wantTrack ? 1 : 0.3
    evidence.push(fileTrack === wantTrack ? `track number ${fileTrack} ✓` : `track number ${fileTrack} (wanted ${wantTrack})`)
  }

  const identity = 0.5 * t.score + 0.2 * artistScore + 0.2 * durationScore + 0.07 * albumScore + 0.03 * trackScore
  if (rejections.length === 0 && identity < MIN_IDENTITY) rejections.push(`too little evidence that this is the wanted track (identity ${Math.round(identity * 100)} %)`)
  const availability = availabilityOf(peer)
  const score = Math.round((WEIGHTS.identity * identity + WEIGHTS.quality * quality.score + WEIGHTS.availability * availability.score) * 10) / 10
  const accepted = rejections.length === 0
  return {
    username: peer.username,
    filename: file.filename,
    size: file.size,
    score,
    accepted,
    reasons: [...rejections.map((r) => `rejected: ${r}`), ...evidence, ...quality.reasons, ...availability.reasons],
    format,
    bitRate: quality.bitRate,
    bitDepth: file.bitDepth ?? null,
    sampleRate: file.sampleRate ?? null,
    length: file.length ?? null,
    locked,
    identity: Math.round(identity * 1000) / 1000,
    quality: Math.round(quality.score * 1000) / 1000,
    availability: Math.round(availability.score * 1000) / 1000,
    hasFreeUploadSlot: peer.hasFreeUploadSlot,
    queueLength: peer.queueLength,
    uploadSpeed: peer.uploadSpeed
  }
}
