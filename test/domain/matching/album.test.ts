import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import { albumQuery, directoryOf, selectAlbumFolder } from "../../../src/domain/matching/album.js"
import { builtInProfile } from "../../../src/domain/matching/profiles.js"
import type { PeerFile, PeerResponse } from "../../../src/domain/matching/types.js"

const balanced = Option.getOrThrow(builtInProfile("balanced"))
const TITLES = ["Airbag", "Paranoid Android", "Subterranean Homesick Alien", "Exit Music (For a Film)", "Let Down", "Karma Police"]
const LENGTHS = [284, 383, 267, 264, 299, 261]
const wanted = TITLES.map((title, i) => ({ title, artist: "Radiohead", album: "OK Computer", durationMs: LENGTHS[i]! * 1000, trackNumber: i + 1 }))

const flac = (dir: string, i: number): PeerFile => ({
  filename: `${dir}\\${String(i + 1).padStart(2, "0")} - ${TITLES[i]}.flac`, size: LENGTHS[i]! * 110_000, length: LENGTHS[i]!
})
const mp3 = (dir: string, i: number): PeerFile => ({
  filename: `${dir}\\${String(i + 1).padStart(2, "0")} ${TITLES[i]}.mp3`, size: LENGTHS[i]! * 40_000, bitRate: 320, length: LENGTHS[i]!
})
const peer = (username: string, files: ReadonlyArray<PeerFile>, over: Partial<PeerResponse> = {}): PeerResponse => ({
  username, files, hasFreeUploadSlot: true, queueLength: 0, uploadSpeed: 1_000_000, ...over
})

describe("album folder selection", () => {
  it("prefers the folder that holds every track over a faster peer with half of them", () => {
    const full = "@@x\\Music\\Radiohead\\1997 - OK Computer [FLAC]"
    const half = "D:\\mp3\\Radiohead\\OK Computer"
    const choice = selectAlbumFolder(wanted, [
      peer("halfway", [0, 1, 2].map((i) => mp3(half, i)), { uploadSpeed: 9_000_000 }),
      peer("complete", TITLES.map((_, i) => flac(full, i)))
    ], balanced)
    expect(choice).toMatchObject({ username: "complete", directory: full, covered: 6, uniformFormat: true })
    expect(choice?.picks.map((p) => p?.filename)).toEqual(TITLES.map((_, i) => flac(full, i).filename))
  })

  it("a folder that mixes formats loses to a uniform one of the same size", () => {
    const mixed = "E:\\share\\Radiohead - OK Computer"
    const uniform = "F:\\rips\\Radiohead - OK Computer (1997)"
    const choice = selectAlbumFolder(wanted, [
      peer("mixed", TITLES.map((_, i) => (i % 2 ? mp3(mixed, i) : flac(mixed, i)))),
      peer("uniform", TITLES.map((_, i) => mp3(uniform, i)))
    ], balanced)
    expect(choice?.username).toBe("uniform")
  })

  it("rejected files do not count: live versions in a folder are not the album", () => {
    const live = "D:\\Bootlegs\\Radiohead - Live in Paris 2001"
    const files = TITLES.map((t, i) => ({ ...flac(live, i), filename: `${live}\\${i + 1} ${t} (Live).flac` }))
    expect(selectAlbumFolder(wanted, [peer("bootlegger", files)], balanced)).toBeNull()
  })

  it("covers what it can and leaves the rest to per-track search", () => {
    const dir = "C:\\Music\\Radiohead\\OK Computer"
    const choice = selectAlbumFolder(wanted, [peer("partial", [0, 1, 5].map((i) => flac(dir, i)))], balanced)
    expect(choice?.covered).toBe(3)
    expect(choice?.picks.map((p) => p !== null)).toEqual([true, true, false, false, false, true])
  })

  it("one file is never given to two tracks", () => {
    const dir = "C:\\Music\\Radiohead\\OK Computer"
    const twoAirbags = [{ title: "Airbag", artist: "Radiohead", durationMs: 284_000 }, { title: "Airbag", artist: "Radiohead", durationMs: 284_000 }]
    const choice = selectAlbumFolder(twoAirbags, [peer("p", [flac(dir, 0), flac(dir, 1)])], balanced)
    expect(choice).toBeNull()
  })

  it.each([
    ["C:\\a\\b\\c.flac", "C:\\a\\b"],
    ["/home/x/y.mp3", "/home/x"],
    ["@@share\\Album\\01.flac", "@@share\\Album"],
    ["file.flac", ""]
  ])("directoryOf(%s) = %s", (f, d) => expect(directoryOf(f)).toBe(d))

  it("the album query is search-safe", () => {
    expect(albumQuery("Radiohead feat. Someone", "OK Computer (Collector's Edition)")).toBe("Radiohead OK Computer")
  })
})
