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
 *
 * Identity = 0.5 × title + 0.2 × artist + 0.2 × duration + 0.07 × album + 0.03 × track number,
 * each section scored in evidence.ts; quality and availability are scored in quality.ts.
 */
import { isGenericFolder, parseRemotePath, tokens, type RemotePath } from "./normalise.js"
import {
  albumSection, artistSection, durationSection, spellingVerdict, titleSection, trackNumberSection, versionVerdict
} from "./evidence.js"
import { COMPANION_EXTENSIONS, formatOf, type AudioFormat, type QualityProfile } from "./profiles.js"
import { availabilityOf, evaluateQuality, type QualityResult } from "./quality.js"
import { bestTitleRun } from "./title.js"
import type { PeerFile, PeerResponse } from "./types.js"
import type { WantedAnalysis } from "./wanted.js"

export { analyseWanted, type WantedAnalysis, type WantedTrack } from "./wanted.js"

export const WEIGHTS = { identity: 55, quality: 35, availability: 10 } as const
export const MIN_IDENTITY = 0.6

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

export interface FileContext {
  readonly peer: PeerResponse
  readonly file: PeerFile
  /** Listed in the peer's lockedFiles (slskd's isLocked is always false). */
  readonly locked: boolean
}

const quote = (s: string) => `"${s}"`

/**
 * Scores one file. Returns null for companion files (cover art, logs, playlists), which are
 * not candidates at all.
 */
export const scoreFile = (w: WantedAnalysis, { peer, file, locked }: FileContext, ctx: ScoreContext): Ranked | null => {
  const path: RemotePath = parseRemotePath(file.filename)
  const extension = path.extension !== "" ? path.extension : (file.extension ?? "").toLowerCase().replace(/^\./, "")
  if (COMPANION_EXTENSIONS.has(extension)) return null

  const gates: Array<string> = []
  if (ctx.blockedUsers.has(peer.username.toLowerCase())) gates.push(`user ${quote(peer.username)} is blocklisted`)
  if (locked) gates.push("locked: the peer does not share this file with you")
  const format = formatOf(extension, file)
  let quality: QualityResult = { score: 0, reasons: [], rejections: [], bitRate: file.bitRate ?? null }
  if (format === null) gates.push(extension === "" ? "not an audio file (no extension)" : `not an audio file (.${extension})`)
  else quality = evaluateQuality(file, format, ctx.profile, w.durationSec)

  const folders = path.folders.filter((f) => !isGenericFolder(f))
  const run = bestTitleRun(w, path.stem, folders.flatMap((f) => tokens(f)))
  const title = titleSection(run.match)
  const artist = artistSection(w, run, folders)
  const album = albumSection(w, run, folders)
  const duration = durationSection(w, file, format)
  const track = trackNumberSection(w, run.match, path.stem)
  const verdicts = [
    { evidence: [], rejections: [...gates, ...quality.rejections] }, versionVerdict(w, path.stem, folders),
    title, artist, album, duration, spellingVerdict(run.match, duration), track
  ]
  const rejections = verdicts.flatMap((v) => v.rejections)
  const evidence = verdicts.flatMap((v) => v.evidence)

  const identity = 0.5 * title.score + 0.2 * artist.score + 0.2 * duration.score + 0.07 * album.score + 0.03 * track.score
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
