import { describe, expect, it } from "@effect/vitest"
import { durationTolerance, type VerifyInput, verifyFile } from "../../../src/domain/library/verify.js"
import { EXTENSIONS } from "../../../src/infrastructure/library/audio-file.js"

const base: VerifyInput = {
  chosenFilename: "@@abcde\\Music\\Mezzanine\\01 Angel.flac",
  localPath: "/dl/Mezzanine/01 Angel.flac",
  expectedSize: 1000,
  actualSize: 1000,
  probe: { format: "flac", lossless: true, durationMs: 379_000 },
  formatsOfExtension: (e) => Object.entries(EXTENSIONS).filter(([, exts]) => exts.includes(e)).map(([f]) => f),
  wantedDurationMs: 380_000,
  spectrum: { cutoffHz: null, silent: false, windows: 40 }
}

describe("verifyFile", () => {
  it.each([
    { name: "a good file passes", v: {}, verdict: "pass" },
    { name: "a size mismatch fails", v: { actualSize: 999 }, verdict: "fail", reason: "999 bytes on disk but the transfer had 1000" },
    { name: "an unreadable file fails", v: { probe: { error: "no FLAC header" } }, verdict: "fail", reason: "not a readable audio file" },
    { name: "an MP3 named .flac fails", v: { probe: { format: "mp3", lossless: false, durationMs: 380_000 } }, verdict: "fail", reason: "the file is mp3 but was chosen as .flac" },
    { name: "3.5 s off a 6:20 track is inside the wider tolerance", v: { probe: { format: "flac", lossless: true, durationMs: 376_500 } }, verdict: "pass" },
    { name: "just outside the tolerance is for review", v: { probe: { format: "flac", lossless: true, durationMs: 374_000 } }, verdict: "review", reason: "6.0 s off" },
    { name: "far off fails", v: { probe: { format: "flac", lossless: true, durationMs: 200_000 } }, verdict: "fail", reason: "180.0 s off" },
    { name: "a 16 kHz cliff is a transcode", v: { spectrum: { cutoffHz: 16_000, silent: false, windows: 40 } }, verdict: "fail", reason: "made from a lossy file" },
    { name: "a cutoff near 20 kHz is for review", v: { spectrum: { cutoffHz: 19_750, silent: false, windows: 40 } }, verdict: "review", reason: "high-bitrate lossy" },
    { name: "silence is not judged", v: { spectrum: { cutoffHz: null, silent: true, windows: 40 } }, verdict: "pass" },
    { name: "an unknown track length skips the check", v: { wantedDurationMs: null, probe: { format: "flac", lossless: true, durationMs: 1 } }, verdict: "pass" },
    { name: "a lossy file gets no transcode check", v: { chosenFilename: "a/b.mp3", localPath: "/dl/b/b.mp3", probe: { format: "mp3", lossless: false, durationMs: 380_000 }, spectrum: null }, verdict: "pass" }
  ])("$name", ({ v, verdict, reason }) => {
    const r = verifyFile({ ...base, ...v } as VerifyInput)
    expect(r.verdict).toBe(verdict)
    if (reason) expect(r.reason).toContain(reason)
    if (verdict === "pass") expect(r.reason).toBeNull()
  })

  it("lists every check with a detail", () => {
    const r = verifyFile(base)
    expect(r.checks.map((c) => c.name)).toEqual(["size", "readable", "format", "duration", "transcode"])
    expect(r.checks.every((c) => c.ok && c.detail.length > 0)).toBe(true)
  })

  it.each([[180_000, 3000], [300_000, 3000], [600_000, 6000]])("tolerance for %i ms is %i ms", (d, t) => {
    expect(durationTolerance(d)).toBe(t)
  })
})
