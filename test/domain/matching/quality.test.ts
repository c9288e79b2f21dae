import { describe, expect, it } from "@effect/vitest"
import { BALANCED, LOSSLESS, type AudioFormat, type QualityProfile } from "../../../src/domain/matching/profiles.js"
import { availabilityOf, evaluateQuality } from "../../../src/domain/matching/quality.js"
import type { PeerFile } from "../../../src/domain/matching/types.js"

const file = (f: Partial<PeerFile>): PeerFile => ({ filename: "x", size: 0, ...f })

describe("quality against the profile", () => {
  it.each<{ name: string; file: PeerFile; format: AudioFormat; profile: QualityProfile; reasons: ReadonlyArray<string>; rejections: ReadonlyArray<string> }>([
    {
      name: "CD-quality FLAC, the preferred format", file: file({ size: 30_000_000, length: 300, bitDepth: 16, sampleRate: 44_100 }), format: "flac",
      profile: BALANCED, reasons: ["FLAC 16-bit 44.1 kHz (preferred format)"], rejections: []
    },
    {
      name: "MP3 320 in the balanced profile", file: file({ size: 12_000_000, length: 300, bitRate: 320 }), format: "mp3",
      profile: BALANCED, reasons: ["MP3 320 kbps (format choice 5 of 8)"], rejections: []
    },
    {
      name: "MP3 192 is below balanced's floor", file: file({ size: 7_200_000, length: 300, bitRate: 192 }), format: "mp3",
      profile: BALANCED, reasons: ["MP3 192 kbps (format choice 5 of 8)"], rejections: ["192 kbps is below the profile's 256 kbps"]
    },
    {
      name: "MP3 in the lossless profile", file: file({ size: 12_000_000, length: 300, bitRate: 320 }), format: "mp3",
      profile: LOSSLESS, reasons: ["MP3 320 kbps"], rejections: [`MP3 is not allowed by the "lossless" profile`]
    },
    {
      name: "a FLAC far too small for its length", file: file({ size: 300 * 20_000, length: 300 }), format: "flac",
      profile: BALANCED, reasons: ["FLAC (preferred format)"],
      rejections: ["suspicious: 6.0 MB for 5:00 is only 160 kbps, too small for real FLAC (a lossy file in disguise?)"]
    },
    {
      name: "a '320 kbps' MP3 the size of a 128 kbps one", file: file({ size: 4_800_000, length: 300, bitRate: 320 }), format: "mp3",
      profile: BALANCED, reasons: ["MP3 320 kbps (format choice 5 of 8)"], rejections: ["suspicious: claims 320 kbps but 4.8 MB for 5:00 is about 128 kbps"]
    }
  ])("$name", ({ file, format, profile, reasons, rejections }) => {
    const q = evaluateQuality(file, format, profile, null)
    expect({ reasons: q.reasons, rejections: q.rejections }).toEqual({ reasons, rejections })
  })

  it("the preferred format scores above a later choice", () => {
    const flac = evaluateQuality(file({ size: 30_000_000, length: 300, bitDepth: 16 }), "flac", BALANCED, null)
    const mp3 = evaluateQuality(file({ size: 12_000_000, length: 300, bitRate: 320 }), "mp3", BALANCED, null)
    expect(flac.score).toBeGreaterThan(mp3.score)
  })
})

describe("availability", () => {
  it.each([
    { free: true, queue: 0, speed: 2_000_000, score: 1, reasons: ["free upload slot", "upload speed 2.0 MB/s"] },
    { free: false, queue: 10, speed: 0, score: 0.15, reasons: ["no free upload slot, 10 queued", "upload speed 0 KB/s"] }
  ])("free $free, queue $queue, speed $speed", ({ free, queue, speed, score, reasons }) => {
    const a = availabilityOf({ username: "u", files: [], hasFreeUploadSlot: free, queueLength: queue, uploadSpeed: speed })
    expect(a.score).toBeCloseTo(score, 3)
    expect(a.reasons).toEqual(reasons)
  })
})
