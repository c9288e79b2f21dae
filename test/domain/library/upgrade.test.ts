import { describe, expect, it } from "vitest"
import { decideReplace, type FileQuality } from "../../../src/domain/library/upgrade.js"
import { ANY, BALANCED, LOSSLESS, type QualityProfile, SPACE_SAVER } from "../../../src/domain/matching/profiles.js"

const SECONDS = 240
const flac = (bitDepth = 16, sampleRate = 44100): FileQuality => ({
  format: "flac", bitRate: null, bitDepth, sampleRate, size: (bitDepth === 24 ? 180_000 : 90_000) * SECONDS, durationMs: SECONDS * 1000
})
const lossy = (format: "mp3" | "aac" | "opus", kbps: number): FileQuality => ({
  format, bitRate: kbps, bitDepth: null, sampleRate: 44100, size: kbps * 125 * SECONDS, durationMs: SECONDS * 1000
})
const unreadable: FileQuality = { format: null, bitRate: null, bitDepth: null, sampleRate: null, size: 19, durationMs: null }
const only16: QualityProfile = { ...LOSSLESS, name: "cd-only", maxBitDepth: 16 }
const only24: QualityProfile = { ...LOSSLESS, name: "hi-res", minBitDepth: 24 }

describe("decideReplace: only a strict upgrade under the profile replaces a library file", () => {
  const cases: ReadonlyArray<[string, FileQuality, FileQuality, QualityProfile, "Upgrade" | "Keep", string]> = [
    ["MP3 320 → FLAC under lossless (the profile refuses MP3)", lossy("mp3", 320), flac(), LOSSLESS, "Upgrade", "refuses MP3 320 kbps"],
    ["MP3 320 → FLAC under balanced (FLAC comes first)", lossy("mp3", 320), flac(), BALANCED, "Upgrade", "prefers FLAC to MP3"],
    ["FLAC → MP3 320 under balanced", flac(), lossy("mp3", 320), BALANCED, "Keep", "better than the new one"],
    ["FLAC → FLAC: the same quality", flac(), flac(), LOSSLESS, "Keep", "as good as"],
    ["FLAC 16 → FLAC 24 when the profile does not tell them apart", flac(16), flac(24, 96000), LOSSLESS, "Keep", "as good as"],
    ["FLAC 16 → FLAC 24 under a 24-bit-only profile", flac(16), flac(24, 96000), only24, "Upgrade", "refuses FLAC 16-bit"],
    ["FLAC 24 → FLAC 16 under a 16-bit-only profile", flac(24, 96000), flac(16), only16, "Upgrade", "refuses FLAC 24-bit 96 kHz"],
    ["FLAC 16 → FLAC 24 under a 16-bit-only profile", flac(16), flac(24, 96000), only16, "Keep", "not what the \"cd-only\" profile asks for"],
    ["MP3 128 → MP3 320 under balanced (128 is below its minimum)", lossy("mp3", 128), lossy("mp3", 320), BALANCED, "Upgrade", "refuses MP3 128 kbps"],
    ["MP3 256 → MP3 320 under space-saver (same format, a higher bitrate)", lossy("mp3", 256), lossy("mp3", 320), SPACE_SAVER, "Upgrade", "higher bitrate"],
    ["MP3 300 → MP3 320: less than 10 % more", lossy("mp3", 300), lossy("mp3", 320), ANY, "Keep", "as good as"],
    ["MP3 320 → MP3 256", lossy("mp3", 320), lossy("mp3", 256), ANY, "Keep", "as good as"],
    ["AAC 256 → MP3 256 under balanced (MP3 comes before AAC)", lossy("aac", 256), lossy("mp3", 256), BALANCED, "Upgrade", "prefers MP3 to AAC"],
    ["FLAC → MP3 under space-saver (the profile refuses FLAC)", flac(), lossy("mp3", 320), SPACE_SAVER, "Upgrade", "refuses FLAC"],
    ["an unreadable file is never replaced", unreadable, flac(), LOSSLESS, "Keep", "could not be read"],
    ["an unreadable new file replaces nothing", lossy("mp3", 128), unreadable, LOSSLESS, "Keep", "new file could not be read"]
  ]
  it.each(cases)("%s", (_, existing, incoming, profile, verdict, detail) => {
    const d = decideReplace(existing, incoming, profile, true)
    expect(d._tag).toBe(verdict)
    expect(d.detail).toContain(detail)
  })

  it("with upgrades off even a clear upgrade is kept, and the reason says so", () => {
    const d = decideReplace(lossy("mp3", 320), flac(), LOSSLESS, false)
    expect(d).toEqual({ _tag: "Keep", detail: expect.stringContaining("quality upgrades are off (import.upgrade)") })
  })
})
