import { describe, expect, it } from "@effect/vitest"
import { sameRecording } from "../../src/domain/track.js"

const karma = { title: "Karma Police", artist: "Radiohead", album: "OK Computer", durationMs: 264_000, isrc: "GBAYE9700186" }
const intro = { title: "Intro", artist: "The xx", album: "xx", trackNumber: 1, discNumber: 1, spotifyId: "2usZ8iJ1o0v8ejOdRZJvxp" }

describe("the same recording", () => {
  it.each([
    { name: "no album, no duration", incoming: { title: "Karma Police", artist: "Radiohead" }, same: true },
    { name: "other spelling of artist and title", incoming: { title: "karma police!", artist: "RADIOHEAD" }, same: true },
    { name: "duration within 3 s", incoming: { title: "Karma Police", artist: "Radiohead", durationMs: 266_900 }, same: true },
    { name: "duration 3 s apart exactly", incoming: { title: "Karma Police", artist: "Radiohead", durationMs: 261_000 }, same: true },
    { name: "duration further apart", incoming: { title: "Karma Police", artist: "Radiohead", durationMs: 268_001 }, same: false },
    { name: "album spelled differently", incoming: { title: "Karma Police", artist: "Radiohead", album: "OK computer." }, same: true },
    { name: "album with an edition note", incoming: { title: "Karma Police", artist: "Radiohead", album: "OK Computer (Remastered 2009)" }, same: true },
    { name: "album with a deluxe note", incoming: { title: "Karma Police", artist: "Radiohead", album: "OK Computer [Deluxe Edition]" }, same: true },
    { name: "a live album", incoming: { title: "Karma Police", artist: "Radiohead", album: "I Might Be Wrong: Live Recordings" }, same: false },
    { name: "the album's live version", incoming: { title: "Karma Police", artist: "Radiohead", album: "OK Computer (Live)" }, same: false },
    { name: "another title", incoming: { title: "Karma Police (Live)", artist: "Radiohead" }, same: false },
    { name: "another artist", incoming: { title: "Karma Police", artist: "Radiohead Tribute Band" }, same: false },
    { name: "equal ISRC decides over the album", incoming: { title: "Karma Police", artist: "Radiohead", album: "The Best Of", isrc: "gbaye9700186" }, same: true },
    { name: "another ISRC is another recording", incoming: { title: "Karma Police", artist: "Radiohead", isrc: "GBAYE0000001" }, same: false },
    { name: "blank album decides nothing", incoming: { title: "Karma Police", artist: "Radiohead", album: "  " }, same: true }
  ])("$name", ({ incoming, same }) => {
    expect(sameRecording(karma, incoming)).toBe(same)
    expect(sameRecording(incoming, karma)).toBe(same)
  })

  it.each([
    { name: "another Spotify id is another track", incoming: { ...intro, trackNumber: 9, spotifyId: "0aBcDeFgHiJkLmNoPqRsTu" }, same: false },
    { name: "another Spotify id with no position", incoming: { title: "Intro", artist: "The xx", spotifyId: "0aBcDeFgHiJkLmNoPqRsTu" }, same: false },
    { name: "the same Spotify id", incoming: { title: "intro", artist: "the xx", album: "xx (Deluxe)", spotifyId: intro.spotifyId }, same: true },
    { name: "a Spotify id against a Deezer id decides nothing", incoming: { title: "Intro", artist: "The xx", deezerId: "123" }, same: true },
    { name: "another position on the same album", incoming: { title: "Intro", artist: "The xx", album: "XX", trackNumber: 9 }, same: false },
    { name: "another disc on the same album", incoming: { title: "Intro", artist: "The xx", album: "xx", trackNumber: 1, discNumber: 2 }, same: false },
    { name: "the same position", incoming: { title: "Intro", artist: "The xx", album: "xx", trackNumber: 1 }, same: true },
    { name: "a position without an album decides nothing", incoming: { title: "Intro", artist: "The xx", trackNumber: 5 }, same: true }
  ])("$name", ({ incoming, same }) => {
    expect(sameRecording(intro, incoming)).toBe(same)
    expect(sameRecording(incoming, intro)).toBe(same)
  })
})
