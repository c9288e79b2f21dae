import { describe, expect, it } from "vitest"
import { findInLibrary, isSameTrack, type LibraryEntry } from "../../../src/domain/library/library-match.js"

const file = (f: Partial<LibraryEntry>): LibraryEntry => ({
  path: "/music/a.flac", title: "Angel", artist: "Massive Attack", album: "Mezzanine", isrc: null, ...f
})

describe("isSameTrack", () => {
  const cases: ReadonlyArray<[string, Parameters<typeof isSameTrack>[0], Partial<LibraryEntry>, boolean]> = [
    ["same ISRC, other names", { title: "x", artist: "y", isrc: "GBAAA9800001" }, { isrc: "GBAAA9800001" }, true],
    ["ISRC written with dashes and lower case", { title: "Angel", artist: "Massive Attack", isrc: "gb-aaa-98-00001" }, { isrc: "GBAAA9800001" }, true],
    ["different ISRC, same names: another recording", { title: "Angel", artist: "Massive Attack", isrc: "GBAAA9800002" }, { isrc: "GBAAA9800001" }, false],
    ["ISRC only on the request: names decide", { title: "Angel", artist: "Massive Attack", isrc: "GBAAA9800001" }, {}, true],
    ["ISRC only on the file: names decide", { title: "Angel", artist: "Massive Attack" }, { isrc: "GBAAA9800001" }, true],
    ["case, accents and punctuation fold", { title: "ANGEL!", artist: "massive  attack", album: "Mezzanine" }, {}, true],
    ["diacritics fold", { title: "Café", artist: "Björk" }, { title: "cafe", artist: "Bjork" }, true],
    ["& is and", { title: "Angel", artist: "Simon & Garfunkel" }, { artist: "Simon and Garfunkel" }, true],
    ["other title", { title: "Teardrop", artist: "Massive Attack" }, {}, false],
    ["other artist", { title: "Angel", artist: "Shaggy" }, {}, false],
    ["both name an album, different ones", { title: "Angel", artist: "Massive Attack", album: "Collected" }, {}, false],
    ["no album on the request", { title: "Angel", artist: "Massive Attack", album: null }, {}, true],
    ["no album on the file", { title: "Angel", artist: "Massive Attack", album: "Mezzanine" }, { album: null }, true],
    ["an untagged file never matches by name", { title: "Angel", artist: "Massive Attack" }, { title: null }, false]
  ]
  it.each(cases)("%s", (_, want, f, expected) => {
    expect(isSameTrack(want, file(f))).toBe(expected)
  })
})

describe("findInLibrary", () => {
  it("prefers the file with the same ISRC over a name match", () => {
    const byName = file({ path: "/music/live.flac", isrc: null })
    const byIsrc = file({ path: "/music/studio.flac", title: "Angel (Remastered)", isrc: "GBAAA9800001" })
    expect(findInLibrary({ title: "Angel", artist: "Massive Attack", isrc: "GBAAA9800001" }, [byName, byIsrc])?.path).toBe("/music/studio.flac")
  })
  it("finds nothing in an empty library", () => {
    expect(findInLibrary({ title: "Angel", artist: "Massive Attack" }, [])).toBeUndefined()
  })
})
