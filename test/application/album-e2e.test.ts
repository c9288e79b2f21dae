import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { QueueAlbumDownloads } from "../../src/application/queue-album-downloads.js"
import { makeSimulator } from "../../src/dev/slskd-simulator/index.js"
import type { SimFile } from "../../src/dev/slskd-simulator/index.js"
import { tempDbFile } from "../support/db.js"
import { allIn, engineLayer, waitUntil } from "../support/engine.js"

const TRACKS = [
  "Safe from Harm", "One Love", "Blue Lines", "Be Thankful for What You've Got", "Five Man Army", "Unfinished Sympathy",
  "Daydreaming", "Lately", "Hymn of the Big Wheel", "Any Love", "Eleven Promises", "Home of the Whale"
]
const LENGTHS = [331, 288, 261, 249, 364, 308, 254, 266, 396, 232, 211, 327]
const FOLDER = "@@mxq\\Music\\Massive Attack\\1991 - Blue Lines (2012 Mix) [FLAC]"

const folderFiles: ReadonlyArray<SimFile> = TRACKS.map((t, i) => ({
  filename: `${FOLDER}\\${String(i + 1).padStart(2, "0")} - ${t}.flac`, extension: "", size: LENGTHS[i]! * 105_000 + i, length: LENGTHS[i]!
}))

describe("album download end to end", () => {
  it.effect("a 12-track album held in one folder completes with one search (≤ 0.25 searches per track)", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* sim.control.addPeer({ username: "bristol_sound", uploadSpeed: 6 * 1024 * 1024, hasFreeUploadSlot: true, queueLength: 0, files: folderFiles })
      // a second peer with half the album, faster: must not split the album
      yield* sim.control.addPeer({
        username: "halfway_house", uploadSpeed: 9 * 1024 * 1024, hasFreeUploadSlot: true, queueLength: 0,
        files: folderFiles.slice(0, 6).map((f) => ({ ...f, filename: f.filename.replace(FOLDER, "D:\\mp3\\Massive Attack - Blue Lines"), size: f.size + 7 }))
      })
      yield* Effect.gen(function*() {
        const albums = yield* QueueAlbumDownloads
        const stored = yield* albums.importLocalAlbum({
          title: "Blue Lines", artist: "Massive Attack",
          tracks: TRACKS.map((title, i) => ({ title, artist: "Massive Attack", durationMs: LENGTHS[i]! * 1000, trackNumber: i + 1, discNumber: 1 }))
        })
        const before = yield* sim.control.searchCount
        const result = yield* albums.run({ source: "local", albumRef: stored.album.id })
        expect(result.downloads).toHaveLength(12)
        const ids = result.downloads.map((d) => d.id)
        yield* waitUntil(allIn(ids, ["COMPLETED"]), { limit: "30 minutes", step: "1 second" })
        const searches = (yield* sim.control.searchCount) - before
        const perTrack = searches / TRACKS.length
        console.log(`album figure: ${searches} search(es) for ${TRACKS.length} tracks = ${perTrack.toFixed(3)} searches per track`)
        expect(perTrack).toBeLessThanOrEqual(0.25)
        const transfers = yield* sim.control.transfers // removed ones too: finished transfers leave the listing
        expect(transfers).toHaveLength(12)
        expect(new Set(transfers.map((t) => t.username))).toEqual(new Set(["bristol_sound"]))
        expect(transfers.every((t) => t.filename.startsWith(FOLDER))).toBe(true)
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  it.effect("tracks the folder lacks fall back to one search each", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* sim.control.addPeer({ username: "bristol_sound", uploadSpeed: 6 * 1024 * 1024, hasFreeUploadSlot: true, queueLength: 0, files: folderFiles.slice(0, 10) })
      yield* sim.control.addPeer({
        username: "singles", uploadSpeed: 2 * 1024 * 1024, hasFreeUploadSlot: true, queueLength: 0,
        files: folderFiles.slice(10).map((f) => ({ ...f, filename: f.filename.replace(FOLDER, "E:\\Singles\\Massive Attack") }))
      })
      yield* Effect.gen(function*() {
        const albums = yield* QueueAlbumDownloads
        const stored = yield* albums.importLocalAlbum({
          title: "Blue Lines", artist: "Massive Attack",
          tracks: TRACKS.map((title, i) => ({ title, artist: "Massive Attack", durationMs: LENGTHS[i]! * 1000, trackNumber: i + 1 }))
        })
        const result = yield* albums.run({ source: "local", albumRef: stored.album.id })
        yield* waitUntil(allIn(result.downloads.map((d) => d.id), ["COMPLETED"]), { limit: "30 minutes", step: "1 second" })
        expect(yield* sim.control.searchCount).toBe(3) // the album, then the two missing tracks
        const fromSingles = (yield* sim.control.transfers).filter((t) => t.username === "singles")
        expect(fromSingles).toHaveLength(2)
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))
})
