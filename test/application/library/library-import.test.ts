import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, TestClock } from "effect"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { toDto } from "../../../src/api/dto.js"
import { LibraryImport } from "../../../src/application/library/library-import.js"
import { LibraryIndexer } from "../../../src/application/library/library-indexer.js"
import { LibraryIndex } from "../../../src/infrastructure/library/library-index.js"
import { DownloadRepository } from "../../../src/domain/ports/DownloadRepository.js"
import { Settings } from "../../../src/domain/ports/Settings.js"
import { TrackRepository } from "../../../src/domain/ports/TrackRepository.js"
import type { TrackInput } from "../../../src/domain/track.js"
import { readCatalogIds, readCover, readTags, writeTags } from "../../../src/infrastructure/library/audio-file.js"
import { LibraryFs, type LibraryFsApi, nodeLibraryFs } from "../../../src/infrastructure/library/file-system.js"
import { type CompletedFile, SlskdFiles } from "../../../src/infrastructure/library/slskd-events.js"
import { ImportRepositoryLive } from "../../../src/infrastructure/persistence/import-repository.js"
import { PersistenceTest } from "../../support/db.js"

const FIXTURES = join(import.meta.dirname, "../../fixtures/audio")
const REMOTE = "@@abcde\\Music\\Massive Attack\\Mezzanine\\01 Angel.flac"

interface World {
  readonly root: string
  readonly downloads: string
  readonly library: string
  readonly quarantine: string
}

const world = (): World => {
  const root = mkdtempSync(join(tmpdir(), "soulspot-import-"))
  const w = { root, downloads: join(root, "slskd-downloads"), library: join(root, "music"), quarantine: join(root, "quarantine") }
  mkdirSync(w.downloads)
  return w
}

const put = (w: World, rel: string, fixture = "genuine.flac") => {
  const p = join(w.downloads, rel)
  mkdirSync(dirname(p), { recursive: true })
  copyFileSync(join(FIXTURES, fixture), p)
  return p
}

const sizeOf = (fixture: string) => statSync(join(FIXTURES, fixture)).size

const layer = (opts: { fs?: Partial<LibraryFsApi>; event?: CompletedFile } = {}) => {
  const base = PersistenceTest()
  return LibraryImport.Default.pipe(
    Layer.provideMerge(Layer.mergeAll(
      Layer.succeed(LibraryFs, { ...nodeLibraryFs, ...opts.fs }),
      Layer.succeed(SlskdFiles, { completedFile: () => Effect.succeed(Option.fromNullable(opts.event)) }),
      ImportRepositoryLive,
      LibraryIndexer.Default.pipe(Layer.provideMerge(LibraryIndex.Default))
    )),
    Layer.provideMerge(base)
  )
}

const TRACK: TrackInput = { title: "Angel", artist: "Massive Attack", album: "Mezzanine", durationMs: 2000, trackNumber: 1, isrc: "GBAAA9800001" }

/** A download that slskd has just reported Completed, Succeeded. */
const completed = (w: World, opts: { remote?: string; fixture?: string; track?: Partial<TrackInput>; mode?: string; profile?: string } = {}) => Effect.gen(function*() {
  const settings = yield* Settings
  yield* settings.update({
    "import.slskd_downloads_dir": w.downloads, "import.library_dir": w.library, "import.quarantine_dir": w.quarantine,
    "import.mode": opts.mode ?? "move"
  })
  const repo = yield* DownloadRepository
  const { download } = yield* repo.queue({ track: { ...TRACK, ...opts.track }, priority: 0, qualityProfile: opts.profile ?? "lossless" })
  const filename = opts.remote ?? REMOTE
  yield* repo.saveCandidates(download.id, [{ rank: 1, username: "peer1", filename, size: 1, score: 90, accepted: true, reasons: [], query: null }])
  yield* repo.updateStatus(download.id, "PENDING", { username: "peer1", filename, size: sizeOf(opts.fixture ?? "genuine.flac") })
  yield* repo.updateStatus(download.id, "QUEUED", { slskdId: "t-1" })
  yield* repo.updateStatus(download.id, "DOWNLOADING")
  return yield* repo.updateStatus(download.id, "COMPLETED")
})

const importOf = (id: string) => Effect.map(Effect.flatMap(DownloadRepository, (r) => r.get(id)), (d) => ({ d, dto: toDto(d) }))

/** Lets real file I/O finish while the test clock stands still. */
const settle = Effect.promise(() => new Promise<void>((r) => setImmediate(r))).pipe(Effect.repeatN(20))

/** Polls a file-system or database condition while real I/O (and the audio worker thread) runs; the test clock stands still. */
const until = <E, R>(cond: Effect.Effect<boolean, E, R>) => Effect.gen(function*() {
  for (let i = 0; i < 2000 && !(yield* cond); i++) yield* Effect.promise(() => new Promise<void>((r) => setTimeout(r, 5)))
})

const WANT = (w: World) => join(w.library, "Massive Attack", "Mezzanine", "01 Angel.flac")

/** A tiny JPEG (start and end markers around a JFIF header): readers take it as it is. */
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9])

/** A real HTTP server on 127.0.0.1 that serves the cover. */
const coverServer = Effect.acquireRelease(Effect.promise(() => new Promise<Server>((ok) => {
  const s = createServer((_, res) => { res.writeHead(200, { "content-type": "image/jpeg" }).end(JPEG) })
  s.listen(0, "127.0.0.1", () => ok(s))
})), (s) => Effect.promise(() => new Promise<void>((ok) => s.close(() => ok()))))

describe("library import", () => {
  it.scoped("embeds the album's cover from the catalog and writes cover.jpg beside the file, never over the user's", () => Effect.gen(function*() {
    const server = yield* coverServer
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cover.jpg`
    const w = world()
    yield* Effect.flatMap(TrackRepository, (t) => t.upsertAlbum({
      source: "spotify", sourceId: "mezzanine", title: "Mezzanine", artist: "Massive Attack", releaseDate: null, coverUrl: url, tracks: [TRACK]
    }))
    put(w, "Mezzanine/01 Angel.flac")
    const d = yield* completed(w)
    yield* (yield* LibraryImport).run(d.id)
    const { dto } = yield* importOf(d.id)
    expect(dto.import).toMatchObject({ status: "IMPORTED", path: WANT(w) })
    expect(dto.import!.checks.find((c) => c.name === "tags")?.detail).toContain("the album cover")
    expect(yield* Effect.promise(() => readCover(WANT(w)))).toEqual({ data: JPEG, mimeType: "image/jpeg" })
    expect(readFileSync(join(dirname(WANT(w)), "cover.jpg")).equals(JPEG)).toBe(true)
    expect(readdirSync(dirname(WANT(w))).sort()).toEqual(["01 Angel.flac", "cover.jpg"])

    // a second track of the album: the cover.jpg already there is kept
    writeFileSync(join(dirname(WANT(w)), "cover.jpg"), "the user's own")
    put(w, "Mezzanine/02 Risingson.flac")
    const d2 = yield* completed(w, { remote: "@@abcde\\Music\\Massive Attack\\Mezzanine\\02 Risingson.flac", track: { title: "Risingson", trackNumber: 2, isrc: "GBAAA9800002" } })
    yield* (yield* LibraryImport).run(d2.id)
    expect((yield* importOf(d2.id)).dto.import?.status).toBe("IMPORTED")
    expect(readFileSync(join(dirname(WANT(w)), "cover.jpg"), "utf8")).toBe("the user's own")
  }).pipe(Effect.provide(layer())))

  it.scoped("an imported file carries the catalog ids and goes into the library index, so the track is found there next time", () => Effect.gen(function*() {
    const w = world()
    put(w, "Mezzanine/01 Angel.flac")
    const d = yield* completed(w, { track: { spotifyId: "7uv632EkfwYhXoqf8rhYrg", deezerId: "3135556" } })
    yield* (yield* LibraryImport).run(d.id)
    expect(yield* Effect.promise(() => readCatalogIds(WANT(w)))).toEqual({ spotifyId: "7uv632EkfwYhXoqf8rhYrg", deezerId: "3135556" })
    const found = yield* (yield* LibraryIndexer).lookup(d.track)
    expect(Option.getOrNull(found)).toBe(WANT(w))
  }).pipe(Effect.provide(layer())))

  it.scoped("finds the file at slskd's layout path, tags it, publishes it and removes slskd's copy", () => Effect.gen(function*() {
    const w = world()
    const src = put(w, "Mezzanine/01 Angel.flac")
    const d = yield* completed(w)
    yield* (yield* LibraryImport).run(d.id)
    const { dto } = yield* importOf(d.id)
    expect(dto.status).toBe("COMPLETED")
    expect(dto.import).toMatchObject({ status: "IMPORTED", path: WANT(w), reason: null })
    expect(dto.import!.checks.map((c) => c.name)).toEqual(["size", "readable", "format", "duration", "transcode", "tags"])
    expect(existsSync(src)).toBe(false)
    const tags = yield* Effect.promise(() => readTags(WANT(w)))
    expect(tags).toMatchObject({ title: "Angel", artist: "Massive Attack", album: "Mezzanine", isrc: ["GBAAA9800001"] })
    // nothing but the published file in the library
    expect(readdirSync(dirname(WANT(w)))).toEqual(["01 Angel.flac"])
  }).pipe(Effect.provide(layer())))

  it.scoped("copy mode leaves slskd's file where it is", () => Effect.gen(function*() {
    const w = world()
    const src = put(w, "Mezzanine/01 Angel.flac")
    const d = yield* completed(w, { mode: "copy" })
    yield* (yield* LibraryImport).run(d.id)
    expect((yield* importOf(d.id)).dto.import?.status).toBe("IMPORTED")
    expect(readFileSync(src).equals(readFileSync(join(FIXTURES, "genuine.flac")))).toBe(true)
  }).pipe(Effect.provide(layer())))

  it.scoped("takes the _<ticks> copy slskd made when the name was taken, by size", () => Effect.gen(function*() {
    const w = world()
    put(w, "Mezzanine/01 Angel.flac", "track.mp3")
    const renamed = put(w, "Mezzanine/01 Angel_638912345678901234.flac")
    const d = yield* completed(w)
    yield* (yield* LibraryImport).run(d.id)
    expect((yield* importOf(d.id)).dto.import?.status).toBe("IMPORTED")
    expect(existsSync(renamed)).toBe(false)
    expect(existsSync(join(w.downloads, "Mezzanine/01 Angel.flac"))).toBe(true)
  }).pipe(Effect.provide(layer())))

  it.scoped("a file at the root of a Soulseek Qt share lands in the downloads root (slskd 0.26)", () => Effect.gen(function*() {
    const w = world()
    put(w, "01 Angel.flac")
    const d = yield* completed(w, { remote: "@@abcde\\01 Angel.flac" })
    yield* (yield* LibraryImport).run(d.id)
    expect((yield* importOf(d.id)).dto.import?.status).toBe("IMPORTED")
  }).pipe(Effect.provide(layer())))

  it.scoped("follows slskd's DownloadFileComplete event, mapped onto the folder seen here", () => Effect.gen(function*() {
    const w = world()
    const src = put(w, "custom/sub/angel.flac")
    const d = yield* completed(w)
    yield* (yield* LibraryImport).run(d.id)
    expect((yield* importOf(d.id)).dto.import?.status).toBe("IMPORTED")
    expect(existsSync(src)).toBe(false)
  }).pipe(Effect.provide(layer({ event: { localFilename: "/app/downloads/custom/sub/angel.flac", slskdDownloadsDir: "/app/downloads" } }))))

  it.scoped("falls back to a search of the folder for the same name and size", () => Effect.gen(function*() {
    const w = world()
    const src = put(w, "peer1/Massive Attack/Mezzanine/01 Angel.flac")
    const d = yield* completed(w)
    yield* (yield* LibraryImport).run(d.id)
    expect((yield* importOf(d.id)).dto.import?.status).toBe("IMPORTED")
    expect(existsSync(src)).toBe(false)
  }).pipe(Effect.provide(layer())))

  it.scoped("waits for a file slskd moves late, and gives up on one that never comes, as a local problem", () => Effect.gen(function*() {
    const w = world()
    const d = yield* completed(w)
    const importer = yield* LibraryImport
    const fiber = yield* Effect.fork(importer.run(d.id))
    yield* settle
    yield* TestClock.adjust("30 seconds")
    yield* settle
    expect((yield* importOf(d.id)).dto.import).toMatchObject({ status: "IMPORTING", step: "LOCATING" })
    put(w, "Mezzanine/01 Angel.flac")
    for (let i = 0; i < 3; i++) {
      yield* TestClock.adjust("5 seconds")
      yield* settle
    }
    yield* Fiber.join(fiber)
    expect((yield* importOf(d.id)).dto.import?.status).toBe("IMPORTED")

    const w2 = world()
    const d2 = yield* completed(w2, { track: { title: "Teardrop", trackNumber: 3, isrc: "GBAAA9800003" } })
    const f2 = yield* Effect.fork(importer.run(d2.id))
    for (let i = 0; i < 30 && !(yield* Fiber.poll(f2))._tag.startsWith("Some"); i++) {
      yield* settle
      yield* TestClock.adjust("10 seconds")
    }
    yield* Fiber.join(f2)
    const { dto } = yield* importOf(d2.id)
    expect(dto.status).toBe("COMPLETED")
    expect(dto.import?.status).toBe("IMPORT_FAILED")
    expect(dto.import?.reason).toContain("did not appear in slskd's downloads folder within 120 s")
    expect(dto.import?.reason).toContain(join(w2.downloads, "Mezzanine", "01 Angel.flac"))
  }).pipe(Effect.provide(layer())))

  it.scoped("a downloads folder that is not mounted is reported as such", () => Effect.gen(function*() {
    const w = world()
    const d = yield* completed(w)
    yield* (yield* Settings).update({ "import.slskd_downloads_dir": join(w.root, "not-mounted") })
    yield* (yield* LibraryImport).run(d.id)
    const { dto } = yield* importOf(d.id)
    expect(dto.import?.status).toBe("IMPORT_FAILED")
    expect(dto.import?.reason).toContain("is not there on this machine (not mounted")
    expect(dto.attempts).toBe(0)
  }).pipe(Effect.provide(layer())))

  it.scoped("a FLAC made from an MP3 is quarantined, the peer's file marked bad, and the track searched again", () => Effect.gen(function*() {
    const w = world()
    const src = put(w, "Mezzanine/01 Angel.flac", "transcoded.flac")
    const d = yield* completed(w, { fixture: "transcoded.flac" })
    yield* (yield* LibraryImport).run(d.id)
    const { dto } = yield* importOf(d.id)
    expect(dto.status).toBe("WAITING")
    expect(dto.import).toBeNull()
    expect(dto.attempts).toBe(1)
    expect(dto.next_attempt_at).not.toBeNull()
    expect(dto.username).toBeNull()
    expect(dto.error).toContain("made from a lossy file")
    expect(existsSync(src)).toBe(false)
    expect(readdirSync(w.quarantine)).toEqual([`${d.id}-01 Angel.flac`])
    expect(existsSync(w.library)).toBe(false)
    const cands = yield* (yield* DownloadRepository).candidates(d.id)
    expect(cands[0]?.outcome).toContain("failed: ")
  }).pipe(Effect.provide(layer())))

  it.scoped("an MP3 named .flac is refused", () => Effect.gen(function*() {
    const w = world()
    put(w, "Mezzanine/01 Angel.flac", "track.mp3")
    const d = yield* completed(w, { fixture: "track.mp3" })
    yield* (yield* LibraryImport).run(d.id)
    const { dto } = yield* importOf(d.id)
    expect(dto.status).toBe("WAITING")
    expect(dto.error).toMatch(/failed verification: (the file is mp3 but was chosen as \.flac|not a readable audio file)/)
  }).pipe(Effect.provide(layer())))

  it.scoped("a length just outside the tolerance waits for review; accepting imports it", () => Effect.gen(function*() {
    const w = world()
    const src = put(w, "Mezzanine/01 Angel.flac")
    const d = yield* completed(w, { track: { durationMs: 6500 } })
    const importer = yield* LibraryImport
    yield* importer.run(d.id)
    let { dto } = yield* importOf(d.id)
    expect(dto.import).toMatchObject({ status: "NEEDS_REVIEW", path: null })
    expect(dto.import?.checks.find((c) => c.name === "duration")).toMatchObject({ ok: false })
    expect(existsSync(src)).toBe(false)
    expect(existsSync(join(w.quarantine, `${d.id}-01 Angel.flac`))).toBe(true)
    yield* importer.retryOrAccept(d.id)
    yield* importer.run(d.id)
    dto = (yield* importOf(d.id)).dto
    expect(dto.import).toMatchObject({ status: "IMPORTED", path: WANT(w) })
    expect(readdirSync(w.quarantine)).toEqual([])
    // accepting twice is a conflict
    const again = yield* Effect.flip(importer.retryOrAccept(d.id))
    expect(again._tag).toBe("ImportConflict")
  }).pipe(Effect.provide(layer())))

  it.scoped("rejecting a file under review sends the track back to WAITING and keeps the file in quarantine", () => Effect.gen(function*() {
    const w = world()
    put(w, "Mezzanine/01 Angel.flac")
    const d = yield* completed(w, { track: { durationMs: 6500 } })
    const importer = yield* LibraryImport
    yield* importer.run(d.id)
    yield* importer.reject(d.id)
    const { dto } = yield* importOf(d.id)
    expect(dto.status).toBe("WAITING")
    expect(dto.import).toBeNull()
    expect(dto.next_attempt_at).toBeNull()
    expect(dto.error).toContain("rejected by the user")
    expect(existsSync(join(w.quarantine, `${d.id}-01 Angel.flac`))).toBe(true)
    const refused = yield* Effect.flip(importer.reject(d.id))
    expect(refused.message).toContain("not COMPLETED")
  }).pipe(Effect.provide(layer())))

  it.scoped("rejecting an imported file takes it out of the library", () => Effect.gen(function*() {
    const w = world()
    put(w, "Mezzanine/01 Angel.flac")
    const d = yield* completed(w)
    const importer = yield* LibraryImport
    yield* importer.run(d.id)
    yield* importer.reject(d.id)
    expect(existsSync(WANT(w))).toBe(false)
    expect(readdirSync(w.quarantine)).toHaveLength(1)
  }).pipe(Effect.provide(layer())))

  it.scoped("never overwrites a file already in the library", () => Effect.gen(function*() {
    const w = world()
    const src = put(w, "Mezzanine/01 Angel.flac")
    mkdirSync(dirname(WANT(w)), { recursive: true })
    writeFileSync(WANT(w), "the user's own file")
    const d = yield* completed(w)
    yield* (yield* LibraryImport).run(d.id)
    const { dto } = yield* importOf(d.id)
    expect(dto.import?.status).toBe("IMPORT_FAILED")
    expect(dto.import?.reason).toContain(`a file is already in your library at ${WANT(w)}`)
    expect(readFileSync(WANT(w), "utf8")).toBe("the user's own file")
    expect(readdirSync(dirname(WANT(w)))).toEqual(["01 Angel.flac"])
    expect(existsSync(src)).toBe(true)
  }).pipe(Effect.provide(layer())))

  it.scoped("hardlink mode copies when the library is on another file system (EXDEV)", () => Effect.gen(function*() {
    const w = world()
    const src = put(w, "Mezzanine/01 Angel.flac")
    const d = yield* completed(w, { mode: "hardlink" })
    yield* (yield* LibraryImport).run(d.id)
    const { dto } = yield* importOf(d.id)
    expect(dto.import?.status).toBe("IMPORTED")
    expect(dto.import?.checks.find((c) => c.name === "hardlink")?.detail).toContain("another file system")
    expect(existsSync(src)).toBe(true)
    expect(statSync(src).ino).not.toBe(statSync(WANT(w)).ino)
  }).pipe(Effect.provide(layer({
    fs: { link: async (from, to) => {
      if (from.includes("slskd-downloads")) throw Object.assign(new Error("EXDEV: cross-device link not permitted"), { code: "EXDEV" })
      return nodeLibraryFs.link(from, to)
    } }
  }))))

  it.scoped("hardlink mode on one file system links slskd's file", () => Effect.gen(function*() {
    const w = world()
    const src = put(w, "Mezzanine/01 Angel.flac")
    const d = yield* completed(w, { mode: "hardlink" })
    yield* (yield* LibraryImport).run(d.id)
    expect(statSync(src).ino).toBe(statSync(WANT(w)).ino)
  }).pipe(Effect.provide(layer())))
})

/** The user's library already holds the track: a tagged copy of `fixture` at `rel`, indexed. */
const inLibrary = (w: World, rel: string, fixture: string) => Effect.gen(function*() {
  const p = join(w.library, rel)
  mkdirSync(dirname(p), { recursive: true })
  copyFileSync(join(FIXTURES, fixture), p)
  writeTags(p, { title: TRACK.title, artist: TRACK.artist, album: TRACK.album ?? null, albumArtist: null, trackNumber: 1, trackCount: null, discNumber: null, discCount: null, year: null, isrc: TRACK.isrc ?? null })
  yield* (yield* LibraryIndexer).scan(w.library)
  return p
})

describe("library import: a second copy of the same track", () => {
  it.scoped("a FLAC replaces the library's MP3 under a lossless profile; the MP3 waits in quarantine", () => Effect.gen(function*() {
    const w = world()
    const mp3 = yield* inLibrary(w, "Massive Attack/Old Rip/01 Angel.mp3", "track.mp3")
    const mp3Bytes = readFileSync(mp3)
    const src = put(w, "Mezzanine/01 Angel.flac")
    const d = yield* completed(w)
    expect(yield* (yield* LibraryImport).run(d.id)).toBe("imported")
    const { dto } = yield* importOf(d.id)
    expect(dto.import).toMatchObject({ status: "IMPORTED", path: WANT(w) })
    const aside = join(w.quarantine, `${d.id}-replaced-01 Angel.mp3`)
    expect(dto.import?.checks.find((c) => c.name === "upgrade")?.detail).toBe(
      `FLAC 16-bit 44.1 kHz replaces MP3 128 kbps: the "lossless" profile refuses MP3 128 kbps; the old file is kept in quarantine at ${aside}`)
    expect(existsSync(mp3)).toBe(false)
    expect(readFileSync(aside).equals(mp3Bytes)).toBe(true)
    expect(existsSync(src)).toBe(false)
    // the index follows: the track is the FLAC now
    expect(yield* (yield* LibraryIndexer).lookup(d.track)).toEqual(Option.some(WANT(w)))
  }).pipe(Effect.provide(layer())))

  it.scoped("a quarantine on another file system gets the replaced file through a whole copy", () => Effect.gen(function*() {
    const w = world()
    const mp3 = yield* inLibrary(w, "Massive Attack/Old Rip/01 Angel.mp3", "track.mp3")
    const mp3Bytes = readFileSync(mp3)
    put(w, "Mezzanine/01 Angel.flac")
    const d = yield* completed(w)
    expect(yield* (yield* LibraryImport).run(d.id)).toBe("imported")
    expect(existsSync(mp3)).toBe(false)
    expect(readdirSync(w.quarantine)).toEqual([`${d.id}-replaced-01 Angel.mp3`])
    expect(readFileSync(join(w.quarantine, `${d.id}-replaced-01 Angel.mp3`)).equals(mp3Bytes)).toBe(true)
  }).pipe(Effect.provide(layer({
    fs: { rename: async (from, to) => {
      if (from.includes("/music/") && to.includes("/quarantine/")) throw Object.assign(new Error("EXDEV: cross-device link not permitted"), { code: "EXDEV" })
      return nodeLibraryFs.rename(from, to)
    } }
  }))))

  it.scoped("an MP3 arriving for a track the library holds in FLAC is a collision naming the FLAC", () => Effect.gen(function*() {
    const w = world()
    const flac = yield* inLibrary(w, "Massive Attack/Mezzanine/01 Angel.flac", "genuine.flac")
    const flacBytes = readFileSync(flac)
    const src = put(w, "Mezzanine/01 Angel.mp3", "track.mp3")
    const d = yield* completed(w, { remote: REMOTE.replace(".flac", ".mp3"), fixture: "track.mp3", profile: "balanced" })
    expect(yield* (yield* LibraryImport).run(d.id)).toBe("failed")
    const { dto } = yield* importOf(d.id)
    expect(dto.status).toBe("COMPLETED")
    expect(dto.import?.status).toBe("IMPORT_FAILED")
    expect(dto.import?.reason).toContain(`a file is already in your library at ${flac}: nothing was overwritten`)
    expect(dto.import?.reason).toContain("FLAC 16-bit 44.1 kHz")
    expect(readFileSync(flac).equals(flacBytes)).toBe(true)
    expect(readdirSync(dirname(flac))).toEqual(["01 Angel.flac"])
    expect(existsSync(src)).toBe(true)
    expect(existsSync(w.quarantine) ? readdirSync(w.quarantine) : []).toEqual([])
  }).pipe(Effect.provide(layer())))

  it.scoped("the same quality again is a collision", () => Effect.gen(function*() {
    const w = world()
    const flac = yield* inLibrary(w, "Massive Attack/Mezzanine/01 Angel.flac", "genuine.flac")
    put(w, "Mezzanine/01 Angel.flac")
    const d = yield* completed(w)
    yield* (yield* LibraryImport).run(d.id)
    expect((yield* importOf(d.id)).dto.import?.reason).toContain(`a file is already in your library at ${flac}: nothing was overwritten; the existing file (FLAC 16-bit 44.1 kHz) is as good as the new one`)
  }).pipe(Effect.provide(layer())))

  it.scoped("with import.upgrade off an upgrade is a collision too", () => Effect.gen(function*() {
    const w = world()
    const mp3 = yield* inLibrary(w, "Massive Attack/Old Rip/01 Angel.mp3", "track.mp3")
    put(w, "Mezzanine/01 Angel.flac")
    const d = yield* completed(w)
    yield* (yield* Settings).update({ "import.upgrade": "false" })
    yield* (yield* LibraryImport).run(d.id)
    const { dto } = yield* importOf(d.id)
    expect(dto.import?.status).toBe("IMPORT_FAILED")
    expect(dto.import?.reason).toContain("quality upgrades are off (import.upgrade)")
    expect(existsSync(mp3)).toBe(true)
  }).pipe(Effect.provide(layer())))
})

describe("library import after a crash", () => {
  let crash = true
  it.scoped("a crash between the staged copy and the publish resumes and publishes exactly once", () => Effect.gen(function*() {
    const w = world()
    const src = put(w, "Mezzanine/01 Angel.flac")
    const d = yield* completed(w)
    const importer = yield* LibraryImport
    // the process dies while the publish is under way (kill -9: the fiber stops there)
    const fiber = yield* Effect.fork(importer.run(d.id))
    yield* until(Effect.map(importOf(d.id), ({ dto }) => dto.import?.step === "PUBLISHING"))
    yield* settle
    yield* Fiber.interrupt(fiber)
    let { dto } = yield* importOf(d.id)
    expect(dto.import).toMatchObject({ status: "IMPORTING", step: "PUBLISHING" })
    expect(existsSync(src)).toBe(true)
    crash = false
    yield* importer.run(d.id)
    dto = (yield* importOf(d.id)).dto
    expect(dto.import).toMatchObject({ status: "IMPORTED", step: "DONE", path: WANT(w) })
    expect(readdirSync(dirname(WANT(w)))).toEqual(["01 Angel.flac"])
    expect(existsSync(src)).toBe(false)
    // a second run changes nothing
    yield* importer.run(d.id)
    expect(readdirSync(dirname(WANT(w)))).toEqual(["01 Angel.flac"])
  }).pipe(Effect.provide(layer({
    fs: { link: async (from, to) => {
      if (crash) return new Promise<void>(() => {})
      return nodeLibraryFs.link(from, to)
    } }
  }))))
})

describe("a quality upgrade after a crash in the swap", () => {
  let crash = true
  it.scoped("the old file is in quarantine, the new one not yet published; the restart finishes the swap exactly once", () => Effect.gen(function*() {
    const w = world()
    const mp3 = yield* inLibrary(w, "Massive Attack/Old Rip/01 Angel.mp3", "track.mp3")
    put(w, "Mezzanine/01 Angel.flac")
    const d = yield* completed(w)
    const importer = yield* LibraryImport
    const aside = join(w.quarantine, `${d.id}-replaced-01 Angel.mp3`)
    // kill -9 after the old file went to quarantine, while the new one is being linked in
    const fiber = yield* Effect.fork(importer.run(d.id))
    yield* until(Effect.sync(() => existsSync(aside)))
    yield* settle
    yield* Fiber.interrupt(fiber)
    let { dto } = yield* importOf(d.id)
    expect(dto.import).toMatchObject({ status: "IMPORTING", step: "PUBLISHING" })
    expect(existsSync(mp3)).toBe(false)
    expect(existsSync(aside)).toBe(true)
    expect(existsSync(WANT(w))).toBe(false)
    crash = false
    expect(yield* importer.run(d.id)).toBe("imported")
    dto = (yield* importOf(d.id)).dto
    expect(dto.import).toMatchObject({ status: "IMPORTED", step: "DONE", path: WANT(w) })
    expect(readdirSync(dirname(WANT(w)))).toEqual(["01 Angel.flac"])
    // moved once: no second "replaced" copy, and nothing left half-done
    expect(readdirSync(w.quarantine)).toEqual([`${d.id}-replaced-01 Angel.mp3`])
    yield* importer.run(d.id)
    expect(readdirSync(w.quarantine)).toEqual([`${d.id}-replaced-01 Angel.mp3`])
    expect(readdirSync(dirname(WANT(w)))).toEqual(["01 Angel.flac"])
  }).pipe(Effect.provide(layer({
    fs: { link: async (from, to) => {
      if (crash) return new Promise<void>(() => {})
      return nodeLibraryFs.link(from, to)
    } }
  }))))
})
