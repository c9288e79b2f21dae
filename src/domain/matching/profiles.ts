/**
 * Quality profiles: plain data (a Schema.Struct), so they can be stored, edited and shown.
 *
 * Decisions:
 * - A format that is not in `formats` is rejected; the order of `formats` is the preference.
 * - `space-saver` rejects lossless files outright (it exists to save space; a FLAC "fallback"
 *   would quietly fill the disk). Use `balanced` or `any` to take whatever exists.
 * - Bitrate limits apply to lossy files. VBR files report an average (LAME V0 averages about
 *   220-260 kbps), so a VBR file needs only `vbrFactor` × `minBitRate`.
 * - Suspicious files are rejected, not just penalised: a lossless file smaller than
 *   `minLosslessBytesPerSecond` per second of audio is a renamed or transcoded lossy file
 *   (a 320 kbps MP3 is 40 000 B/s; real CD-quality FLAC is 50 000-110 000 B/s), and a lossy file
 *   whose size is below `bitrateSizeTolerance` × what its claimed constant bitrate needs is lying
 *   about its bitrate.
 */
import { Option, Schema } from "effect"

export const AudioFormat = Schema.Literal("flac", "alac", "wav", "aiff", "ape", "wv", "mp3", "aac", "ogg", "opus", "wma")
export type AudioFormat = typeof AudioFormat.Type

export const LOSSLESS_FORMATS: ReadonlySet<AudioFormat> = new Set(["flac", "alac", "wav", "aiff", "ape", "wv"])
export const isLossless = (f: AudioFormat): boolean => LOSSLESS_FORMATS.has(f)

export const FORMAT_LABEL: Readonly<Record<AudioFormat, string>> = {
  flac: "FLAC", alac: "ALAC", wav: "WAV", aiff: "AIFF", ape: "APE", wv: "WavPack",
  mp3: "MP3", aac: "AAC", ogg: "Ogg Vorbis", opus: "Opus", wma: "WMA"
}

const NullableNumber = Schema.NullOr(Schema.Number.pipe(Schema.nonNegative()))

export const ProfileName = Schema.String.pipe(Schema.pattern(/^[a-z0-9-]{1,40}$/, {
  message: () => "a profile name is 1-40 characters: lower-case letters, digits and '-'"
}))

export const QualityProfile = Schema.Struct({
  name: ProfileName,
  description: Schema.String,
  /** Accepted formats, most preferred first; any other format is rejected. */
  formats: Schema.NonEmptyArray(AudioFormat),
  /** Lossy only, kbps. */
  minBitRate: NullableNumber,
  maxBitRate: NullableNumber,
  /** A VBR file passes `minBitRate` when its average reaches this share of it. */
  vbrFactor: Schema.Number.pipe(Schema.between(0, 1)),
  /** Hz. */
  minSampleRate: NullableNumber,
  maxSampleRate: NullableNumber,
  /** Lossless only, bits per sample. */
  minBitDepth: NullableNumber,
  maxBitDepth: NullableNumber,
  /** Bytes. */
  minSize: NullableNumber,
  maxSize: NullableNumber,
  /** Lossless files below this many bytes per second of audio are rejected as fakes; null = no check. */
  minLosslessBytesPerSecond: NullableNumber,
  /** Lossy CBR files smaller than this share of bitrate × length are rejected; null = no check. */
  bitrateSizeTolerance: Schema.NullOr(Schema.Number.pipe(Schema.between(0, 1)))
})
export type QualityProfile = typeof QualityProfile.Type

const suspiciousChecks = { minLosslessBytesPerSecond: 44_000, bitrateSizeTolerance: 0.8 } as const
const noLimits = {
  minSampleRate: null, maxSampleRate: null, minBitDepth: null, maxBitDepth: null, minSize: null, maxSize: null
} as const

export const LOSSLESS: QualityProfile = {
  name: "lossless",
  description: "Lossless only (FLAC, ALAC, WAV, AIFF); set maxBitDepth to 16 or 24 to limit hi-res files.",
  formats: ["flac", "alac", "aiff", "wav"],
  minBitRate: null, maxBitRate: null, vbrFactor: 1,
  ...noLimits, minBitDepth: 16,
  ...suspiciousChecks
}

export const BALANCED: QualityProfile = {
  name: "balanced",
  description: "Lossless preferred; lossy from 256 kbps (VBR V0 included). The default.",
  formats: ["flac", "alac", "aiff", "wav", "mp3", "aac", "opus", "ogg"],
  minBitRate: 256, maxBitRate: null, vbrFactor: 0.85,
  ...noLimits,
  ...suspiciousChecks
}

export const SPACE_SAVER: QualityProfile = {
  name: "space-saver",
  description: "Lossy only, 192-320 kbps, MP3 320 or V0 first; lossless files are rejected to save space.",
  formats: ["mp3", "aac", "opus", "ogg"],
  minBitRate: 192, maxBitRate: 320, vbrFactor: 0.85,
  ...noLimits,
  ...suspiciousChecks
}

export const ANY: QualityProfile = {
  name: "any",
  description: "Any audio format from 64 kbps; still prefers lossless, then higher bitrates.",
  formats: ["flac", "alac", "aiff", "wav", "ape", "wv", "mp3", "aac", "opus", "ogg", "wma"],
  minBitRate: 64, maxBitRate: null, vbrFactor: 1,
  ...noLimits,
  ...suspiciousChecks
}

export const BUILT_IN_PROFILES: ReadonlyArray<QualityProfile> = [LOSSLESS, BALANCED, SPACE_SAVER, ANY]
export const DEFAULT_PROFILE_NAME = "balanced"

export const builtInProfile = (name: string): Option.Option<QualityProfile> =>
  Option.fromNullable(BUILT_IN_PROFILES.find((p) => p.name === name))

export const isBuiltInProfileName = (name: string): boolean => BUILT_IN_PROFILES.some((p) => p.name === name)

/** Profile ⇄ the JSON text stored in quality_profiles.definition. */
export const QualityProfileJson = Schema.parseJson(QualityProfile)

// ---------------------------------------------------------------------------------------------
// Formats of remote files

const EXTENSIONS: Readonly<Record<string, AudioFormat>> = {
  flac: "flac", fla: "flac", wav: "wav", wave: "wav", aiff: "aiff", aif: "aiff", aifc: "aiff", ape: "ape", wv: "wv",
  mp3: "mp3", aac: "aac", ogg: "ogg", oga: "ogg", opus: "opus", wma: "wma", alac: "alac"
}

/** Known files that travel with music and are never candidates (cover art, logs, playlists). */
export const COMPANION_EXTENSIONS: ReadonlySet<string> = new Set([
  "jpg", "jpeg", "png", "gif", "bmp", "webp", "tif", "tiff", "txt", "nfo", "cue", "log", "m3u", "m3u8", "pls",
  "pdf", "sfv", "md5", "ffp", "st5", "accurip", "db", "ini", "url", "lnk", "sha1", "xml", "json", "lrc", "html", "htm"
])

export interface FileAttributes {
  readonly bitRate?: number | undefined
  readonly bitDepth?: number | undefined
}

/**
 * The audio format from the extension (slskd's `extension` is usually empty, so the file name
 * decides; the field is only a fallback). `.m4a`/`.mp4a` hold AAC or ALAC: a bit depth or a
 * bitrate above 500 kbps means ALAC.
 */
export const formatOf = (extension: string, attributes: FileAttributes = {}): AudioFormat | null => {
  const ext = extension.toLowerCase().replace(/^\./, "")
  if (ext === "m4a" || ext === "mp4a" || ext === "m4b") {
    return attributes.bitDepth !== undefined || (attributes.bitRate ?? 0) > 500 ? "alac" : "aac"
  }
  return EXTENSIONS[ext] ?? null
}
