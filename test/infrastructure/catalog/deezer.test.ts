import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { AlbumCatalog } from "../../../src/domain/ports/AlbumSource.js"
import { beatlesOne, discovery, mellonCollie, useFakeDeezer } from "../../support/fake-deezer.js"
import { advanceWhenSleeping, CatalogTestEnv } from "./env.js"

const fetchDeezer = (ref: string) => Effect.flatMap(AlbumCatalog, (c) => c.fetch("deezer", ref))

const test = (name: string, body: () => Effect.Effect<void, unknown, any>) =>
  it.effect(name, () => body().pipe(Effect.provide(CatalogTestEnv())))

describe("Deezer album source", () => {
  test("a 27-track album gives all 27 tracks with ISRC and positions, not the 25 that /album embeds", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeDeezer
      fake.addAlbum(beatlesOne)
      const album = yield* fetchDeezer("https://www.deezer.com/us/album/12047952")

      expect(album).toMatchObject({
        source: "deezer", sourceId: "12047952", title: "1 (Remastered)", artist: "The Beatles", releaseDate: "2000-11-13",
        coverUrl: expect.stringContaining("1000x1000")
      })
      expect(album.tracks).toHaveLength(27)
      expect(album.tracks[0]).toEqual({
        title: "Love Me Do (Remastered 2015)", artist: "The Beatles", album: "1 (Remastered)", durationMs: 140_000,
        isrc: "GBUM71500001", trackNumber: 1, discNumber: 1, deezerId: "116348198"
      })
      expect(album.tracks[26]).toMatchObject({ title: "The Long And Winding Road (Remastered 2015)", trackNumber: 27, durationMs: 218_000 })
      // Deezer gives "" when it has no ISRC: that is no ISRC
      expect(album.tracks.find((t) => t.title.startsWith("Hey Jude"))?.isrc).toBeNull()
      // metadata once, then the tracks endpoint page by page through `next`
      const pages = fake.requests().filter((r) => r.route === "album-tracks")
      expect(fake.count("album")).toBe(1)
      expect(pages).toHaveLength(2)
      expect(pages[1]!.query).toContain("index=25")
    }))

  test("an album on one page (no `next` key at all) takes one tracks request", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeDeezer
      fake.addAlbum(discovery)
      const album = yield* fetchDeezer("302127")
      expect(album.tracks.map((t) => t.title).slice(0, 4)).toEqual(["One More Time", "Aerodynamic", "Digital Love", "Harder, Better, Faster, Stronger"])
      expect(album.tracks.at(-1)).toMatchObject({ title: "Too Long", durationMs: 600_000 })
      expect(fake.count("album-tracks")).toBe(1)
    }))

  test("two discs come back disc by disc even when Deezer lists them out of order", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeDeezer
      fake.addAlbum(mellonCollie, { shuffled: true })
      fake.setMaxPageSize(10)
      const album = yield* fetchDeezer("https://www.deezer.com/album/1262014")
      expect(album.tracks.map((t) => [t.discNumber, t.trackNumber])).toEqual(
        [1, 2].flatMap((disc) => Array.from({ length: 14 }, (_, i) => [disc, i + 1])))
      expect(album.tracks[18]).toMatchObject({ title: "1979", discNumber: 2, trackNumber: 5 })
      expect(fake.count("album-tracks")).toBe(3)
    }))

  test("an unknown album (HTTP 200 with error code 800) is 'Deezer album not found'", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeDeezer
      const error = yield* fetchDeezer("999999999").pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "AlbumNotFound", source: "deezer", albumId: "999999999" })
      expect(error.message).toBe("Deezer album not found: 999999999")
      expect(fake.requests().map((r) => [r.status, r.errorCode])).toEqual([[200, 800]])
    }))

  test("the quota error (code 4) pauses one second and carries on where it was", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeDeezer
      fake.addAlbum(beatlesOne)
      fake.quotaAfter(1, 1) // /album answers, the first tracks page hits the quota
      const fiber = yield* Effect.fork(fetchDeezer("12047952"))
      yield* advanceWhenSleeping(1000)
      const album = yield* Fiber.join(fiber)
      expect(album.tracks).toHaveLength(27)
      expect(fake.requests().map((r) => [r.route, r.errorCode])).toEqual([
        ["album", null], ["album-tracks", 4], ["album-tracks", null], ["album-tracks", null]
      ])
    }))

  test("a quota that does not lift ends, after pauses of 1, 2 and 4 s, as rate limited naming Deezer", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeDeezer
      fake.addAlbum(discovery)
      fake.quotaAfter(0, 100)
      const fiber = yield* Effect.fork(fetchDeezer("302127"))
      yield* advanceWhenSleeping(1000)
      yield* advanceWhenSleeping(2000)
      yield* advanceWhenSleeping(4000)
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "CatalogRateLimited", service: "Deezer" })
      expect(error.message).toMatch(/^Deezer is limiting how often we may ask/)
      expect(fake.count("album")).toBe(4)
    }))

  test("'service busy' (code 700) is retried like the quota", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeDeezer
      fake.addAlbum(discovery)
      fake.failWithCode("album", 700)
      const fiber = yield* Effect.fork(fetchDeezer("302127"))
      yield* advanceWhenSleeping(1000)
      expect((yield* Fiber.join(fiber)).tracks).toHaveLength(14)
    }))

  test("any other error code is a Deezer failure and is not retried", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeDeezer
      fake.addAlbum(discovery)
      fake.failWithCode("album-tracks", 600)
      const error = yield* fetchDeezer("302127").pipe(Effect.flip)
      expect(error._tag).toBe("CatalogUnavailable")
      expect(error.message).toBe("Deezer failed: album tracks: Deezer error 600 InvalidQueryException (Invalid query)")
      expect(fake.count("album-tracks")).toBe(1)
    }))

  test("a 502 page is retried, and a Deezer that keeps failing is reported as Deezer failing", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeDeezer
      fake.addAlbum(discovery)
      fake.failWithStatus("album", 502)
      const ok = yield* Effect.fork(fetchDeezer("302127"))
      yield* advanceWhenSleeping(500)
      expect((yield* Fiber.join(ok)).tracks).toHaveLength(14)

      fake.failWithStatus("album", 502, 503, 502)
      const failing = yield* Effect.fork(fetchDeezer("302127"))
      yield* advanceWhenSleeping(500)
      yield* advanceWhenSleeping(1000)
      const error = yield* Fiber.join(failing).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "CatalogUnavailable", service: "Deezer" })
      expect(error.message).toBe("Deezer failed: album lookup: HTTP 502")
    }))

  test("links to tracks or artists, and Spotify links, never reach Deezer", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeDeezer
      for (const ref of ["https://www.deezer.com/track/3135553", "https://www.deezer.com/us/artist/27", "spotify:album:6dVIqQ8qmQ5GBnJ9shOYGE"]) {
        const error = yield* fetchDeezer(ref).pipe(Effect.flip)
        expect(error._tag).toBe("InvalidAlbumReference")
      }
      expect(fake.requests()).toEqual([])
    }))
})
