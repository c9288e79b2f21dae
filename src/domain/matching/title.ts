/**
 * Finding the wanted title in a file name: which words match, which are missing or extra, and
 * what else the file name holds (artist, album, a track number). Pure functions.
 */
import {
  BITRATE_TOKENS, isAlwaysNoiseToken, isNoiseGroup, isNumberToken, isYearToken, NOISE_WORDS, parseTrackPrefix,
  splitBrackets, splitSegments, stripCopyMarker, stripFeaturing, tokens, type TrackPrefix
} from "./normalise.js"
import { versionCounts, VERSION_WORDS } from "./versions.js"
import { VERSION_STOPWORDS, type WantedAnalysis } from "./wanted.js"

/** A title scoring below this does not match (every word present, at most one slip in a long title). */
export const MIN_TITLE_SCORE = 0.75

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

const NUMBERING_CONTEXT = new Set(["track", "disc", "disk", "cd", "side"])

/** A word that says nothing about which song a file is. */
export const isNoiseWord = (t: string): boolean =>
  (NOISE_WORDS.has(t) && !isNumberToken(t)) || isAlwaysNoiseToken(t) || isYearToken(t) || BITRATE_TOKENS.has(t)
  || NUMBERING_CONTEXT.has(t)

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

export interface TitleRun {
  readonly match: TitleMatch
  /** File-name segments outside the title part. */
  readonly context: ReadonlyArray<string>
}

/** Tries every run of up to four dash-separated segments of the file name, with and without a track number. */
export const bestTitleRun = (w: WantedAnalysis, stem: string, folderTokens: ReadonlyArray<string>): TitleRun => {
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
