import { describe, expect, it } from "@effect/vitest"
import { cleanTrackInput, requestKey } from "../../src/domain/track.js"

describe("request key", () => {
  it.each([
    { name: "spotify id wins", a: { title: "X", artist: "Y", spotifyId: "4uLU6hMCjMI75M1A2tKUQC" }, key: "spotify:4uLU6hMCjMI75M1A2tKUQC" },
    { name: "deezer id next", a: { title: "X", artist: "Y", deezerId: "3135553", isrc: "GBAYE0601498" }, key: "deezer:3135553" },
    { name: "isrc is upper-cased and stripped", a: { title: "X", artist: "Y", isrc: " gb-aye-06-01498 " }, key: "isrc:GBAYE0601498" },
    { name: "whitespace-only ids are ignored", a: { title: "Song", artist: "Band", spotifyId: "   ", isrc: "" }, key: "meta:band|song|" },
    { name: "case, accents and punctuation fold", a: { title: "Déjà  Vu!", artist: "BEYONCÉ", album: "B'Day" }, key: "meta:beyonce|deja vu|b day" },
    { name: "ampersand equals and", a: { title: "Salt & Pepper", artist: "A" }, key: "meta:a|salt and pepper|" },
    { name: "non-latin kept", a: { title: "夜に駆ける", artist: "YOASOBI" }, key: "meta:yoasobi|夜に駆ける|" }
  ])("$name", ({ a, key }) => {
    expect(requestKey(a)).toBe(key)
  })

  it("the same song typed differently is the same track", () => {
    const a = requestKey({ title: "Guns N' Roses", artist: "AC/DC", album: "  " })
    const b = requestKey({ title: "guns n roses", artist: "ac dc", album: null })
    expect(a).toBe(b)
  })

  it("a different album is a different track", () => {
    expect(requestKey({ title: "Song", artist: "A", album: "Live at X" }))
      .not.toBe(requestKey({ title: "Song", artist: "A", album: "Studio" }))
  })

  it("clean input trims text and nulls blanks", () => {
    expect(cleanTrackInput({ title: "  T ", artist: " A", album: " ", isrc: "\t" })).toMatchObject({
      title: "T", artist: "A", album: null, isrc: null
    })
  })
})
