import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { AlbumCatalog } from "../../../src/domain/ports/AlbumSource.js"
import { TrackRepository } from "../../../src/domain/ports/TrackRepository.js"
import { CatalogTestEnv } from "./env.js"

const test = (name: string, body: () => Effect.Effect<void, unknown, any>) =>
  it.effect(name, () => body().pipe(Effect.provide(CatalogTestEnv())))

const mezzanine = {
  source: "local" as const,
  sourceId: "b7f9c0de-1d2e-4f3a-9b8c-7d6e5f4a3b2c",
  title: "Mezzanine",
  artist: "Massive Attack",
  releaseDate: "1998",
  tracks: [
    { title: "Teardrop", artist: "Massive Attack", album: "Mezzanine", trackNumber: 3, discNumber: 1, durationMs: 330_000 },
    { title: "Angel", artist: "Massive Attack", album: "Mezzanine", trackNumber: 1, discNumber: 1 },
    { title: "Risingson", artist: "Massive Attack", album: "Mezzanine", trackNumber: 2, discNumber: 1 }
  ]
}

describe("library album source", () => {
  test("an album in the database is found by our album id, tracks in album order", () =>
    Effect.gen(function*() {
      const stored = yield* Effect.flatMap(TrackRepository, (r) => r.upsertAlbum(mezzanine))
      const album = yield* Effect.flatMap(AlbumCatalog, (c) => c.fetch("local", stored.album.id))
      expect(album).toMatchObject({
        source: "local", sourceId: mezzanine.sourceId, title: "Mezzanine", artist: "Massive Attack", releaseDate: "1998",
        libraryId: stored.album.id
      })
      expect(album.tracks.map((t) => t.title)).toEqual(["Angel", "Risingson", "Teardrop"])
      expect(album.tracks[2]).toMatchObject({ durationMs: 330_000, trackNumber: 3 })
      // its own source id works too
      const again = yield* Effect.flatMap(AlbumCatalog, (c) => c.fetch("local", ` ${mezzanine.sourceId} `))
      expect(again.libraryId).toBe(stored.album.id)
    }))

  test("a Spotify album stored earlier is a library album too, and keeps its origin", () =>
    Effect.gen(function*() {
      const stored = yield* Effect.flatMap(TrackRepository, (r) => r.upsertAlbum({
        ...mezzanine, source: "spotify", sourceId: "49MNmJhZQewjt06rpwp6QR",
        tracks: mezzanine.tracks.map((t, i) => ({ ...t, spotifyId: `spotifyTrackId00000000${i}` }))
      }))
      const album = yield* Effect.flatMap(AlbumCatalog, (c) => c.fetch("local", stored.album.id))
      expect(album).toMatchObject({ source: "spotify", sourceId: "49MNmJhZQewjt06rpwp6QR", libraryId: stored.album.id })
      expect(album.tracks[0]!.spotifyId).toBe("spotifyTrackId000000001")
    }))

  test("an unknown id is 'no album ... in the library'", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flatMap(AlbumCatalog, (c) => c.fetch("local", "3f1c6a52-8d0e-4b8e-9a51-0c4f3b0f2a77")).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "AlbumNotFound", source: "local" })
      expect(error.message).toBe("no album with id 3f1c6a52-8d0e-4b8e-9a51-0c4f3b0f2a77 in the library")
    }))
})
