/** The quality of a file against a profile (with the fake-file checks) and the peer's availability. Pure functions. */
import { formatDuration } from "./normalise.js"
import { FORMAT_LABEL, isLossless, type AudioFormat, type QualityProfile } from "./profiles.js"
import type { PeerFile, PeerResponse } from "./types.js"

const kb = (bytes: number) => bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.round(bytes / 1000)} KB`
const speedText = (bps: number) => `${kb(bps)}/s`

export interface QualityResult {
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

export const availabilityOf = (peer: PeerResponse): { score: number; reasons: ReadonlyArray<string> } => {
  const free = peer.hasFreeUploadSlot
  const queue = Math.max(0, peer.queueLength)
  const speed = Math.max(0, peer.uploadSpeed)
  const score = 0.5 * (free ? 1 : 0) + 0.3 / (1 + queue / 10) + 0.2 * Math.min(1, speed / 2_000_000)
  return {
    score,
    reasons: [free ? "free upload slot" : `no free upload slot, ${queue} queued`, `upload speed ${speedText(speed)}`]
  }
}
