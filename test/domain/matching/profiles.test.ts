import { describe, expect, it } from "@effect/vitest"
import { Either, Option, Schema } from "effect"
import {
  ANY, BALANCED, BUILT_IN_PROFILES, builtInProfile, formatOf, LOSSLESS, QualityProfile, QualityProfileJson, SPACE_SAVER
} from "../../../src/domain/matching/profiles.js"

describe("quality profiles as data", () => {
  it("the built-ins are valid profiles and round-trip through JSON", () => {
    for (const p of BUILT_IN_PROFILES) {
      expect(Schema.decodeUnknownSync(QualityProfile)(p)).toEqual(p)
      expect(Schema.decodeSync(QualityProfileJson)(Schema.encodeSync(QualityProfileJson)(p))).toEqual(p)
    }
    expect(BUILT_IN_PROFILES.map((p) => p.name)).toEqual(["lossless", "balanced", "space-saver", "any"])
    expect(builtInProfile("balanced")).toEqual(Option.some(BALANCED))
    expect(builtInProfile("best")).toEqual(Option.none())
  })

  it("what each built-in promises", () => {
    expect(LOSSLESS.formats).toEqual(["flac", "alac", "aiff", "wav"])
    expect(BALANCED.formats.slice(0, 4)).toEqual(["flac", "alac", "aiff", "wav"])
    expect(BALANCED.minBitRate).toBe(256)
    expect(SPACE_SAVER.formats).not.toContain("flac")
    expect(SPACE_SAVER.maxBitRate).toBe(320)
    expect(ANY.formats).toContain("wma")
  })

  it.each([
    { name: "bad name", patch: { name: "Best Ever!" } },
    { name: "no formats", patch: { formats: [] } },
    { name: "unknown format", patch: { formats: ["mp4"] } },
    { name: "negative bitrate", patch: { minBitRate: -1 } },
    { name: "tolerance above 1", patch: { bitrateSizeTolerance: 2 } }
  ])("rejects a profile with $name", ({ patch }) => {
    expect(Either.isLeft(Schema.decodeUnknownEither(QualityProfile)({ ...BALANCED, ...patch }))).toBe(true)
  })
})

describe("formatOf: the extension decides", () => {
  it.each([
    { ext: "flac", attrs: {}, format: "flac" },
    { ext: "FLAC", attrs: {}, format: "flac" },
    { ext: ".mp3", attrs: {}, format: "mp3" },
    { ext: "aif", attrs: {}, format: "aiff" },
    { ext: "m4a", attrs: { bitDepth: 16 }, format: "alac" },
    { ext: "m4a", attrs: { bitRate: 900 }, format: "alac" },
    { ext: "m4a", attrs: { bitRate: 256 }, format: "aac" },
    { ext: "opus", attrs: {}, format: "opus" },
    { ext: "mp4", attrs: {}, format: null },
    { ext: "jpg", attrs: {}, format: null },
    { ext: "", attrs: {}, format: null }
  ])("$ext $attrs → $format", ({ ext, attrs, format }) => {
    expect(formatOf(ext, attrs)).toBe(format)
  })
})
