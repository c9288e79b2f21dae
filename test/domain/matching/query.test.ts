import { describe, expect, it } from "@effect/vitest"
import { queryLadder, searchSafe } from "../../../src/domain/matching/query.js"

describe("searchSafe", () => {
  it.each([
    { name: "a leading dash would exclude the word in slskd", input: "-Minus Song", out: "Minus Song" },
    { name: "dashes between words go", input: "Artist - Title", out: "Artist Title" },
    { name: "quotes go", input: "\"Heroes\" ’Live’", out: "Heroes Live" },
    { name: "brackets and symbols go", input: "Song (Live) [FLAC] AC/DC", out: "Song Live FLAC AC DC" },
    { name: "one-letter words go while two others remain", input: "Guns N Roses", out: "Guns Roses" },
    { name: "digits stay", input: "Blur Song 2", out: "Blur Song 2" },
    { name: "a short query keeps its letters", input: "A B", out: "A B" },
    { name: "non-Latin single characters stay", input: "高橋 愛 歌", out: "高橋 愛 歌" },
    // peers match each word inside the path: "d'argent" holds "argent", never "dargent"
    { name: "an elision splits at the apostrophe, the one-letter piece goes", input: "femme d'argent", out: "femme argent" },
    { name: "a contraction keeps its stem", input: "Don't Stop", out: "Don Stop" },
    { name: "the typographic apostrophe too", input: "L’été indien", out: "été indien" },
    { name: "several apostrophes in one word", input: "Rock'n'Roll Train", out: "Rock Roll Train" },
    { name: "a year after an apostrophe stays", input: "Summer of '69", out: "Summer of 69" },
    { name: "an apostrophe word alone keeps what is left", input: "Y'all", out: "all" }
  ])("$name", ({ input, out }) => {
    expect(searchSafe(input)).toBe(out)
  })
})

describe("queryLadder", () => {
  it.each([
    { name: "most specific first, then fallbacks", track: { title: "Hello", artist: "Adele", album: "25" }, out: ["Adele Hello", "25 Hello"] },
    {
      name: "bracketed parts removed on the second rung",
      track: { title: "Bohemian Rhapsody (2011 Remaster)", artist: "Queen", album: "A Night at the Opera" },
      out: ["Queen Bohemian Rhapsody 2011 Remaster", "Queen Bohemian Rhapsody", "Night at the Opera Bohemian Rhapsody"]
    },
    {
      name: "featuring removed on the third rung",
      track: { title: "Get Lucky (feat. Pharrell Williams)", artist: "Daft Punk, Pharrell Williams" },
      out: ["Daft Punk Pharrell Williams Get Lucky feat Pharrell Williams", "Daft Punk Pharrell Williams Get Lucky", "Daft Punk Get Lucky"]
    },
    { name: "normalised rung folds diacritics", track: { title: "Halo", artist: "Beyoncé" }, out: ["Beyoncé Halo", "beyonce halo"] },
    { name: "normalised rung drops a leading The", track: { title: "Yesterday - Remastered 2009", artist: "The Beatles" }, out: ["The Beatles Yesterday Remastered 2009", "The Beatles Yesterday", "beatles yesterday"] },
    { name: "a name with symbols is also tried written together", track: { title: "Back in Black", artist: "AC/DC" }, out: ["AC DC Back in Black", "ACDC Back in Black"] },
    { name: "non-Latin text kept", track: { title: "残酷な天使のテーゼ", artist: "高橋洋子" }, out: ["高橋洋子 残酷な天使のテーゼ"] },
    { name: "title alone only when the artist is unknown", track: { title: "Mystery Track", artist: "", album: "Some Album" }, out: ["Some Album Mystery Track", "Mystery Track"] },
    { name: "Various Artists is unknown", track: { title: "Mystery", artist: "Various Artists" }, out: ["Mystery"] },
    { name: "an elision is split on every rung, also the folded one", track: { title: "La femme d'argent", artist: "Air" }, out: ["Air La femme argent"] },
    { name: "contractions: \"don\", never \"dont\"", track: { title: "Don’t Stop Me Now", artist: "Queen" }, out: ["Queen Don Stop Me Now"] },
    { name: "an apostrophe in the artist", track: { title: "Rhiannon", artist: "Fleetwood Mac's" }, out: ["Fleetwood Mac Rhiannon"] }
  ])("$name", ({ track, out }) => {
    expect(queryLadder(track)).toEqual(out)
  })

  it("never the same query twice and never the title alone when the artist is known", () => {
    const tracks = [
      { title: "Hello", artist: "Adele" },
      { title: "Song (Live)", artist: "The Band feat. Guest", album: "Album (Deluxe)" },
      { title: "song", artist: "artist", album: "song" }
    ]
    for (const t of tracks) {
      const ladder = queryLadder(t)
      const keys = ladder.map((q) => q.toLowerCase())
      expect(new Set(keys).size).toBe(keys.length)
      expect(ladder.some((q) => q.toLowerCase() === t.title.toLowerCase())).toBe(false)
      for (const q of ladder) expect(q).not.toMatch(/(^|\s)-/)
    }
  })
})
