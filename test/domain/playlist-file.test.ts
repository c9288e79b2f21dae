import { describe, expect, it } from "vitest"
import { Either } from "effect"
import { parseCsv, parseDurationMs, parsePlaylistFile, trackFromPath } from "../../src/domain/playlist-file.js"
import { parsePlaylistRef } from "../../src/domain/playlist-ref.js"

const bytes = (s: string) => new TextEncoder().encode(s)
const parse = (text: string, name: string | null = null, contentType: string | null = null) =>
  parsePlaylistFile({ name, contentType, bytes: bytes(text) })
const ok = (text: string, name: string | null = null) => {
  const r = parse(text, name)
  if (Either.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

const EXPORTIFY_HEADER = "Track URI,Track Name,Artist URI(s),Artist Name(s),Album URI,Album Name,Album Artist URI(s),Album Artist Name(s)," +
  "Album Release Date,Album Image URL,Disc Number,Track Number,Track Duration (ms),Track Preview URL,Explicit,Popularity,ISRC,Added By,Added At,Genres,Label"

describe("CSV records", () => {
  it.each([
    ["a,b\nc,d", ",", [[1, ["a", "b"]], [2, ["c", "d"]]]],
    ["a;b\r\nc;d\r\n", ";", [[1, ["a", "b"]], [2, ["c", "d"]]]],
    ['"x, y","say ""hi"""\n2,3', ",", [[1, ["x, y", 'say "hi"']], [2, ["2", "3"]]]],
    ['"two\nlines",b\nnext,row', ",", [[1, ["two\nlines", "b"]], [3, ["next", "row"]]]],
    ["a,b\n\n\nc,d", ",", [[1, ["a", "b"]], [4, ["c", "d"]]]]
  ])("%j", (text, sep, expected) => {
    expect(parseCsv(text, sep).map((r) => [r.line, r.fields])).toEqual(expected)
  })
})

describe("durations", () => {
  it.each([
    ["245", 245_000], ["4:05", 245_000], ["1:02:03", 3_723_000], ["245000", 245_000], ["", null], ["-1", null],
    ["abc", "invalid"], ["3,5", 3_500]
  ] as const)("%s", (raw, ms) => expect(parseDurationMs(raw)).toBe(ms))
})

describe("paths in M3U files", () => {
  it.each([
    ["Artist/Album/01 - Title.flac", { artist: "Artist", album: "Album", title: "Title" }],
    ["/music/Björk/Homogenic/03. Jóga.mp3", { artist: "Björk", album: "Homogenic", title: "Jóga" }],
    ["C:\\Music\\Air\\Moon Safari\\01 La Femme d'Argent.flac", { artist: "Air", album: "Moon Safari", title: "La Femme d'Argent" }],
    ["Portishead - Roads.mp3", { artist: "Portishead", album: null, title: "Roads" }],
    ["track07.flac", { artist: null, album: null, title: "track07" }],
    ["file:///home/me/Music/Low/Things%20We%20Lost/01%20-%20Low%20-%20Sunflower.flac", { artist: "Low", album: "Things We Lost", title: "Sunflower" }]
  ])("%s", (path, expected) => expect(trackFromPath(path)).toEqual(expected))
})

describe("playlist files", () => {
  it("Exportify: matched by header names, several artists in one field, ISRC and Spotify ids used, unknown columns ignored", () => {
    const list = ok(`\uFEFF${EXPORTIFY_HEADER}\n` +
      `spotify:track:6rqhFgbbKwnb9MLmUQDhG6,Speak to Me,spotify:artist:0k17h0D3J5VfsdmQ1iZtE9,Pink Floyd,spotify:album:4LH4d3cOWNNsVw41Gqt2kv,The Dark Side of the Moon,,Pink Floyd,1973-03-01,,1,1,67960,,false,60,GBN9Y1100088,,2024-01-01,rock,Harvest\n` +
      `spotify:track:0aBcDeFgHiJkLmNoPqRsTu,"Under Pressure","x,y","Queen,David Bowie",,Hot Space,,Queen,1982,,1,11,248000,,false,80,GBUM71029604,,2024-01-01,,\n` +
      `spotify:track:1111111111111111111111,,x,Nobody,,,,,,,,,,,,,,,,,\n` +
      `,Song Without Artist,,,,,,,,,,,,,,,,,,,\n`, "My Export.csv")
    expect(list.title).toBe("My Export")
    expect(list.entries).toHaveLength(2)
    expect(list.entries[0]!.track).toMatchObject({
      title: "Speak to Me", artist: "Pink Floyd", album: "The Dark Side of the Moon", durationMs: 67_960, isrc: "GBN9Y1100088",
      spotifyId: "6rqhFgbbKwnb9MLmUQDhG6", trackNumber: 1, discNumber: 1
    })
    expect(list.entries[0]!.album).toMatchObject({ source: "spotify", sourceId: "4LH4d3cOWNNsVw41Gqt2kv" })
    expect(list.entries[1]!.track).toMatchObject({ title: "Under Pressure", artist: "Queen, David Bowie", durationMs: 248_000 })
    expect(list.skipped.map((s) => [s.line, s.reason])).toEqual([[4, "line 4: no title"], [5, 'line 5: "Song Without Artist" has no artist']])
  })

  it("plain CSV: any column order, ; separator, CRLF, BOM, m:ss durations; broken lines skipped with their numbers", () => {
    const list = ok("\uFEFFTitle;Artist;Duration;Album\r\nRoads;Portishead;5:05;Dummy\r\n;Nobody;1:00;\r\nGlory Box;Portishead;ten;Dummy\r\nSour Times;Portishead;;Dummy\r\n")
    expect(list.entries.map((e) => [e.track.title, e.track.durationMs])).toEqual([["Roads", 305_000], ["Sour Times", null]])
    expect(list.entries[0]!.album).toMatchObject({ source: "local", title: "Dummy", artist: "Portishead" })
    expect(list.skipped.map((s) => s.line)).toEqual([3, 4])
    expect(list.skipped[1]!.reason).toMatch(/"ten" is not a duration/)
  })

  it("plain CSV without a header: artist,title,album,duration", () => {
    const list = ok("Massive Attack,Teardrop,Mezzanine,330\nMassive Attack,Angel,Mezzanine,379\n")
    expect(list.entries.map((e) => e.track)).toEqual([
      expect.objectContaining({ artist: "Massive Attack", title: "Teardrop", album: "Mezzanine", durationMs: 330_000 }),
      expect.objectContaining({ title: "Angel", durationMs: 379_000 })
    ])
  })

  it("M3U8 with #EXTINF, -1 durations, bare paths, and broken lines", () => {
    const list = ok([
      "#EXTM3U",
      "#EXTINF:305,Portishead - Roads",
      "Portishead/Dummy/06 - Roads.flac",
      "#EXTINF:-1,Air - La Femme d'Argent",
      "music/air.mp3",
      "Björk/Homogenic/03 - Jóga.flac",
      "#EXTINF:200,Only A Title",
      "somewhere/file.mp3",
      "#EXTINF:no comma here",
      "lonely.mp3",
      "#EXTINF:120,Dangling - Entry"
    ].join("\r\n"), "mix.m3u8")
    expect(list.entries.map((e) => [e.track.artist, e.track.title, e.track.album ?? null, e.track.durationMs ?? null])).toEqual([
      ["Portishead", "Roads", "Dummy", 305_000],
      ["Air", "La Femme d'Argent", null, null],
      ["Björk", "Jóga", "Homogenic", null]
    ])
    expect(list.skipped.map((s) => s.line)).toEqual([7, 9, 10, 11])
  })

  it("plain .m3u in Windows-1252 is read as such", () => {
    const win = Uint8Array.from([...bytes("#EXTINF:100,Bj"), 0xf6, ...bytes("rk - J"), 0xf3, ...bytes("ga\r\nx.mp3\r\n")])
    const r = parsePlaylistFile({ name: "old.m3u", contentType: null, bytes: win })
    expect(Either.isRight(r) && r.right.entries[0]!.track).toMatchObject({ artist: "Björk", title: "Jóga" })
  })

  it.each([
    ["", "the file is empty"],
    ["just some words", "not a playlist file"],
    ["title,artist\n,\n", "no usable line"],
    ["#EXTM3U\nnoartist.mp3\n", "no usable line"]
  ])("refuses %j", (text, message) => {
    const r = parse(text)
    expect(Either.isLeft(r) && r.left.message).toMatch(message)
  })

  it("the same file twice is the same playlist", () => {
    expect(ok("a,b\nc,d\n").sourceId).toBe(ok("a,b\nc,d\n").sourceId)
    expect(ok("a,b\nc,d\n").sourceId).not.toBe(ok("a,b\nc,e\n").sourceId)
  })
})

describe("playlist references", () => {
  const id = "37i9dQZF1DXcBWIGoYBM5M"
  it.each([
    ["spotify", id, id],
    ["spotify", `spotify:playlist:${id}`, id],
    ["spotify", `spotify:user:alice:playlist:${id}`, id],
    ["spotify", `https://open.spotify.com/playlist/${id}?si=abc123`, id],
    ["spotify", `https://open.spotify.com/intl-de/playlist/${id}`, id],
    ["deezer", "9200461", "9200461"],
    ["deezer", "https://www.deezer.com/fr/playlist/9200461", "9200461"]
  ] as const)("%s %s", (source, input, expected) => expect(parsePlaylistRef(source, input)).toEqual(Either.right(expected)))

  it.each([
    ["spotify", "", /empty/],
    ["spotify", `https://open.spotify.com/album/${id}`, /album, not to a playlist/],
    ["spotify", "https://www.deezer.com/playlist/1", /Deezer link/],
    ["spotify", "https://spotify.link/abc", /short/],
    ["deezer", id, /Deezer playlist id is a number/],
    ["deezer", "https://example.com/playlist/1", /not a Deezer link/]
  ] as const)("refuses %s %s", (source, input, message) => {
    const r = parsePlaylistRef(source, input)
    expect(Either.isLeft(r) && r.left).toMatch(message)
  })
})
