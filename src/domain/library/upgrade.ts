/**
 * Whether a new file may replace the library's copy of the same track: only a strict quality
 * upgrade under the download's profile, and only when upgrades are on. Pure.
 *
 * The profile's own order decides, tier by tier:
 * 1. a file the profile accepts beats one it rejects (an MP3 under `lossless`, a 128 kbps MP3
 *    under `balanced`, a 24-bit FLAC under a profile with `maxBitDepth: 16`);
 * 2. then the position of the format in the profile's `formats` (earlier is better);
 * 3. then, for two lossy files of the same format, the bitrate: higher by at least
 *    `BITRATE_MARGIN`, counted up to 320 kbps (the profile scores every lossy file from 320 kbps
 *    alike, and a 320 CBR against a V0 is not worth a swap). Two lossless files of one format are
 *    equal: the profile only tells bit depths apart through its limits (tier 1).
 * A file of unknown format or quality is never replaced: what cannot be judged is kept.
 */
import { FORMAT_LABEL, isLossless, type AudioFormat, type QualityProfile } from "../matching/profiles.js"
import { evaluateQuality } from "../matching/quality.js"

export interface FileQuality {
  /** null when the file is not readable audio of a known format. */
  readonly format: AudioFormat | null
  /** kbps. */
  readonly bitRate: number | null
  readonly bitDepth: number | null
  readonly sampleRate: number | null
  readonly size: number
  readonly durationMs: number | null
}

/** A reader's view of a file (format as the importer names it: flac mp3 m4a ogg opus wav aiff). */
export interface ProbedFile {
  readonly format: string
  readonly lossless: boolean
  readonly durationMs: number | null
  readonly sampleRate: number | null
  /** bits per second. */
  readonly bitrate: number | null
  readonly bitDepth: number | null
}

const PROBED: Readonly<Record<string, AudioFormat>> = { flac: "flac", mp3: "mp3", ogg: "ogg", opus: "opus", wav: "wav", aiff: "aiff" }

/** The quality of a file as the profile sees it; `null` probe = unreadable. */
export const qualityOf = (probe: ProbedFile | null, size: number): FileQuality => {
  const format = probe === null ? null : probe.format === "m4a" ? (probe.lossless ? "alac" : "aac") : PROBED[probe.format] ?? null
  return {
    format, size,
    bitRate: probe?.bitrate == null || probe.lossless ? null : Math.round(probe.bitrate / 1000),
    bitDepth: probe?.bitDepth ?? null, sampleRate: probe?.sampleRate ?? null, durationMs: probe?.durationMs ?? null
  }
}

export type ReplaceDecision =
  | { readonly _tag: "Upgrade"; readonly detail: string }
  | { readonly _tag: "Keep"; readonly detail: string }

/** The new lossy file needs this much more bitrate than the old one of the same format. */
export const BITRATE_MARGIN = 1.1
const LOSSY_CEILING = 320

export const describeQuality = (q: FileQuality): string => {
  if (q.format === null) return "an unreadable file"
  const label = FORMAT_LABEL[q.format]
  if (isLossless(q.format)) {
    const spec = [q.bitDepth !== null ? `${q.bitDepth}-bit` : null, q.sampleRate !== null ? `${q.sampleRate / 1000} kHz` : null].filter(Boolean).join(" ")
    return spec === "" ? label : `${label} ${spec}`
  }
  return q.bitRate === null ? label : `${label} ${q.bitRate} kbps`
}

/** The profile's rejections of a file, as the matcher would judge it. */
const rejections = (q: FileQuality & { readonly format: AudioFormat }, profile: QualityProfile) =>
  evaluateQuality({
    filename: "", size: q.size,
    ...(q.bitRate !== null ? { bitRate: q.bitRate } : {}),
    ...(q.bitDepth !== null ? { bitDepth: q.bitDepth } : {}),
    ...(q.sampleRate !== null ? { sampleRate: q.sampleRate } : {}),
    ...(q.durationMs !== null ? { length: q.durationMs / 1000 } : {}),
    // a reader's bitrate is the stream's average: judge it as VBR so a V0 is not refused
    isVariableBitRate: true
  }, q.format, profile, null).rejections

const position = (f: AudioFormat, profile: QualityProfile) => {
  const i = profile.formats.indexOf(f)
  return i < 0 ? Number.MAX_SAFE_INTEGER : i
}

export const decideReplace = (existing: FileQuality, incoming: FileQuality, profile: QualityProfile, upgradesOn: boolean): ReplaceDecision => {
  const old = describeQuality(existing)
  const neu = describeQuality(incoming)
  const keep = (why: string): ReplaceDecision => ({ _tag: "Keep", detail: why })
  const upgrade = (why: string): ReplaceDecision => ({ _tag: "Upgrade", detail: `${neu} replaces ${old}: ${why}` })
  if (existing.format === null) return keep("the existing file could not be read, so it is kept")
  if (incoming.format === null) return keep(`the new file could not be read (the existing file is ${old})`)
  const e = existing as FileQuality & { format: AudioFormat }
  const n = incoming as FileQuality & { format: AudioFormat }
  const oldOk = rejections(e, profile).length === 0
  const newOk = rejections(n, profile).length === 0
  let verdict: ReplaceDecision | null = null
  if (newOk && !oldOk) verdict = upgrade(`the "${profile.name}" profile refuses ${old}`)
  else if (!newOk) return keep(`the existing file is ${old}; the new file (${neu}) is not what the "${profile.name}" profile asks for either`)
  else if (position(n.format, profile) < position(e.format, profile)) verdict = upgrade(`the "${profile.name}" profile prefers ${FORMAT_LABEL[n.format]} to ${FORMAT_LABEL[e.format]}`)
  else if (position(n.format, profile) > position(e.format, profile)) return keep(`the existing file (${old}) is better than the new one (${neu}) under the "${profile.name}" profile`)
  else if (!isLossless(n.format) && e.bitRate !== null && n.bitRate !== null
    && Math.min(n.bitRate, LOSSY_CEILING) >= Math.min(e.bitRate, LOSSY_CEILING) * BITRATE_MARGIN) {
    verdict = upgrade(`a higher bitrate of the same format`)
  } else return keep(`the existing file (${old}) is as good as the new one (${neu}) under the "${profile.name}" profile`)
  return upgradesOn ? verdict : keep(`the new file (${neu}) would be an upgrade over ${old}, but quality upgrades are off (import.upgrade)`)
}
