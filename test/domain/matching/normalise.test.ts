import { describe, expect, it } from "@effect/vitest"
import {
  foldText, guessFromPath, isNoiseGroup, parseFolderName, parseRemotePath, parseTrackPrefix, primaryArtist,
  splitArtists, splitBrackets, splitSegments, stripFeaturing, tokens
} from "../../../src/domain/matching/normalise.js"

describe("foldText", () => {
  it.each([
    { name: "case", input: "HeLLo", out: "hello" },
    { name: "diacritics", input: "Beyoncé", out: "beyonce" },
    { name: "more diacritics", input: "Mötley Crüe · Sigur Rós · Björk", out: "motley crue sigur ros bjork" },
    { name: "letters without decomposition", input: "Øresund Straße Łódź", out: "oresund strasse lodz" },
    { name: "slash between letters", input: "AC/DC", out: "ac dc" },
    { name: "apostrophes vanish inside words", input: "Guns N' Roses", out: "guns n roses" },
    { name: "typographic apostrophe", input: "Guns N’ Roses", out: "guns n roses" },
    { name: "typographic quotes", input: "“Heroes”", out: "heroes" },
    { name: "ampersand", input: "Simon & Garfunkel", out: "simon and garfunkel" },
    { name: "stylised letters", input: "P!nk and Ke$ha", out: "pink and kesha" },
    { name: "full-width letters", input: "ＲＡＤＷＩＭＰＳ", out: "radwimps" },
    { name: "Japanese kept whole (dakuten stay)", input: "残酷な天使のテーゼ", out: "残酷な天使のテーゼ" },
    { name: "Korean kept", input: "방탄소년단", out: "방탄소년단" },
    { name: "Cyrillic kept", input: "Кино — Группа крови", out: "кино группа крови" },
    { name: "Devanagari vowel signs kept", input: "तुम ही हो", out: "तुम ही हो" },
    { name: "symbols only", input: "!!!", out: "" }
  ])("$name", ({ input, out }) => {
    expect(foldText(input)).toBe(out)
  })

  it("never folds non-Latin text to empty", () => {
    for (const s of ["夜に駆ける", "Лето", "Ελλάδα", "שלום", "مرحبا", "ก่อน"]) expect(foldText(s)).not.toBe("")
  })
})

describe("tokens", () => {
  it.each([
    { name: "Pt. equals Part, roman numeral after it is a number", input: "Another Brick in the Wall, Pt. II", out: ["another", "brick", "in", "the", "wall", "part", "2"] },
    { name: "Part I is part 1 (not the word I)", input: "Part I", out: ["part", "1"] },
    { name: "a lone I stays a word", input: "I Want You", out: ["i", "want", "you"] },
    { name: "leading zeros dropped", input: "03", out: ["3"] },
    { name: "n is and", input: "Rock 'n' Roll", out: ["rock", "and", "roll"] },
    { name: "Vol. is volume", input: "Vol. 2", out: ["volume", "2"] }
  ])("$name", ({ input, out }) => {
    expect(tokens(input)).toEqual(out)
  })
})

describe("brackets and featuring", () => {
  it.each([
    { input: "Bohemian Rhapsody (2011 Remaster) [FLAC] {320}", outside: "Bohemian Rhapsody", groups: ["2011 Remaster", "FLAC", "320"] },
    { input: "Song (Live (at Home))", outside: "Song", groups: ["Live (at Home)"] },
    { input: "【MV】夜に駆ける", outside: "夜に駆ける", groups: ["MV"] },
    { input: "Song (unclosed", outside: "Song", groups: ["unclosed"] }
  ])("splitBrackets $input", ({ input, outside, groups }) => {
    expect(splitBrackets(input)).toEqual({ outside, groups })
  })

  it.each([
    { input: "Hello (feat. X & Y)", text: "Hello", featured: ["X & Y"] },
    { input: "Song ft. B [Live]", text: "Song [Live]", featured: ["B"] },
    { input: "Song featuring C - Remix", text: "Song - Remix", featured: ["C"] },
    { input: "Bad Guy (with Justin Bieber)", text: "Bad Guy", featured: ["Justin Bieber"] },
    { input: "With or Without You", text: "With or Without You", featured: [] },
    { input: "Feats Don't Fail Me Now", text: "Feats Don't Fail Me Now", featured: [] }
  ])("stripFeaturing $input", ({ input, text, featured }) => {
    expect(stripFeaturing(input)).toEqual({ text, featured })
  })

  it.each([
    { group: "2011 Remaster", noise: true },
    { group: "FLAC", noise: true },
    { group: "320", noise: true },
    { group: "24bit-96kHz", noise: true },
    { group: "Official Audio", noise: true },
    { group: "Deluxe Edition", noise: true },
    { group: "From \"Frozen\"", noise: true },
    { group: "Original Mix", noise: true },
    { group: "Part 2", noise: false },
    { group: "2", noise: false },
    { group: "Live", noise: false },
    { group: "Radio Edit", noise: false },
    { group: "I Can't Get No", noise: false }
  ])("noise group $group: $noise", ({ group, noise }) => {
    expect(isNoiseGroup(group)).toBe(noise)
  })

  it.each([
    { input: "Daft Punk feat. Pharrell Williams", primary: "Daft Punk", all: ["Daft Punk", "Pharrell Williams"] },
    { input: "Drake, Rihanna", primary: "Drake", all: ["Drake, Rihanna", "Drake", "Rihanna"] },
    { input: "Simon & Garfunkel", primary: "Simon & Garfunkel", all: ["Simon & Garfunkel"] },
    { input: "Calvin Harris & Disciples", primary: "Calvin Harris & Disciples", all: ["Calvin Harris & Disciples", "Calvin Harris"] }
  ])("artists of $input", ({ input, primary, all }) => {
    expect(primaryArtist(input)).toBe(primary)
    expect(splitArtists(input)).toEqual(all)
  })
})

describe("track-number prefixes", () => {
  it.each([
    { input: "03 - Title", track: 3, disc: null, rest: "Title" },
    { input: "03. Title", track: 3, disc: null, rest: "Title" },
    { input: "03 Title", track: 3, disc: null, rest: "Title" },
    { input: "03_Title", track: 3, disc: null, rest: "Title" },
    { input: "A1 Title", track: 1, disc: null, rest: "Title" },
    { input: "1-03 Title", track: 3, disc: 1, rest: "Title" },
    { input: "103 Title", track: 3, disc: 1, rest: "Title" },
    { input: "(03) Title", track: 3, disc: null, rest: "Title" },
    { input: "CD2-05 Title", track: 5, disc: 2, rest: "Title" }
  ])("$input", ({ input, track, disc, rest }) => {
    expect(parseTrackPrefix(input)).toMatchObject({ track, disc, rest })
  })

  it.each(["1979", "10cc - Dreadlock Holiday", "2Pac - Changes", "Title"])("no prefix in %s", (input) => {
    expect(parseTrackPrefix(input)).toBeNull()
  })

  it("a number-led title parses as a prefix too; callers compare both readings", () => {
    expect(parseTrackPrefix("99 Problems")).toMatchObject({ track: 99, rest: "Problems" })
  })
})

describe("segments", () => {
  it.each([
    { input: "01 - Artist - Title", out: ["01", "Artist", "Title"] },
    { input: "Artist_-_Title", out: ["Artist", "Title"] },
    { input: "artist-title", out: ["artist", "title"] },
    { input: "Jay-Z - Song", out: ["Jay-Z", "Song"] },
    { input: "Ob-La-Di, Ob-La-Da", out: ["Ob-La-Di, Ob-La-Da"] },
    { input: "Artist – Title", out: ["Artist", "Title"] }
  ])("$input", ({ input, out }) => {
    expect(splitSegments(input)).toEqual(out)
  })
})

describe("remote paths", () => {
  it.each([
    { name: "Windows path with share prefix", input: "@@abcde\\Music\\Adele\\25\\01 - Hello.flac", folders: ["Music", "Adele", "25"], stem: "01 - Hello", ext: "flac" },
    { name: "POSIX path", input: "/home/u/Music/Adele/25/01 - Hello.MP3", folders: ["home", "u", "Music", "Adele", "25"], stem: "01 - Hello", ext: "mp3" },
    { name: "mixed separators and a drive letter", input: "D:\\Music/Adele\\Hello.flac", folders: ["Music", "Adele"], stem: "Hello", ext: "flac" },
    { name: "dots in the name", input: "Music\\Mr. Brightside.mp3", folders: ["Music"], stem: "Mr. Brightside", ext: "mp3" },
    { name: "no extension", input: "Music\\Track", folders: ["Music"], stem: "Track", ext: "" }
  ])("$name", ({ input, folders, stem, ext }) => {
    expect(parseRemotePath(input)).toMatchObject({ folders, stem, extension: ext })
  })

  it.each([
    { input: "Adele - 25 (2015)", artist: "Adele", album: "25", year: 2015 },
    { input: "Queen - 1975 - A Night at the Opera", artist: "Queen", album: "A Night at the Opera", year: 1975 },
    { input: "(1975) A Night at the Opera", artist: null, album: "A Night at the Opera", year: 1975 },
    { input: "1975 - A Night at the Opera", artist: null, album: "A Night at the Opera", year: 1975 },
    { input: "[2015] 25 [FLAC 24-96]", artist: null, album: "25", year: 2015 },
    { input: "Random Access Memories (Deluxe Edition)", artist: null, album: "Random Access Memories", year: null }
  ])("folder $input", ({ input, artist, album, year }) => {
    expect(parseFolderName(input)).toEqual({ artist, album, year })
  })

  it.each([
    { name: "artist/album folders", input: "@@x\\Music\\Adele\\25 (2015) [FLAC]\\02 - Hello.flac", artist: "Adele", album: "25", title: "Hello", track: 2 },
    { name: "Artist - Album (Year) folder with a disc folder", input: "/m/Queen - A Night at the Opera (1975)/CD1/11 - Bohemian Rhapsody.mp3", artist: "Queen", album: "A Night at the Opera", title: "Bohemian Rhapsody", track: 11 },
    { name: "01 - Artist - Title file", input: "Music\\VA - Now 93\\05 - Adele - Hello.mp3", artist: "Adele", album: "Now 93", title: "Hello", track: 5 },
    { name: "Artist - Album - 01 - Title file", input: "Adele - 25 - 02 - Hello.flac", artist: "Adele", album: "25", title: "Hello", track: 2 },
    { name: "noise groups leave the title", input: "x\\Hello (Official Audio) [320].mp3", artist: null, album: "x", title: "Hello", track: null }
  ])("$name", ({ input, artist, album, title, track }) => {
    expect(guessFromPath(input)).toMatchObject({ artist, album, title, trackNumber: track })
  })
})
