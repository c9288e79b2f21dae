import { Effect, Layer, Option } from "effect"
import { randomUUID } from "node:crypto"
import { readdir, stat } from "node:fs/promises"
import { extname, join, resolve } from "node:path"
import { ImportSetting } from "../../config.js"
import type { Download } from "../../domain/download.js"
import { DomainEvents } from "../../domain/events.js"
import { findInLibrary } from "../../domain/library/library-match.js"
import { DownloadRepository } from "../../domain/ports/DownloadRepository.js"
import { Settings } from "../../domain/ports/Settings.js"
import type { Track } from "../../domain/track.js"
import { EXTENSIONS, readIndexTags } from "../../infrastructure/library/audio-file.js"
import { type IndexedFile, LibraryIndex } from "../../infrastructure/library/library-index.js"

/** Files read per batch: one transaction each, and the server runs between batches. */
export const INDEX_BATCH = 100
const AUDIO = new Set(Object.values(EXTENSIONS).flat())

/** What the page shows about the library import. */
export interface LibraryState {
  readonly downloadsDir: string | null
  readonly libraryDir: string | null
  readonly indexed: number
}

/** Whether finished files are imported: both folders are set. */
export const importIsOn = (s: LibraryState | undefined): boolean => s !== undefined && s.downloadsDir !== null && s.libraryDir !== null

export interface ScanSummary {
  readonly seen: number
  readonly read: number
  readonly unreadable: number
}

/**
 * Keeps the library index current (a scan of the library folder, tags read only for new or
 * changed files, plus every import) and answers a request for a track already there.
 */
export class LibraryIndexer extends Effect.Service<LibraryIndexer>()("soulspot/LibraryIndexer", {
  effect: Effect.gen(function*() {
    const index = yield* LibraryIndex
    const settings = yield* Settings
    const downloads = yield* DownloadRepository
    const events = yield* DomainEvents

    const statOrNull = (p: string) => Effect.promise(() => stat(p).catch(() => null))

    const indexBatch = (paths: ReadonlyArray<string>, scanId: string) => Effect.gen(function*() {
      const known = yield* index.known(paths)
      const fresh: Array<IndexedFile> = []
      const unchanged: Array<string> = []
      let unreadable = 0
      for (const path of paths) {
        const st = yield* statOrNull(path)
        if (st === null) continue
        const k = known.get(path)
        if (k && k.size === st.size && k.mtimeMs === Math.round(st.mtimeMs)) {
          unchanged.push(path)
          continue
        }
        const tags = yield* Effect.tryPromise(() => readIndexTags(path)).pipe(Effect.option)
        if (Option.isNone(tags)) {
          unreadable++
          continue
        }
        fresh.push({ path, size: st.size, mtimeMs: st.mtimeMs, ...tags.value })
      }
      yield* index.upsertMany(fresh, scanId)
      if (unchanged.length > 0) yield* index.touch(unchanged, scanId)
      return { read: fresh.length, unreadable }
    })

    /** Walks `root` in batches of INDEX_BATCH files, yielding between them; drops entries of files gone. */
    const scan = Effect.fn("LibraryIndexer.scan")(function*(dir: string) {
      const root = resolve(dir)
      const scanId = randomUUID()
      const summary = { seen: 0, read: 0, unreadable: 0 }
      const dirs = [root]
      let batch: Array<string> = []
      const flush = Effect.gen(function*() {
        if (batch.length === 0) return
        const r = yield* indexBatch(batch, scanId)
        summary.seen += batch.length
        summary.read += r.read
        summary.unreadable += r.unreadable
        batch = []
        yield* Effect.logInfo(`library index: ${summary.seen} files seen, ${summary.read} read`)
        yield* Effect.yieldNow()
      })
      while (dirs.length > 0) {
        const d = dirs.pop()!
        const entries = yield* Effect.promise(() => readdir(d, { withFileTypes: true }).catch(() => []))
        for (const e of entries) {
          if (e.name.startsWith(".")) continue // staging files and hidden folders
          const p = join(d, e.name)
          if (e.isDirectory()) dirs.push(p)
          else if (e.isFile() && AUDIO.has(extname(e.name).slice(1).toLowerCase())) {
            batch.push(p)
            if (batch.length >= INDEX_BATCH) yield* flush
          }
        }
      }
      yield* flush
      yield* index.removeUnseen(root, scanId)
      yield* Effect.logInfo(`library index of ${root} done: ${summary.seen} files, ${summary.read} read, ${summary.unreadable} unreadable`)
      return summary satisfies ScanSummary
    })

    /** An imported file goes into the index with the catalog's tags, which were just written. */
    const record = Effect.fn("LibraryIndexer.record")(function*(path: string, track: Track, album: string | null) {
      const st = yield* statOrNull(path)
      if (st === null) return
      yield* index.upsertMany([{ path, size: st.size, mtimeMs: st.mtimeMs, title: track.title, artist: track.artist, album, isrc: track.isrc }])
    })

    /** A file that left the library (moved to quarantine by a quality upgrade). */
    const forget = Effect.fn("LibraryIndexer.forget")(function*(path: string) {
      yield* index.remove(path)
    })

    /** The library file that is this track, if one is indexed and still there. */
    const lookup = Effect.fn("LibraryIndexer.lookup")(function*(track: Track) {
      const files = [...(yield* index.candidates(track))]
      while (files.length > 0) {
        const hit = findInLibrary(track, files)
        if (hit === undefined) return Option.none<string>()
        if ((yield* statOrNull(hit.path))?.isFile()) return Option.some(hit.path)
        yield* index.remove(hit.path)
        files.splice(files.indexOf(hit), 1)
      }
      return Option.none<string>()
    })

    /**
     * A new request for a track already in the library: a COMPLETED download whose import is
     * IMPORTED at that file, no search made. None when the library does not have it (or is not set).
     */
    const answer = Effect.fn("LibraryIndexer.answer")(function*(track: Track, priority: number, qualityProfile: string) {
      if (Option.isNone(yield* settings.get(ImportSetting.libraryDir))) return Option.none<Download>()
      const path = yield* lookup(track)
      if (Option.isNone(path)) return Option.none<Download>()
      const id = yield* index.answerFromLibrary(track.id, priority, qualityProfile, path.value, `already in your library at ${path.value}`)
      if (Option.isNone(id)) return Option.none<Download>()
      const download = yield* downloads.get(id.value).pipe(Effect.orDie)
      yield* events.publish([{ _tag: "DownloadChanged", download }])
      yield* Effect.logInfo(`${download.id}: already in your library at ${path.value}; no search`)
      return Option.some(download)
    })

    const state = Effect.gen(function*() {
      return {
        downloadsDir: Option.getOrNull(yield* settings.get(ImportSetting.slskdDownloadsDir)),
        libraryDir: Option.getOrNull(yield* settings.get(ImportSetting.libraryDir)),
        indexed: yield* index.count
      } satisfies LibraryState
    })

    return { scan, record, forget, lookup, answer, state } as const
  })
}) {}

/** Indexes the library folder once at start, in the background (the server answers meanwhile). */
export const LibraryIndexWorkerLive = Layer.scopedDiscard(Effect.gen(function*() {
  const indexer = yield* LibraryIndexer
  const dir = yield* Effect.flatMap(Settings, (s) => s.get(ImportSetting.libraryDir))
  if (Option.isNone(dir)) return
  yield* Effect.forkScoped(indexer.scan(dir.value).pipe(
    Effect.catchAllCause((cause) => Effect.logError("library index failed", cause))))
}))
