import { describe, expect, it } from "@effect/vitest"
import {
  albumSection, artistSection, durationSection, titleSection, trackNumberSection, versionVerdict
} from "../../../src/domain/matching/evidence.js"
import { isGenericFolder, parseRemotePath, tokens } from "../../../src/domain/matching/normalise.js"
import { bestTitleRun } from "../../../src/domain/matching/title.js"
import type { PeerFile } from "../../../src/domain/matching/types.js"
import { analyseWanted, type WantedTrack } from "../../../src/domain/matching/wanted.js"

const SPIRIT: WantedTrack = { title: "Smells Like Teen Spirit", artist: "Nirvana", album: "Nevermind", durationMs: 301_000, trackNumber: 1 }

/** The file name's stem, its non-generic folders and its best title run, as scoreFile reads them. */
const read = (wanted: WantedTrack, filename: string) => {
  const w = analyseWanted(wanted)
  const path = parseRemotePath(filename)
  const folders = path.folders.filter((f) => !isGenericFolder(f))
  return { w, stem: path.stem, folders, run: bestTitleRun(w, path.stem, folders.flatMap((f) => tokens(f))) }
}

describe("version: a version named by the file name or by any folder applies to the file", () => {
  it.each<{ name: string; wanted: WantedTrack; file: string; rejections: ReadonlyArray<string> }>([
    { name: "the album's own folder", wanted: SPIRIT, file: "@@a\\Music\\Nirvana\\Nevermind\\01 - Smells Like Teen Spirit.flac", rejections: [] },
    {
      name: "an edited release's folder: (Clean)", wanted: SPIRIT, file: "@@a\\Music\\Nirvana\\Nevermind (Clean)\\01 - Smells Like Teen Spirit.flac",
      rejections: [`edited version (radio/clean edit) (named by folder "Nevermind (Clean)")`]
    },
    {
      name: "an edited release's folder: [Edited]", wanted: SPIRIT, file: "@@a\\Nirvana - Nevermind [Edited]\\01 - Smells Like Teen Spirit.mp3",
      rejections: [`edited version (radio/clean edit) (named by folder "Nirvana - Nevermind [Edited]")`]
    },
    {
      name: "an edited release's folder: Censored Version", wanted: SPIRIT, file: "@@a\\Nirvana\\Nevermind (Censored Version)\\01 Smells Like Teen Spirit.mp3",
      rejections: [`edited version (radio/clean edit) (named by folder "Nevermind (Censored Version)")`]
    },
    {
      name: "a parent folder counts as much as the album folder", wanted: SPIRIT, file: "@@a\\Clean\\Nirvana\\Nevermind\\01 - Smells Like Teen Spirit.mp3",
      rejections: [`edited version (radio/clean edit) (named by folder "Clean")`]
    },
    {
      name: "the request names the edited album", wanted: { ...SPIRIT, album: "Nevermind (Clean)" },
      file: "@@a\\Music\\Nirvana\\Nevermind (Clean)\\01 - Smells Like Teen Spirit.flac", rejections: []
    },
    {
      name: "the request names the clean version in the title", wanted: { ...SPIRIT, title: "Smells Like Teen Spirit (Clean)" },
      file: "@@a\\Music\\Nirvana\\Nevermind (Clean)\\01 - Smells Like Teen Spirit.flac", rejections: []
    },
    {
      name: "the artist's name is not a version (Clean Bandit)", wanted: { title: "Rather Be", artist: "Clean Bandit", album: "New Eyes" },
      file: "@@a\\Clean Bandit\\New Eyes\\02 - Rather Be.flac", rejections: []
    },
    {
      name: "a live folder", wanted: SPIRIT, file: "@@a\\Nirvana\\Live at Reading\\03 - Smells Like Teen Spirit.flac",
      rejections: [`live version (named by folder "Live at Reading")`]
    },
    {
      name: "an instrumentals folder", wanted: SPIRIT, file: "@@a\\Nirvana\\Instrumentals\\Smells Like Teen Spirit.mp3",
      rejections: [`instrumental (named by folder "Instrumentals")`]
    },
    {
      name: "the file name says Edited", wanted: SPIRIT, file: "@@a\\Nirvana\\Nevermind\\01 - Smells Like Teen Spirit (Edited).mp3",
      rejections: ["edited version (radio/clean edit) (named in the file name)"]
    },
    {
      name: "the request is a live take and the file does not say so", wanted: { ...SPIRIT, title: "Smells Like Teen Spirit (Live)" },
      file: "@@a\\Nirvana\\Nevermind\\01 - Smells Like Teen Spirit.mp3",
      rejections: ["the wanted track is a live version; this file does not say it is one"]
    }
  ])("$name", ({ wanted, file, rejections }) => {
    const { w, stem, folders } = read(wanted, file)
    expect(versionVerdict(w, stem, folders).rejections).toEqual(rejections)
  })
})

describe("title", () => {
  it.each<{ file: string; score: number; evidence: ReadonlyArray<string>; rejections: ReadonlyArray<string> }>([
    { file: "@@a\\Nirvana\\01 - Smells Like Teen Spirit.flac", score: 1, evidence: ["title matches ✓"], rejections: [] },
    { file: "@@a\\Nirvana\\01 - Smells Like Spirit.flac", score: 0.375, evidence: [], rejections: ["title does not match (missing: teen)"] },
    { file: "@@a\\Nirvana\\01 - Smells Like Teen Spirit Again.flac", score: 0.8, evidence: ["title matches (extra: again)"], rejections: [] }
  ])("$file", ({ file, score, evidence, rejections }) => {
    const t = titleSection(read(SPIRIT, file).run.match)
    expect(t.score).toBeCloseTo(score, 3)
    expect(t.evidence).toEqual(evidence)
    expect(t.rejections).toEqual(rejections)
  })

  it("a different part number rejects", () => {
    const t = titleSection(read({ title: "Another Brick in the Wall, Pt. 2", artist: "Pink Floyd" }, "@@a\\Pink Floyd\\The Wall\\Another Brick in the Wall, Pt. 3.flac").run.match)
    expect(t.rejections[0]).toMatch(/^a different part or number in the title \(file: 3, wanted: 2\)/)
  })
})

describe("artist", () => {
  it.each<{ name: string; wanted: WantedTrack; file: string; score: number; evidence: ReadonlyArray<string>; rejections: ReadonlyArray<string> }>([
    { name: "in a folder", wanted: SPIRIT, file: "@@a\\Nirvana\\Nevermind\\01 - Smells Like Teen Spirit.flac", score: 1, evidence: [`artist found in folder "Nirvana" ✓`], rejections: [] },
    { name: "in the file name", wanted: SPIRIT, file: "@@a\\Grunge\\Nirvana - Smells Like Teen Spirit.flac", score: 1, evidence: ["artist found in the file name ✓"], rejections: [] },
    { name: "nowhere", wanted: SPIRIT, file: "@@a\\Grunge\\Smells Like Teen Spirit.flac", score: 0, evidence: [], rejections: ["artist not found in the path"] },
    {
      name: "the first of two credited artists", wanted: { title: "Under Pressure", artist: "Queen, David Bowie" },
      file: "@@a\\Queen\\Hot Space\\11 - Under Pressure.flac", score: 0.9, evidence: [`first credited artist found in folder "Queen" ✓`], rejections: []
    },
    { name: "unknown", wanted: { title: "Smells Like Teen Spirit", artist: "Unknown Artist" }, file: "@@a\\x\\Smells Like Teen Spirit.flac", score: 0.5, evidence: ["artist unknown: matched on title only"], rejections: [] },
    {
      name: "only in a folder while the file name names someone else", wanted: { title: "At Last", artist: "Beyonce" },
      file: "@@a\\Beyonce\\Cadillac Records\\Etta James - At Last.mp3", score: 1, evidence: [`artist found in folder "Beyonce" ✓`],
      rejections: [`the file name names "Etta James", not the artist (who is only in a folder name)`]
    }
  ])("$name", ({ wanted, file, score, evidence, rejections }) => {
    const { w, folders, run } = read(wanted, file)
    expect(artistSection(w, run, folders)).toEqual({ score, evidence, rejections })
  })
})

describe("album", () => {
  it.each<{ name: string; wanted: WantedTrack; file: string; score: number; evidence: ReadonlyArray<string> }>([
    { name: "in a folder", wanted: SPIRIT, file: "@@a\\Nirvana\\Nevermind\\01 - Smells Like Teen Spirit.flac", score: 1, evidence: [`album found in folder "Nevermind"`] },
    { name: "in the file name", wanted: SPIRIT, file: "@@a\\x\\Nirvana - Nevermind - 01 - Smells Like Teen Spirit.flac", score: 1, evidence: ["album found in the file name"] },
    { name: "not named", wanted: SPIRIT, file: "@@a\\Nirvana\\Best Of\\Smells Like Teen Spirit.flac", score: 0.3, evidence: ["album not named in the path"] },
    { name: "no album asked for", wanted: { title: "Smells Like Teen Spirit", artist: "Nirvana" }, file: "@@a\\Nirvana\\Best Of\\Smells Like Teen Spirit.flac", score: 0.5, evidence: [] }
  ])("$name", ({ wanted, file, score, evidence }) => {
    const { w, folders, run } = read(wanted, file)
    expect(albumSection(w, run, folders)).toEqual({ score, evidence, rejections: [] })
  })
})

describe("duration", () => {
  const file = (f: Partial<PeerFile>): PeerFile => ({ filename: "x.mp3", size: 12_040_000, ...f })
  it.each<{ name: string; file: PeerFile; format: "mp3" | "flac"; score: number; evidence: ReadonlyArray<string>; rejections: ReadonlyArray<string> }>([
    { name: "the same length", file: file({ length: 301 }), format: "mp3", score: 1, evidence: ["duration 5:01 vs 5:01 ✓"], rejections: [] },
    { name: "within the tolerance", file: file({ length: 306 }), format: "mp3", score: 0.65, evidence: ["duration 5:06 vs 5:01 ✓"], rejections: [] },
    { name: "beyond the tolerance", file: file({ length: 330 }), format: "mp3", score: 0, evidence: [], rejections: ["duration 5:30 vs 5:01, 29 s off (more than 10 s)"] },
    { name: "no length: estimated from size and bitrate", file: file({ bitRate: 320 }), format: "mp3", score: 0.5, evidence: ["length unknown (about 5:01 from size and bitrate)"], rejections: [] },
    {
      name: "no length: far too small for its bitrate", file: file({ bitRate: 320, size: 4_000_000 }), format: "mp3", score: 0, evidence: [],
      rejections: ["estimated duration 1:40 (from size and bitrate) vs 5:01: too short"]
    },
    { name: "no length, lossless", file: file({}), format: "flac", score: 0.5, evidence: ["length unknown"], rejections: [] }
  ])("$name", ({ file, format, score, evidence, rejections }) => {
    const d = durationSection(analyseWanted(SPIRIT), file, format)
    expect(d.score).toBeCloseTo(score, 3)
    expect({ evidence: d.evidence, rejections: d.rejections }).toEqual({ evidence, rejections })
  })

  it("no wanted length: nothing to compare", () => {
    expect(durationSection(analyseWanted({ ...SPIRIT, durationMs: null }), file({ length: 100 }), "mp3")).toEqual({ score: 0.5, evidence: [], rejections: [] })
  })
})

describe("track number", () => {
  it.each<{ wanted: number | null; file: string; score: number; evidence: ReadonlyArray<string> }>([
    { wanted: 1, file: "@@a\\Nirvana\\Nevermind\\01 - Smells Like Teen Spirit.flac", score: 1, evidence: ["track number 1 ✓"] },
    { wanted: 1, file: "@@a\\Nirvana\\Best Of\\07 - Smells Like Teen Spirit.flac", score: 0.3, evidence: ["track number 7 (wanted 1)"] },
    { wanted: 1, file: "@@a\\Nirvana\\Smells Like Teen Spirit.flac", score: 0.5, evidence: [] },
    { wanted: null, file: "@@a\\Nirvana\\07 - Smells Like Teen Spirit.flac", score: 0.5, evidence: [] }
  ])("wanted $wanted, $file", ({ wanted, file, score, evidence }) => {
    const { w, stem, run } = read({ ...SPIRIT, trackNumber: wanted }, file)
    expect(trackNumberSection(w, run.match, stem)).toEqual({ score, evidence, rejections: [] })
  })
})
