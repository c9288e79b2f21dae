import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, Option } from "effect"
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { toDto } from "../../../src/api/dto.js"
import { INDEX_BATCH, LibraryIndexer } from "../../../src/application/library/library-indexer.js"
import { QueueTrackDownload } from "../../../src/application/queue-track-download.js"
import { TrackRepository } from "../../../src/domain/ports/TrackRepository.js"
import { Settings } from "../../../src/domain/ports/Settings.js"
import { writeTags } from "../../../src/infrastructure/library/audio-file.js"
import { LibraryIndex } from "../../../src/infrastructure/library/library-index.js"
import { PersistenceTest } from "../../support/db.js"

const FIXTURES = join(import.meta.dirname, "../../fixtures/audio")

const layer = () => QueueTrackDownload.Default.pipe(
  Layer.provideMerge(LibraryIndexer.Default),
  Layer.provideMerge(LibraryIndex.Default),
  Layer.provideMerge(PersistenceTest())
)

/** A library folder holding real audio files tagged as given. */
const library = (files: ReadonlyArray<{ rel: string; fixture?: string; title: string; artist: string; album?: string; isrc?: string }>) => {
  const root = mkdtempSync(join(tmpdir(), "soulspot-library-"))
  for (const f of files) {
    const p = join(root, f.rel)
    mkdirSync(dirname(p), { recursive: true })
    copyFileSync(join(FIXTURES, f.fixture ?? "genuine.flac"), p)
    writeTags(p, {
      title: f.title, artist: f.artist, album: f.album ?? null, albumArtist: null, trackNumber: null, trackCount: null,
      discNumber: null, discCount: null, year: null, isrc: f.isrc ?? null
    })
  }
  return root
}

const useLibrary = (dir: string) => Effect.flatMap(Settings, (s) => s.update({ "import.library_dir": dir }))

describe("library index", () => {
  it.scoped("a request for a track already in the library is answered with that file: COMPLETED, IMPORTED, no search", () => Effect.gen(function*() {
    const root = library([
      { rel: "Massive Attack/Mezzanine/01 Angel.flac", title: "Angel", artist: "Massive Attack", album: "Mezzanine" },
      { rel: "Portishead/Dummy/Roads.mp3", fixture: "track.mp3", title: "Roads", artist: "Portishead", album: "Dummy", isrc: "GBAAA9400001" },
      { rel: "notes.txt", title: "", artist: "" }
    ].filter((f) => !f.rel.endsWith(".txt")))
    writeFileSync(join(root, "cover.jpg"), "not audio")
    yield* useLibrary(root)
    const summary = yield* (yield* LibraryIndexer).scan(root)
    expect(summary).toEqual({ seen: 2, read: 2, unreadable: 0 })

    const queue = yield* QueueTrackDownload
    // by name (case and punctuation fold), album agreeing
    const byName = yield* queue.run({ track: { title: "angel", artist: "MASSIVE ATTACK", album: "Mezzanine" } })
    const dto = toDto(byName.download)
    expect(dto.status).toBe("COMPLETED")
    expect(dto.import).toMatchObject({ status: "IMPORTED", path: join(root, "Massive Attack/Mezzanine/01 Angel.flac"), reason: "already in your library" })
    expect(dto.import!.checks).toEqual([{ name: "library", ok: true, detail: `already in your library at ${join(root, "Massive Attack/Mezzanine/01 Angel.flac")}` }])
    // by ISRC, whatever the names
    const byIsrc = yield* queue.run({ track: { title: "Roads (Remastered)", artist: "Portishead", isrc: "GB-AAA-94-00001" } })
    expect(toDto(byIsrc.download).import?.path).toBe(join(root, "Portishead/Dummy/Roads.mp3"))
    // asked again: the same download, not a second one
    const again = yield* queue.run({ track: { title: "Angel", artist: "Massive Attack", album: "Mezzanine" } })
    expect(again).toMatchObject({ created: false, download: { id: byName.download.id } })
    // a track the library does not have is queued as usual
    const other = yield* queue.run({ track: { title: "Teardrop", artist: "Massive Attack", album: "Mezzanine" } })
    expect(other.download.status).toBe("WAITING")
    expect(toDto(other.download).import).toBeNull()
    // a different ISRC is a different recording, even with the same names
    const remix = yield* queue.run({ track: { title: "Roads", artist: "Portishead", album: "Dummy", isrc: "GBAAA9400099" } })
    expect(remix.download.status).toBe("WAITING")
  }).pipe(Effect.provide(layer())))

  it.scoped("without a library folder nothing is looked up", () => Effect.gen(function*() {
    const root = library([{ rel: "a/Angel.flac", title: "Angel", artist: "Massive Attack" }])
    yield* (yield* LibraryIndexer).scan(root)
    const r = yield* (yield* QueueTrackDownload).run({ track: { title: "Angel", artist: "Massive Attack" } })
    expect(r.download.status).toBe("WAITING")
  }).pipe(Effect.provide(layer())))

  it.scoped("a file removed from the library is downloaded again, and the next scan drops it", () => Effect.gen(function*() {
    const root = library([
      { rel: "a/Angel.flac", title: "Angel", artist: "Massive Attack" },
      { rel: "a/Teardrop.flac", title: "Teardrop", artist: "Massive Attack" }
    ])
    yield* useLibrary(root)
    const indexer = yield* LibraryIndexer
    yield* indexer.scan(root)
    rmSync(join(root, "a/Angel.flac"))
    const r = yield* (yield* QueueTrackDownload).run({ track: { title: "Angel", artist: "Massive Attack" } })
    expect(r.download.status).toBe("WAITING")
    rmSync(join(root, "a/Teardrop.flac"))
    yield* indexer.scan(root)
    expect(yield* (yield* LibraryIndex).count).toBe(0)
  }).pipe(Effect.provide(layer())))

  it.scoped("a large library is indexed in batches with progress logged; a second scan reads only changed files", () => Effect.gen(function*() {
    const n = INDEX_BATCH * 2 + 5
    const root = library(Array.from({ length: n }, (_, i) => ({ rel: `Artist ${i % 7}/Album/${i}.opus`, fixture: "track.opus", title: `Song ${i}`, artist: `Artist ${i % 7}` })))
    const logs: Array<string> = []
    const logger = Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => logs.push(String(message))))
    const indexer = yield* LibraryIndexer
    expect(yield* indexer.scan(root).pipe(Effect.provide(logger))).toEqual({ seen: n, read: n, unreadable: 0 })
    expect(logs.filter((l) => l.startsWith("library index:"))).toEqual([
      `library index: ${INDEX_BATCH} files seen, ${INDEX_BATCH} read`,
      `library index: ${INDEX_BATCH * 2} files seen, ${INDEX_BATCH * 2} read`,
      `library index: ${n} files seen, ${n} read`
    ])
    expect(yield* indexer.scan(root)).toEqual({ seen: n, read: 0, unreadable: 0 })
    expect(yield* (yield* LibraryIndex).count).toBe(n)
    const song = yield* Effect.flatMap(TrackRepository, (t) => t.upsert({ title: "Song 12", artist: "Artist 5" }))
    expect(Option.getOrNull(yield* indexer.lookup(song))).toBe(join(root, "Artist 5/Album/12.opus"))
  }).pipe(Effect.provide(layer())), 60_000)
})
