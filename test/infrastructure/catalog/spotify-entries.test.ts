import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { parseLocalUri, spotifyEntry } from "../../../src/infrastructure/catalog/spotify-entries.js"

const track = {
  id: "6rqhFgbbKwnb9MLmUQDhG6", name: "Speak to Me", type: "track", duration_ms: 67960, disc_number: 1, track_number: 1,
  artists: [{ name: "Pink Floyd" }], external_ids: { isrc: "GBN9Y1100088" },
  album: { id: "4LH4d3cOWNNsVw41Gqt2kv", name: "The Dark Side of the Moon", artists: [{ name: "Pink Floyd" }], total_tracks: 10, release_date: "1973-03-01" }
}

describe("Spotify playlist entries", () => {
  it.each([
    ["2026 shape: item", { added_at: "x", item: track }],
    ["older shape: track", { added_at: "x", track }],
    ["both keys", { item: track, track }]
  ])("%s", (_, raw) => {
    const r = spotifyEntry(raw, 1)
    expect(Either.isRight(r) && r.right).toEqual({
      track: { title: "Speak to Me", artist: "Pink Floyd", album: "The Dark Side of the Moon", durationMs: 67960, isrc: "GBN9Y1100088", trackNumber: 1, discNumber: 1, spotifyId: "6rqhFgbbKwnb9MLmUQDhG6" },
      album: { source: "spotify", sourceId: "4LH4d3cOWNNsVw41Gqt2kv", title: "The Dark Side of the Moon", artist: "Pink Floyd", totalTracks: 10, releaseDate: "1973-03-01" }
    })
  })

  it.each([
    ["removed content", { item: null }, /removed from Spotify/],
    ["no track key at all", { added_at: "x" }, /removed from Spotify/],
    ["an episode", { item: { type: "episode", id: "e", name: "Talk" } }, /"Talk" is a podcast episode/],
    ["not playable here", { item: { ...track, is_playable: false } }, /not available on Spotify in your country/],
    ["a local file without tags", { is_local: true, item: { id: null, name: "", is_local: true, uri: "spotify:local::::0", artists: [] } }, /without title or artist/],
    ["not an object", "nonsense", /not a playlist entry/]
  ])("skips %s", (_, raw, reason) => {
    const r = spotifyEntry(raw, 3)
    expect(Either.isLeft(r) && r.left.reason).toMatch(reason)
  })

  it("a local file is searched by its tags (from the fields, or from the uri)", () => {
    const fromFields = spotifyEntry({ is_local: true, item: { id: null, is_local: true, name: "Demo", artists: [{ name: "Tape Band" }], album: { name: "Demos" }, duration_ms: 201000 } }, 1)
    expect(Either.isRight(fromFields) && fromFields.right.track).toEqual({ title: "Demo", artist: "Tape Band", album: "Demos", durationMs: 201000 })
    const fromUri = spotifyEntry({ is_local: true, item: { id: null, is_local: true, name: "", uri: "spotify:local:Sigur+R%C3%B3s:%28%29:Untitled+%231:398" } }, 1)
    expect(Either.isRight(fromUri) && fromUri.right.track).toEqual({ title: "Untitled #1", artist: "Sigur Rós", album: "()", durationMs: 398000 })
  })

  it("parses spotify:local URIs", () => {
    expect(parseLocalUri("spotify:local:A+B:C:D%3AE:12")).toEqual({ artist: "A B", album: "C", title: "D:E", seconds: 12 })
    expect(parseLocalUri("spotify:track:abc")).toBeNull()
  })
})
