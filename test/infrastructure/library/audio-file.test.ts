import { describe, expect, it } from "@effect/vitest"
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { judgeCutoff, readSpectrum } from "../../../src/domain/library/spectrum.js"
import { audioDigest } from "../../../src/infrastructure/library/audio-data.js"
import { decodeFlacSegments, probeAudio, readCatalogIds, readCover, readTags, writeTags } from "../../../src/infrastructure/library/audio-file.js"

const FIXTURES = join(import.meta.dirname, "../../fixtures/audio")
const tmp = () => mkdtempSync(join(tmpdir(), "soulspot-audio-"))

const TAGS = {
  title: "Angel", artist: "Massive Attack", album: "Mezzanine", albumArtist: "Massive Attack",
  trackNumber: 1, trackCount: 11, discNumber: 1, discCount: 1, year: 1998, isrc: "GBAAA9800001",
  spotifyId: "7uv632EkfwYhXoqf8rhYrg", deezerId: "3135556"
}

describe("reading the fixtures", () => {
  it.each([
    { file: "genuine.flac", format: "flac", lossless: true },
    { file: "transcoded.flac", format: "flac", lossless: true },
    { file: "track.mp3", format: "mp3", lossless: false },
    { file: "track.m4a", format: "m4a", lossless: false },
    { file: "track.opus", format: "opus", lossless: false }
  ])("$file is $format of about 2 s", async ({ file, format, lossless }) => {
    const p = await probeAudio(join(FIXTURES, file))
    expect(p.format).toBe(format)
    expect(p.lossless).toBe(lossless)
    expect(p.durationMs).toBeGreaterThan(1900)
    expect(p.durationMs).toBeLessThan(2200)
  })

  it("refuses a file that is not audio", async () => {
    const dir = tmp()
    const p = join(dir, "x.flac")
    copyFileSync(join(FIXTURES, "README.md"), p)
    await expect(probeAudio(p)).rejects.toThrow()
  })
})

describe("transcode check", () => {
  it("a genuine FLAC has no cliff; one made from a 128 kbps MP3 has one near 16 kHz", async () => {
    const genuine = await decodeFlacSegments(join(FIXTURES, "genuine.flac"), statSync(join(FIXTURES, "genuine.flac")).size)
    const g = readSpectrum(genuine.segments, genuine.sampleRate)
    expect(g.silent).toBe(false)
    expect(judgeCutoff(g)).toBe("ok")
    const fake = await decodeFlacSegments(join(FIXTURES, "transcoded.flac"), statSync(join(FIXTURES, "transcoded.flac")).size)
    const f = readSpectrum(fake.segments, fake.sampleRate)
    expect(f.cutoffHz).toBeGreaterThan(14_000)
    expect(f.cutoffHz).toBeLessThan(19_000)
    expect(judgeCutoff(f)).toBe("transcode")
  })

  it("digital silence is not judged", () => {
    expect(readSpectrum([new Float32Array(44100)], 44100)).toMatchObject({ silent: true, cutoffHz: null })
  })
})

describe("writing tags", () => {
  it.each(["genuine.flac", "track.mp3", "track.m4a", "track.opus"])("%s: the audio digest sees a changed audio byte", async (file) => {
    const p = join(tmp(), file)
    copyFileSync(join(FIXTURES, file), p)
    const format = file.endsWith(".opus") ? "opus" : file.split(".").pop()!
    const before = await audioDigest(p, format)
    const bytes = readFileSync(p)
    const mid = Math.floor(bytes.length / 2)
    bytes[mid] = bytes[mid]! ^ 0xff
    writeFileSync(p, bytes)
    expect(await audioDigest(p, format)).not.toBe(before)
  })

  it.each(["genuine.flac", "track.mp3", "track.m4a", "track.opus"])("%s: tags round-trip and the audio bytes stay identical", async (file) => {
    const dir = tmp()
    const p = join(dir, file)
    copyFileSync(join(FIXTURES, file), p)
    const format = file.endsWith(".opus") ? "opus" : file.split(".").pop()!
    const before = await audioDigest(p, format)
    writeTags(p, TAGS)
    expect(readFileSync(p).equals(readFileSync(join(FIXTURES, file)))).toBe(false)
    expect(await audioDigest(p, format)).toBe(before)
    // the album cover, embedded: still the same audio bytes
    const cover = { data: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]), mimeType: "image/jpeg" }
    writeTags(p, TAGS, cover)
    expect(await readCover(p)).toEqual({ data: Buffer.from(cover.data), mimeType: "image/jpeg" })
    expect(await audioDigest(p, format)).toBe(before)
    const tags = await readTags(p)
    expect(tags.title).toBe("Angel")
    expect(tags.artist).toBe("Massive Attack")
    expect(tags.album).toBe("Mezzanine")
    expect(tags.albumartist).toBe("Massive Attack")
    expect(tags.track).toEqual({ no: 1, of: 11 })
    expect(tags.year).toBe(1998)
    expect(tags.isrc).toEqual(["GBAAA9800001"])
    expect(await readCatalogIds(p)).toEqual({ spotifyId: "7uv632EkfwYhXoqf8rhYrg", deezerId: "3135556" })
    // written again (a retry), still one value each
    writeTags(p, { ...TAGS, deezerId: null })
    expect(await readCatalogIds(p)).toEqual({ spotifyId: "7uv632EkfwYhXoqf8rhYrg", deezerId: null })
    expect(await audioDigest(p, format)).toBe(before)
    // still decodable audio of the same length
    expect((await probeAudio(p)).durationMs).toBe((await probeAudio(join(FIXTURES, file))).durationMs)
  })
})
