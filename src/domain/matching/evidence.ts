/**
 * The identity evidence for one file, one function per kind: version, title, artist, album,
 * duration and track number. Each returns its score (0-1, 0.5 when there is nothing to compare),
 * the evidence a user reads and the reasons to reject the file. Pure functions.
 */
import { formatDuration, isNumberToken, parseTrackPrefix, stripFeaturing, tokens } from "./normalise.js"
import { type AudioFormat, isLossless } from "./profiles.js"
import { containsTokens, isNoiseWord, MIN_TITLE_SCORE, type TitleMatch, type TitleRun } from "./title.js"
import type { PeerFile } from "./types.js"
import { unwantedVersions, VERSION_LABEL, VERSION_WORDS, versionCounts } from "./versions.js"
import type { WantedAnalysis } from "./wanted.js"

export interface Verdict {
  readonly evidence: ReadonlyArray<string>
  readonly rejections: ReadonlyArray<string>
}

export interface Section extends Verdict {
  readonly score: number
}

const quote = (s: string) => `"${s}"`

/**
 * Versions (live, remix, edit…): a file is not the wanted recording when its file name or any
 * of its folders names a version the request does not name. A version word in a folder name
 * applies to every file in that folder ("Live at Wembley", "Instrumentals", "Nevermind
 * (Clean)"); and when the title asks for a version, the file name or a folder must say it.
 */
export const versionVerdict = (w: WantedAnalysis, stem: string, folders: ReadonlyArray<string>): Verdict => {
  const rejections: Array<string> = []
  for (const v of unwantedVersions(w.versions, stem, folders)) {
    rejections.push(`${VERSION_LABEL[v.kind]} (${v.where === "file name" ? "named in the file name" : `named by ${v.where}`})`)
  }
  if (w.titleVersions.size > 0) {
    const named = versionCounts([stem, ...folders].join(" "))
    for (const [kind, n] of w.titleVersions) {
      if ((named.get(kind) ?? 0) < n) rejections.push(`the wanted track is a ${VERSION_LABEL[kind]}; this file does not say it is one`)
    }
  }
  return { evidence: [], rejections }
}

/** The title: matched well enough, or why not (a different part number, missing or extra words). */
export const titleSection = (t: TitleMatch): Section => {
  const rejections: Array<string> = []
  const evidence: Array<string> = []
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
  return { score: t.score, evidence, rejections }
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

const namesArtist = (ts: ReadonlyArray<string>, artist: ReadonlyArray<string>) =>
  containsTokens(ts, artist) || containsTokens(ts, ["the", ...artist])

/**
 * The artist, named in the file name or a folder: the whole credit scores 1, the first credited
 * name 0.9, another credited name 0.7. Found only in a folder while the file name names someone
 * else, the file is another artist's (a compilation folder named after the wanted artist).
 */
export const artistSection = (w: WantedAnalysis, run: TitleRun, folders: ReadonlyArray<string>): Section => {
  if (!w.artistKnown) return { score: 0.5, evidence: ["artist unknown: matched on title only"], rejections: [] }
  let found: { index: number; where: string } | null = run.match.artistInTitle >= 0
    ? { index: run.match.artistInTitle, where: "the file name" }
    : null
  const consider = (index: number, where: string) => {
    if (found === null || index < found.index) found = { index, where }
  }
  const contextTokens = tokens(run.context.join(" "))
  w.artists.forEach((a, i) => {
    if (namesArtist(contextTokens, a)) consider(i, "the file name")
  })
  for (const folder of [...folders].reverse()) {
    const ft = tokens(folder)
    w.artists.forEach((a, i) => {
      if (namesArtist(ft, a)) consider(i, `folder ${quote(folder)}`)
    })
  }
  const f = found as { index: number; where: string } | null
  if (f === null) return { score: 0, evidence: [], rejections: ["artist not found in the path"] }
  const credit = f.index === 0 ? "artist" : f.index === 1 && w.artists.length > 1 ? "first credited artist" : "a credited artist"
  const someoneElse = f.where === "the file name" ? undefined : otherNameInFileName(w, run.context, folders)
  return {
    score: f.index === 0 ? 1 : f.index === 1 ? 0.9 : 0.7,
    evidence: [`${credit} found in ${f.where} ✓`],
    rejections: someoneElse === undefined ? [] : [`the file name names ${quote(someoneElse)}, not the artist (who is only in a folder name)`]
  }
}

/** The album, in the file name or a folder: supporting evidence only, never a reason to reject. */
export const albumSection = (w: WantedAnalysis, run: TitleRun, folders: ReadonlyArray<string>): Section => {
  const album = w.album
  if (album === null) return { score: 0.5, evidence: [], rejections: [] }
  const where = run.match.albumInTitle || containsTokens(tokens(run.context.join(" ")), album)
    ? "the file name"
    : folders.map((f) => containsTokens(tokens(f), album) ? `folder ${quote(f)}` : null).find((x) => x !== null) ?? null
  return where
    ? { score: 1, evidence: [`album found in ${where}`], rejections: [] }
    : { score: 0.3, evidence: ["album not named in the path"], rejections: [] }
}

/** Duration tolerance: 10 s, or 8 % of the wanted length when that is less, but never under 3 s. */
export const durationTolerance = (wantedSeconds: number): number => Math.min(10, Math.max(3, wantedSeconds * 0.08))

/**
 * The length against the wanted length: off by more than the tolerance rejects. Without a
 * length, a lossy file's size and bitrate give an estimate that can only reject a file far too short.
 */
export const durationSection = (w: WantedAnalysis, file: PeerFile, format: AudioFormat | null): Section => {
  const want = w.durationSec
  if (want === null) return { score: 0.5, evidence: [], rejections: [] }
  const tolerance = durationTolerance(want)
  if (file.length !== undefined && file.length > 0) {
    const diff = Math.abs(file.length - want)
    const text = `duration ${formatDuration(file.length)} vs ${formatDuration(want)}`
    return diff > tolerance
      ? { score: 0, evidence: [], rejections: [`${text}, ${Math.round(diff)} s off (more than ${Math.round(tolerance)} s)`] }
      : { score: diff <= 1.5 ? 1 : 1 - (diff - 1.5) / tolerance, evidence: [`${text} ✓`], rejections: [] }
  }
  if (format !== null && !isLossless(format) && file.bitRate !== undefined && file.bitRate > 0) {
    // CBR size gives the length; VBR averages and cover art make it rough, and art only ever adds bytes
    const est = file.size * 8 / (file.bitRate * 1000)
    return est < want - Math.max(15, want * 0.1)
      ? { score: 0, evidence: [], rejections: [`estimated duration ${formatDuration(est)} (from size and bitrate) vs ${formatDuration(want)}: too short`] }
      : { score: 0.5, evidence: [`length unknown (about ${formatDuration(est)} from size and bitrate)`], rejections: [] }
  }
  return { score: 0.5, evidence: ["length unknown"], rejections: [] }
}

/** The track number in the file name against the wanted one: a small tie-breaker, never a reason to reject. */
export const trackNumberSection = (w: WantedAnalysis, t: TitleMatch, stem: string): Section => {
  const fileTrack = t.prefix?.track ?? parseTrackPrefix(stem)?.track ?? null
  const wantTrack = w.track.trackNumber ?? null
  if (wantTrack === null || fileTrack === null) return { score: 0.5, evidence: [], rejections: [] }
  return fileTrack === wantTrack
    ? { score: 1, evidence: [`track number ${fileTrack} ✓`], rejections: [] }
    : { score: 0.3, evidence: [`track number ${fileTrack} (wanted ${wantTrack})`], rejections: [] }
}

/** A title matched only through a spelling difference needs the length to confirm it. */
export const spellingVerdict = (t: TitleMatch, duration: Section): Verdict => ({
  evidence: [],
  rejections: t.fuzzy.length > 0 && t.score >= MIN_TITLE_SCORE && duration.score < 0.8
    ? [`title only matches with a spelling difference (${t.fuzzy.join(", ")}) and the length cannot confirm it`]
    : []
})
