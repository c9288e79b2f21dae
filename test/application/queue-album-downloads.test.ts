import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Queue } from "effect"
import { Events } from "../../src/application/events.js"
import { QueueAlbumDownloads } from "../../src/application/queue-album-downloads.js"
import { AlbumCatalog } from "../../src/domain/ports/AlbumSource.js"
import { DownloadRepository } from "../../src/domain/ports/DownloadRepository.js"
import { Settings } from "../../src/domain/ports/Settings.js"
import { TrackRepository } from "../../src/domain/ports/TrackRepository.js"
import { beatlesOne, useFakeDeezer } from "../support/fake-deezer.js"
import { okComputer, spotifyId, useFakeSpotify } from "../support/fake-spotify.js"
import { CatalogTestEnv } from "../infrastructure/catalog/env.js"
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { writeTags } from "../../src/infrastructure/library/audio-file.js"
import { LibraryIndexer } from "../../src/application/library/library-indexer.js"
import { LibraryIndex } from "../../src/infrastructure/library/library-index.js"

const Env = () => QueueAlbumDownloads.Default.pipe(
  Layer.provideMerge(LibraryIndexer.Default.pipe(Layer.provideMerge(LibraryIndex.Default))),
  Layer.provideMerge(CatalogTestEnv()))

const test = (name: string, body: () => Effect.Effect<void, unknown, any>) =>
  it.effect(name, () => Effect.scoped(body()).pipe(Effect.provide(Env())))

const queueAlbum = (req: Parameters<QueueAlbumDownloads["run"]>[0]) => Effect.flatMap(QueueAlbumDownloads, (u) => u.run(req))
const allDownloads = Effect.flatMap(DownloadRepository, (r) => r.list({ limit: 500, offset: 0 }))

/** Walks a download through the legal moves to `to`. */
const moveTo = (id: string, to: "DOWNLOADING" | "COMPLETED" | "FAILED") => Effect.gen(function*() {
  const repo = yield* DownloadRepository
  if (to === "FAILED") return yield* repo.updateStatus(id, "FAILED", { error: "no acceptable file found" })
  for (const s of ["PENDING", "QUEUED", "DOWNLOADING"] as const) yield* repo.updateStatus(id, s)
  if (to === "COMPLETED") yield* repo.updateStatus(id, "COMPLETED")
})

describe("QueueAlbumDownloads", () => {
  test("a track of the album already in the library is answered with its file; the others are queued", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      const lib = mkdtempSync(join(tmpdir(), "soulspot-album-library-"))
      const file = join(lib, "Radiohead", "OK Computer", "01 Airbag.flac")
      mkdirSync(join(lib, "Radiohead", "OK Computer"), { recursive: true })
      copyFileSync(join(import.meta.dirname, "../fixtures/audio/genuine.flac"), file)
      writeTags(file, { title: "Airbag", artist: "Radiohead", album: "OK Computer", albumArtist: null, trackNumber: 1, trackCount: null, discNumber: null, discCount: null, year: null, isrc: null })
      yield* Effect.flatMap(Settings, (s) => s.update({ "import.library_dir": lib }))
      yield* (yield* LibraryIndexer).scan(lib)

      const result = yield* queueAlbum({ source: "spotify", albumRef: `https://open.spotify.com/album/${okComputer.id}` })
      expect(result.downloads).toHaveLength(12)
      expect(result.downloads[0]).toMatchObject({ status: "COMPLETED", importState: { status: "IMPORTED", path: file } })
      expect(result.downloads.slice(1).every((d) => d.status === "WAITING")).toBe(true)
      expect(result.skipped).toEqual([])
    }))

  test("a Spotify album becomes one WAITING download per track, in album order, and a library album", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer, { shuffled: true })
      const events = yield* Effect.flatMap(Events, (e) => e.subscribe)

      const result = yield* queueAlbum({
        source: "spotify", albumRef: `https://open.spotify.com/album/${okComputer.id}?si=abc`, priority: 5, qualityProfile: "lossless"
      })
      expect(result.created).toBe(true)
      expect(result.skipped).toEqual([])
      expect(result.album).toMatchObject({
        source: "spotify", sourceId: okComputer.id, title: "OK Computer", artist: "Radiohead", totalTracks: 12, releaseDate: "1997-05-21",
        coverUrl: expect.stringMatching(/^https:\/\/i\.scdn\.co\/image\//)
      })
      expect(result.downloads.map((d) => d.track.title)).toEqual(okComputer.tracks.map((t) => t.name))
      expect(result.downloads.every((d) => d.status === "WAITING" && d.priority === 5 && d.qualityProfile === "lossless")).toBe(true)
      expect(result.downloads[0]!.track).toMatchObject({
        album: "OK Computer", trackNumber: 1, discNumber: 1, durationMs: 284386, isrc: "GBAYE9700001", spotifyId: okComputer.tracks[0]!.id
      })
      expect((yield* allDownloads).total).toBe(12)
      // the page hears about every new download (published after the commit)
      expect((yield* Queue.takeAll(events)).length).toBe(12)

      // from now on the album can be queued from the library by our id
      const local = yield* Effect.flatMap(AlbumCatalog, (c) => c.fetch("local", result.album.id))
      expect(local.tracks.map((t) => t.title)).toEqual(okComputer.tracks.map((t) => t.name))
      const stored = yield* Effect.flatMap(TrackRepository, (r) => r.findAlbum("spotify", okComputer.id))
      expect(Option.map(stored, (a) => a.album.id)).toEqual(Option.some(result.album.id))
    }))

  test("asking for the same album again creates nothing and answers with the same downloads", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      const first = yield* queueAlbum({ source: "spotify", albumRef: okComputer.id })
      const again = yield* queueAlbum({ source: "spotify", albumRef: `spotify:album:${okComputer.id}`, priority: 100 })
      expect(again.created).toBe(false)
      expect(again.album.id).toBe(first.album.id)
      expect(again.downloads.map((d) => d.id)).toEqual(first.downloads.map((d) => d.id))
      expect(again.downloads.every((d) => d.priority === 0)).toBe(true)
      expect(again.skipped.map((s) => s.reason)).toEqual(Array(12).fill("already queued"))
      expect(again.skipped.map((s) => s.trackId)).toEqual(first.downloads.map((d) => d.trackId))
      expect((yield* allDownloads).total).toBe(12)

      // the same album queued through the library is the same album as well
      const viaLibrary = yield* queueAlbum({ source: "local", albumRef: first.album.id })
      expect(viaLibrary.created).toBe(false)
      expect((yield* allDownloads).total).toBe(12)
    }))

  test("tracks already downloaded, downloading or queued on their own are skipped with the reason; failed ones are queued again", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      const repo = yield* DownloadRepository
      // "Karma Police" was asked for on its own before
      const single = yield* repo.queue({
        track: { title: "Karma Police", artist: "Radiohead", spotifyId: okComputer.tracks[5]!.id }, priority: 0, qualityProfile: "balanced"
      })
      const first = yield* queueAlbum({ source: "spotify", albumRef: okComputer.id })
      expect(first.created).toBe(true)
      expect(first.skipped.map((s) => [s.trackId, s.reason, s.download.id])).toEqual([[single.download.trackId, "already queued", single.download.id]])
      // and the album filled in what the single request did not know
      expect(first.skipped[0]!.download.track).toMatchObject({ album: "OK Computer", trackNumber: 6, isrc: "GBAYE9700006" })
      expect(first.downloads[5]!.id).toBe(single.download.id)
      expect((yield* allDownloads).total).toBe(12)

      yield* moveTo(first.downloads[0]!.id, "COMPLETED")
      yield* moveTo(first.downloads[1]!.id, "DOWNLOADING")
      yield* moveTo(first.downloads[2]!.id, "FAILED")
      const second = yield* queueAlbum({ source: "spotify", albumRef: okComputer.id })
      expect(second.created).toBe(true)
      expect(second.skipped.slice(0, 2).map((s) => [s.download.track.title, s.reason])).toEqual([
        ["Airbag", "already downloaded"], ["Paranoid Android", "already downloading"]
      ])
      expect(second.skipped).toHaveLength(11)
      expect(second.downloads[2]).toMatchObject({ status: "WAITING", track: { title: "Subterranean Homesick Alien" } })
      expect(second.downloads[2]!.id).not.toBe(first.downloads[2]!.id)
      expect((yield* allDownloads).total).toBe(13)
    }))

  test("a Deezer album of 27 tracks queues 27 downloads with the default profile", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeDeezer
      fake.addAlbum(beatlesOne)
      yield* Effect.flatMap(Settings, (s) => s.update({ "quality.default_profile": "space-saver" }))
      const result = yield* queueAlbum({ source: "deezer", albumRef: "https://www.deezer.com/album/12047952" })
      expect(result.album).toMatchObject({ source: "deezer", sourceId: "12047952", totalTracks: 27 })
      expect(result.downloads).toHaveLength(27)
      expect(result.downloads.at(-1)!.track).toMatchObject({ title: "The Long And Winding Road (Remastered 2015)", trackNumber: 27, deezerId: "116348224" })
      expect(new Set(result.downloads.map((d) => d.qualityProfile))).toEqual(new Set(["space-saver"]))
      expect(result.downloads.every((d) => d.priority === 0)).toBe(true)
    }))

  test("an imported library album is queued by its id, in the order given", () =>
    Effect.gen(function*() {
      const use = yield* QueueAlbumDownloads
      const imported = yield* use.importLocalAlbum({
        title: " Selected Ambient Works 85-92 ", artist: "Aphex Twin",
        tracks: [{ title: "Xtal", artist: "" }, { title: "Tha", artist: "Aphex Twin" }, { title: "Pulsewidth", artist: " " }]
      })
      expect(imported.album).toMatchObject({ source: "local", title: "Selected Ambient Works 85-92", artist: "Aphex Twin", totalTracks: 3 })
      expect(imported.tracks.map((t) => [t.title, t.artist, t.album, t.trackNumber])).toEqual([
        ["Xtal", "Aphex Twin", "Selected Ambient Works 85-92", 1],
        ["Tha", "Aphex Twin", "Selected Ambient Works 85-92", 2],
        ["Pulsewidth", "Aphex Twin", "Selected Ambient Works 85-92", 3]
      ])
      const result = yield* queueAlbum({ source: "local", albumRef: imported.album.id })
      expect(result.created).toBe(true)
      expect(result.album.id).toBe(imported.album.id)
      expect(result.downloads.map((d) => d.track.title)).toEqual(["Xtal", "Tha", "Pulsewidth"])

      // importing the same names again is another album (self-titled records exist), its tracks are the same tracks
      const twice = yield* use.importLocalAlbum({ title: "Selected Ambient Works 85-92", artist: "Aphex Twin", tracks: [{ title: "Xtal", artist: "Aphex Twin" }] })
      expect(twice.album.id).not.toBe(imported.album.id)
      expect(twice.tracks[0]!.id).toBe(imported.tracks[0]!.id)
    }))

  test("a library import without title, artist or tracks is refused", () =>
    Effect.gen(function*() {
      const use = yield* QueueAlbumDownloads
      const cases = [
        [{ title: " ", artist: "A", tracks: [{ title: "T", artist: "A" }] }, "title: must not be empty"],
        [{ title: "X", artist: "", tracks: [{ title: "T", artist: "A" }] }, "artist: must not be empty"],
        [{ title: "X", artist: "A", tracks: [] }, "tracks: must hold at least one track"],
        [{ title: "X", artist: "A", tracks: [{ title: "T", artist: "A" }, { title: "  ", artist: "A" }] }, "tracks[1].title: must not be empty"]
      ] as const
      for (const [input, message] of cases) {
        const error = yield* use.importLocalAlbum(input).pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "InvalidLocalAlbum", message })
      }
    }))

  test("when the source fails or has no such album, nothing is stored and nothing queued", () =>
    Effect.gen(function*() {
      const fake = yield* useFakeSpotify
      fake.addAlbum(okComputer)
      const missing = yield* queueAlbum({ source: "spotify", albumRef: spotifyId("gone") }).pipe(Effect.flip)
      expect(missing.message).toBe(`Spotify album not found: ${spotifyId("gone")}`)
      yield* Effect.flatMap(Settings, (s) => s.update({ "spotify.client_id": "" }))
      const noCredentials = yield* queueAlbum({ source: "spotify", albumRef: okComputer.id }).pipe(Effect.flip)
      expect(noCredentials._tag).toBe("CatalogCredentialsError")
      const unknownLocal = yield* queueAlbum({ source: "local", albumRef: "3f1c6a52-8d0e-4b8e-9a51-0c4f3b0f2a77" }).pipe(Effect.flip)
      expect(unknownLocal._tag).toBe("AlbumNotFound")
      expect((yield* allDownloads).total).toBe(0)
      expect(yield* Effect.flatMap(TrackRepository, (r) => r.findAlbum("spotify", okComputer.id))).toEqual(Option.none())
    }))
})
