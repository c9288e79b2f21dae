import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, TestClock } from "effect"
import { AlbumCatalog } from "../../../src/domain/ports/AlbumSource.js"
import { Settings } from "../../../src/domain/ports/Settings.js"
import { blueLines, okComputer, sixtyNineLoveSongs, spotifyId, useFakeSpotify } from "../../support/fake-spotify.js"
import { advanceWhenSleeping, CatalogTestEnv, settle, waitFor } from "./env.js"

const fetchSpotify = (ref: string) => Effect.flatMap(AlbumCatalog, (c) => c.fetch("spotify", ref))

/** Each test gets its own fake server and database. */
const test = (name: string, body: () => Effect.Effect<void, unknown, any>) =>
  it.effect(name, () => body().pipe(Effect.provide(CatalogTestEnv())))

describe("Spotify album source", () => {
  test("a 12-track album comes back in album order with durations and ISRCs; a missing ISRC is null", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      const album = yield* fetchSpotify(`https://open.spotify.com/intl-de/album/${okComputer.id}?si=Xb3mZ9QvR0uKj2lP`)

      expect(album).toMatchObject({
        source: "spotify", sourceId: okComputer.id, title: "OK Computer", artist: "Radiohead", releaseDate: "1997-05-21",
        libraryId: null
      })
      // the largest of the album's images, for the cover the library import embeds
      expect(album.coverUrl).toMatch(/^https:\/\/i\.scdn\.co\/image\/ab67616d0000b273/)
      expect(album.tracks.map((t) => t.title)).toEqual(okComputer.tracks.map((t) => t.name))
      expect(album.tracks[1]).toEqual({
        title: "Paranoid Android", artist: "Radiohead", album: "OK Computer", durationMs: 383493,
        trackNumber: 2, discNumber: 1, spotifyId: okComputer.tracks[1]!.id, isrc: "GBAYE9700002"
      })
      expect(album.tracks.find((t) => t.title === "Fitter Happier")?.isrc).toBeNull()
      expect(album.tracks.filter((t) => t.isrc !== null)).toHaveLength(11)
      // one token, the album (12 tracks fit its first page) and one batch lookup of ISRCs
      expect([fake.count("token"), fake.count("album"), fake.count("album-tracks"), fake.count("several-tracks")])
        .toEqual([1, 1, 0, 1])
      // no market: relinking would change the track ids
      expect(fake.requests().every((r) => !r.query.includes("market="))).toBe(true)
    }))

  test("an album of 69 tracks on three discs is read through every page and put in disc order", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(sixtyNineLoveSongs, { shuffled: true })
      const album = yield* fetchSpotify(`spotify:album:${sixtyNineLoveSongs.id}`)

      expect(album.tracks).toHaveLength(69)
      expect(album.tracks.map((t) => [t.discNumber, t.trackNumber])).toEqual(
        [1, 2, 3].flatMap((disc) => Array.from({ length: 23 }, (_, i) => [disc, i + 1])))
      expect(album.tracks[0]).toMatchObject({ title: "Absolutely Cuckoo", discNumber: 1, trackNumber: 1 })
      expect(album.tracks[68]).toMatchObject({ title: "Love Song 69", discNumber: 3, trackNumber: 23, isrc: "USMRG9900069" })
      expect(new Set(album.tracks.map((t) => t.spotifyId)).size).toBe(69)
      expect(album.tracks.every((t) => t.isrc !== null)).toBe(true)
      // page 2 through `next`, ISRCs in chunks of 50 + 19
      expect(fake.requests().filter((r) => r.route === "album-tracks").map((r) => r.query)).toEqual(["?offset=50&limit=50&locale=*"])
      expect(fake.requests().filter((r) => r.route === "several-tracks").map((r) => r.query.split(",").length)).toEqual([50, 19])
    }))

  test("one token serves several albums", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      fake.addAlbum(blueLines)
      yield* fetchSpotify(okComputer.id)
      const second = yield* fetchSpotify(blueLines.id)
      expect(second).toMatchObject({ title: "Blue Lines", releaseDate: "1991" })
      expect(second.tracks[1]).toMatchObject({ title: "One Love", artist: "Massive Attack, Horace Andy" })
      expect(fake.count("token")).toBe(1)
    }))

  test("a token is renewed before it runs out", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      yield* fetchSpotify(okComputer.id)
      yield* TestClock.adjust("58 minutes")
      yield* fetchSpotify(okComputer.id)
      expect(fake.count("token")).toBe(1)
      yield* TestClock.adjust("1 minute")
      yield* fetchSpotify(okComputer.id)
      expect(fake.count("token")).toBe(2)
      expect(fake.requests().some((r) => r.status === 401)).toBe(false)
    }))

  test("a token that expires in the middle of an album is replaced once and the album completes", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(sixtyNineLoveSongs)
      fake.expireTokensAfter(1) // the album call succeeds, then the token dies before page 2
      const album = yield* fetchSpotify(sixtyNineLoveSongs.id)
      expect(album.tracks).toHaveLength(69)
      expect(fake.count("token")).toBe(2)
      expect(fake.requests().filter((r) => r.status === 401).map((r) => r.route)).toEqual(["album-tracks"])
    }))

  test("when no token is accepted it says the credentials are rejected, after exactly one new token", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      fake.refuseAllTokens(true)
      const error = yield* fetchSpotify(okComputer.id).pipe(Effect.flip)
      expect(error._tag).toBe("CatalogCredentialsError")
      expect(error.message).toMatch(/^Spotify credentials missing or rejected/)
      expect(fake.count("token")).toBe(2)
      expect(fake.count("album")).toBe(2)
    }))

  test("without credentials nothing is sent; setting them later works without a restart", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      const settings = yield* Settings
      yield* settings.update({ "spotify.client_secret": "" })
      const error = yield* fetchSpotify(okComputer.id).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "CatalogCredentialsError", reason: "missing" })
      expect(error.message).toMatch(/^Spotify credentials missing or rejected: set SOULSPOT_SPOTIFY_CLIENT_ID/)
      expect(fake.requests()).toEqual([])

      yield* settings.update({ "spotify.client_secret": fake.clientSecret })
      const album = yield* fetchSpotify(okComputer.id)
      expect(album.tracks).toHaveLength(12)
    }))

  test("a wrong secret is reported as rejected credentials, and a corrected one is used at once", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      const settings = yield* Settings
      yield* settings.update({ "spotify.client_secret": "not-the-secret" })
      const error = yield* fetchSpotify(okComputer.id).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "CatalogCredentialsError", reason: "rejected" })
      expect(error.message).toContain("invalid_client")
      expect(fake.count("album")).toBe(0)

      yield* settings.update({ "spotify.client_secret": fake.clientSecret })
      expect((yield* fetchSpotify(okComputer.id)).title).toBe("OK Computer")
      expect(fake.count("token")).toBe(2)
    }))

  test("a 429 with Retry-After 2 waits two seconds, not less, then carries on", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      fake.fail("album", { status: 429, retryAfter: 2 })
      const fiber = yield* Effect.fork(fetchSpotify(okComputer.id))
      yield* waitFor(Effect.sync(() => fake.count("album") === 1), "the first album request")
      const now = yield* TestClock.currentTimeMillis
      yield* waitFor(Effect.map(TestClock.sleeps(), Chunk.some((d) => d === now + 2000)), "a wait of exactly 2 s")
      yield* TestClock.adjust("1999 millis")
      yield* settle
      expect(fake.count("album")).toBe(1)
      yield* TestClock.adjust("1 millis")
      const album = yield* Fiber.join(fiber)
      expect(album.tracks).toHaveLength(12)
      expect(fake.requests().filter((r) => r.route === "album").map((r) => r.status)).toEqual([429, 200])
    }))

  test("Retry-After 0 retries at once; a 429 that does not stop ends as rate limited, naming Spotify", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      fake.fail("album", { status: 429, retryAfter: 0 })
      expect((yield* fetchSpotify(okComputer.id)).tracks).toHaveLength(12)
      expect(fake.count("album")).toBe(2)

      fake.resetCounts()
      const limited = { status: 429, retryAfter: 0 } as const
      fake.fail("album", limited, limited, limited, limited)
      const error = yield* fetchSpotify(okComputer.id).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "CatalogRateLimited", service: "Spotify" })
      expect(error.message).toMatch(/^Spotify is limiting/)
      expect(fake.count("album")).toBe(4) // the first try and three retries, no more
    }))

  test("a Retry-After longer than 30 s is not waited for", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      fake.fail("album", { status: 429, retryAfter: 120 })
      const error = yield* fetchSpotify(okComputer.id).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "CatalogRateLimited", retryAfterSeconds: 120 })
      expect(error.message).toContain("120 seconds")
      expect(fake.count("album")).toBe(1)
    }))

  test("when the batch track lookup is forbidden (403), ISRCs come from single lookups, and that is remembered", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      fake.addAlbum(blueLines)
      fake.removeMultiGet(true)
      const album = yield* fetchSpotify(okComputer.id)
      expect(album.tracks.map((t) => t.isrc)).toEqual(okComputer.tracks.map((t) => t.isrc))
      expect([fake.count("several-tracks"), fake.count("track")]).toEqual([1, 12])

      const second = yield* fetchSpotify(blueLines.id)
      expect(second.tracks.map((t) => t.isrc)).toEqual(["GBAAA9100001", "GBAAA9100002", "GBAAA9100003"])
      expect([fake.count("several-tracks"), fake.count("track")]).toEqual([1, 15])
    }))

  test("an ISRC lookup that fails does not lose the album", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      fake.fail("several-tracks", { status: 500 }, { status: 500 }, { status: 500 })
      const fiber = yield* Effect.fork(fetchSpotify(okComputer.id))
      yield* advanceWhenSleeping(500)
      yield* advanceWhenSleeping(1000)
      const album = yield* Fiber.join(fiber)
      expect(album.tracks).toHaveLength(12)
      expect(album.tracks.every((t) => t.isrc === null)).toBe(true)
    }))

  test("an unknown album is 'Spotify album not found'", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      const id = spotifyId("no such album")
      const error = yield* fetchSpotify(`https://open.spotify.com/album/${id}`).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "AlbumNotFound", source: "spotify", albumId: id })
      expect(error.message).toBe(`Spotify album not found: ${id}`)
      expect(fake.count("album")).toBe(1)
    }))

  test("a reference that is not a Spotify album never reaches Spotify", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      for (const ref of ["6dVIqQ8qmQ5GBnJ9shOYG", "https://open.spotify.com/track/2takcwOaAZWiXQijPHIx7B", "https://www.deezer.com/album/302127"]) {
        const error = yield* fetchSpotify(ref).pipe(Effect.flip)
        expect(error._tag).toBe("InvalidAlbumReference")
      }
      expect(fake.requests()).toEqual([])
    }))

  test("a 503 is retried; a Spotify that keeps failing is reported as Spotify failing", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      fake.fail("album", { status: 503 })
      const ok = yield* Effect.fork(fetchSpotify(okComputer.id))
      yield* advanceWhenSleeping(500)
      expect((yield* Fiber.join(ok)).tracks).toHaveLength(12)

      fake.fail("album", { status: 500 }, { status: 502 }, { status: 500 })
      const failing = yield* Effect.fork(fetchSpotify(okComputer.id))
      yield* advanceWhenSleeping(500)
      yield* advanceWhenSleeping(1000)
      const error = yield* Fiber.join(failing).pipe(Effect.flip)
      expect(error._tag).toBe("CatalogUnavailable")
      expect(error.message).toMatch(/^Spotify failed: album lookup: HTTP 500/)
    }))
})
