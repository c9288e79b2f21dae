import { Clock, Config, Duration, Effect, Option, Random, Schema } from "effect"
import { writeFile } from "node:fs/promises"
import { basename, dirname, extname, join, relative, resolve } from "node:path"
import { ImportSetting, Setting } from "../../config.js"
import type { Download } from "../../domain/download.js"
import { DomainEvents } from "../../domain/events.js"
import type { ImportCheck, ImportRecord } from "../../domain/library/import-state.js"
import { renderPath, yearOf } from "../../domain/library/naming.js"
import { expectedRelativePaths, isSameName, mapLocalFilename } from "../../domain/library/slskd-layout.js"
import { decideReplace, qualityOf } from "../../domain/library/upgrade.js"
import { verifyFile } from "../../domain/library/verify.js"
import { builtInProfile, DEFAULT_PROFILE_NAME, type QualityProfile } from "../../domain/matching/profiles.js"
import { type DownloadChange, DownloadRepository } from "../../domain/ports/DownloadRepository.js"
import { ImportRepository } from "../../domain/ports/ImportRepository.js"
import { QualityProfiles } from "../../domain/ports/QualityProfiles.js"
import { Settings } from "../../domain/ports/Settings.js"
import { TrackRepository } from "../../domain/ports/TrackRepository.js"
import { backoffMillis } from "../../domain/retry.js"
import { EXTENSIONS, probeAudio } from "../../infrastructure/library/audio-file.js"
import { AudioWork } from "../../infrastructure/library/audio-work.js"
import { fetchCover } from "../../infrastructure/library/cover-art.js"
import { type FileStat, LibraryFs } from "../../infrastructure/library/file-system.js"
import { SlskdFiles } from "../../infrastructure/library/slskd-events.js"
import { LibraryIndexer } from "./library-indexer.js"

/** Something on this machine is wrong (folder missing, permissions): never blamed on the peer. */
export class LocalProblem extends Schema.TaggedError<LocalProblem>()("LocalProblem", {
  message: Schema.String,
  /** The file system's error code (EXDEV, EEXIST, EACCES...), when there is one. */
  code: Schema.optional(Schema.String)
}) {}
/** The file cannot go into the library as things are (a collision, tags that would touch the audio). */
export class ImportBlocked extends Schema.TaggedError<ImportBlocked>()("ImportBlocked", { message: Schema.String }) {}
/** POST import / reject on a download where that makes no sense. */
export class ImportConflict extends Schema.TaggedError<ImportConflict>()("ImportConflict", { message: Schema.String }) {}

export interface ImportConfig {
  readonly downloadsDir: string
  readonly libraryDir: string
  readonly quarantineDir: string
  readonly mode: "move" | "copy" | "hardlink"
  readonly template: string
  readonly locateTimeoutMs: number
}

const POLL_MS = 5000
const SEARCH_DEPTH = 3
const SEARCH_ENTRIES = 5000

const fsMessage = (what: string, path: string, e: unknown): string => {
  const code = (e as { code?: string }).code
  if (code === "EACCES" || code === "EPERM") return `permission denied ${what} ${path} (check the folder's owner and mode)`
  if (code === "ENOENT") return `${path} is not there`
  if (code === "ENOSPC") return `no space left ${what} ${path}`
  if (code === "EROFS") return `${path} is on a read-only file system`
  return `${what} ${path} failed: ${(e as Error).message ?? String(e)}`
}

const extOf = (p: string) => extname(p).replace(/^\./, "").toLowerCase()

const inside = (root: string, p: string) => {
  const rel = relative(resolve(root), resolve(p))
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith("/")
}

const formatsOfExtension = (ext: string) => Object.entries(EXTENSIONS).filter(([, exts]) => exts.includes(ext)).map(([f]) => f)

export class LibraryImport extends Effect.Service<LibraryImport>()("soulspot/LibraryImport", {
  dependencies: [AudioWork.Default],
  effect: Effect.gen(function*() {
    const downloads = yield* DownloadRepository
    const imports = yield* ImportRepository
    const tracks = yield* TrackRepository
    const settings = yield* Settings
    const fs = yield* LibraryFs
    const slskd = yield* SlskdFiles
    const events = yield* DomainEvents
    const indexer = yield* LibraryIndexer
    const profiles = yield* QualityProfiles
    const audio = yield* AudioWork

    const io = <A>(what: string, path: string, f: () => Promise<A>) =>
      Effect.tryPromise({
        try: f,
        catch: (e) => {
          const code = (e as { code?: unknown }).code
          return new LocalProblem({ message: fsMessage(what, path, e), ...(typeof code === "string" ? { code } : {}) })
        }
      })

    /** None while import is off (no slskd downloads folder or no library folder). */
    const config = Effect.gen(function*() {
      const downloadsDir = yield* settings.get(ImportSetting.slskdDownloadsDir)
      const libraryDir = yield* settings.get(ImportSetting.libraryDir)
      if (Option.isNone(downloadsDir) || Option.isNone(libraryDir)) return Option.none<ImportConfig>()
      const db = yield* Config.string("SOULSPOT_DB").pipe(Config.withDefault("./data/soulspot.db"), Effect.orElseSucceed(() => "./data/soulspot.db"))
      const quarantine = Option.getOrElse(yield* settings.get(ImportSetting.quarantineDir),
        () => join(db === ":memory:" ? resolve("data") : dirname(resolve(db)), "quarantine"))
      return Option.some<ImportConfig>({
        downloadsDir: downloadsDir.value, libraryDir: libraryDir.value, quarantineDir: quarantine,
        mode: (yield* settings.get(ImportSetting.mode)) as ImportConfig["mode"],
        template: yield* settings.get(ImportSetting.namingTemplate),
        locateTimeoutMs: Duration.toMillis(yield* settings.get(ImportSetting.locateTimeout))
      })
    })

    /** The page and SSE see every import step. */
    const touch = (id: string) => downloads.find(id).pipe(Effect.flatMap(Option.match({
      onNone: () => Effect.void,
      onSome: (download) => events.publish([{ _tag: "DownloadChanged", download }])
    })))

    const save = (id: string, patch: Parameters<typeof imports.update>[1]) =>
      imports.update(id, patch).pipe(Effect.tap(() => touch(id)))

    // ---- locate -------------------------------------------------------------------------

    const isFileOf = (path: string, size: number | null) =>
      io("reading", path, () => fs.stat(path)).pipe(Effect.map((s) => s !== null && s.isFile && (size === null || s.size === size)))

    /** Folders and files under `root`, a few levels deep and a few thousand entries at most. */
    const search = (root: string, remote: string, size: number | null) => Effect.gen(function*() {
      let seen = 0
      let level: Array<string> = [root]
      for (let depth = 0; depth <= SEARCH_DEPTH && level.length > 0; depth++) {
        const next: Array<string> = []
        for (const dir of level) {
          const names = yield* io("listing", dir, () => fs.readdir(dir))
          for (const name of names) {
            if (++seen > SEARCH_ENTRIES) return Option.none<string>()
            const p = join(dir, name)
            const st = yield* io("reading", p, () => fs.stat(p))
            if (st?.isDirectory) next.push(p)
            else if (st?.isFile && isSameName(name, remote) && (size === null || st.size === size)) return Option.some(p)
          }
        }
        level = next
      }
      return Option.none<string>()
    })

    /** Where the file is now, if it is there: slskd's event, else its layout, else a search of the folder. */
    const findOnce = (d: Download, cfg: ImportConfig) => Effect.gen(function*() {
      const remote = d.filename!
      const event = yield* slskd.completedFile(d.slskdId, remote)
      if (Option.isSome(event)) {
        for (const rel of mapLocalFilename(event.value.localFilename, event.value.slskdDownloadsDir)) {
          const p = join(cfg.downloadsDir, rel)
          if (yield* isFileOf(p, null)) return Option.some({ path: p, how: `slskd's DownloadFileComplete event (${event.value.localFilename})` })
        }
      }
      for (const rel of expectedRelativePaths(remote)) {
        const p = join(cfg.downloadsDir, rel)
        if (yield* isFileOf(p, d.size)) return Option.some({ path: p, how: "slskd's folder layout" })
      }
      const found = yield* search(cfg.downloadsDir, remote, d.size)
      return Option.map(found, (path) => ({ path, how: "a search of slskd's downloads folder" }))
    })

    /**
     * slskd marks a transfer Succeeded before it moves the file out of incomplete/, so the file
     * may appear a little later: wait for it until `locate_timeout` after completion.
     */
    const locate = (d: Download, cfg: ImportConfig) => Effect.gen(function*() {
      const root = yield* io("reading", cfg.downloadsDir, () => fs.stat(cfg.downloadsDir))
      if (root === null || !root.isDirectory) {
        return yield* new LocalProblem({ message: `slskd's downloads folder ${cfg.downloadsDir} is not there on this machine (not mounted, or SOULSPOT_SLSKD_DOWNLOADS_DIR is wrong)` })
      }
      const started = yield* Clock.currentTimeMillis
      const completed = d.completedAt === null ? started : Date.parse(d.completedAt)
      const deadline = Math.max(completed + cfg.locateTimeoutMs, started)
      while (true) {
        const found = yield* findOnce(d, cfg)
        if (Option.isSome(found)) return found.value
        const now = yield* Clock.currentTimeMillis
        if (now >= deadline) {
          const where = expectedRelativePaths(d.filename!).map((r) => join(cfg.downloadsDir, r)).join(" or ")
          return yield* new LocalProblem({
            message: `the file did not appear in slskd's downloads folder within ${Math.round(cfg.locateTimeoutMs / 1000)} s of completing (expected at ${where}); slskd may have failed to move it out of its incomplete folder, or the folder is mapped differently here`
          })
        }
        yield* Effect.sleep(Duration.millis(Math.min(POLL_MS, deadline - now)))
      }
    })

    // ---- verify ---------------------------------------------------------------------------

    const verify = (d: Download, path: string) => Effect.gen(function*() {
      const st = yield* io("reading", path, () => fs.stat(path))
      const size = st?.size ?? 0
      const probe = yield* Effect.tryPromise(() => probeAudio(path)).pipe(
        Effect.catchAll((e) => Effect.succeed({ error: String((e as { error?: unknown }).error instanceof Error ? ((e as { error: Error }).error.message) : e) })))
      const spectrum = "error" in probe || probe.format !== "flac"
        ? null
        : yield* audio.spectrum(path, size).pipe(Effect.orElseSucceed(() => null))
      return verifyFile({
        chosenFilename: d.filename!, localPath: path, expectedSize: d.size, actualSize: size, probe,
        formatsOfExtension, wantedDurationMs: d.track.durationMs, spectrum
      })
    })

    /** Moves a file into the quarantine folder under a name that cannot collide. */
    const quarantine = (d: Download, path: string, cfg: ImportConfig) => Effect.gen(function*() {
      yield* io("creating", cfg.quarantineDir, () => fs.mkdir(cfg.quarantineDir))
      if (inside(cfg.quarantineDir, path)) return path
      const target = join(cfg.quarantineDir, `${d.id}-${basename(path)}`)
      yield* io("moving", path, () => fs.rename(path, target)).pipe(
        Effect.catchAll(() => io("copying", path, () => fs.copyFile(path, target)).pipe(
          Effect.zipRight(io("removing", path, () => fs.unlink(path))))))
      return target
    })

    /** The file is wrong: that user+file is marked bad and the track goes back to WAITING for another, an attempt counted. */
    const sendBack = (d: Download, reason: string, countAttempt: boolean) => Effect.gen(function*() {
      if (d.username && d.filename) yield* downloads.markFailedCandidate(d.id, d.username, d.filename, reason)
      const now = yield* Clock.currentTimeMillis
      const attempts = countAttempt ? d.attempts + 1 : d.attempts
      const max = yield* settings.get(Setting.maxAttempts)
      const delay = countAttempt ? backoffMillis(attempts, Duration.toMillis(yield* settings.get(Setting.retryBaseDelay)), yield* Random.next) : 0
      const changes: Array<DownloadChange> = [{
        id: d.id, status: "WAITING",
        patch: {
          attempts, error: reason, nextAttemptAt: delay > 0 ? new Date(now + delay).toISOString() : null,
          slskdId: null, username: null, filename: null, size: null, bytesTransferred: 0, progressAt: null
        }
      }]
      if (countAttempt && attempts >= max) changes.push({ id: d.id, status: "FAILED", patch: { error: `${reason} (gave up after ${attempts} attempts)` } })
      yield* imports.remove(d.id)
      yield* downloads.applyChanges(changes)
      yield* Effect.logInfo(attempts >= max && countAttempt
        ? `${d.id}: FAILED after ${attempts} attempts: ${reason}`
        : `${d.id}: file refused (${reason}); searching for another${delay > 0 ? ` in ${Math.round(delay / 1000)} s` : ""}`)
    })

    // ---- a second copy of the track: collision or upgrade ----------------------------------------

    // A profile deleted since the download was queued falls back to the default, as for the search.
    const profileFor = (name: string): Effect.Effect<QualityProfile> => profiles.get(name).pipe(
      Effect.map(Option.orElse(() => builtInProfile(name))),
      Effect.map(Option.getOrElse(() => Option.getOrThrow(builtInProfile(DEFAULT_PROFILE_NAME)))))

    const qualityAt = (path: string) => Effect.gen(function*() {
      const st = yield* io("reading", path, () => fs.stat(path))
      const probe = yield* Effect.tryPromise(() => probeAudio(path)).pipe(Effect.orElseSucceed(() => null))
      return qualityOf(probe, st?.size ?? 0)
    })

    /**
     * The library's copy of this track (the file at the destination, else the index's match):
     * a collision unless the new file is a strict upgrade under the download's profile.
     * Returns the file to replace, if any.
     */
    const judgeExisting = (d: Download, source: string, final: string) => Effect.gen(function*() {
      const atFinal = (yield* io("reading", final, () => fs.stat(final))) !== null
      const other = atFinal ? Option.none<string>() : yield* indexer.lookup(d.track)
      const existing = atFinal ? final : Option.getOrNull(other)
      if (existing === null) return Option.none<{ path: string; detail: string }>()
      const decision = decideReplace(yield* qualityAt(existing), yield* qualityAt(source), yield* profileFor(d.qualityProfile),
        yield* settings.get(ImportSetting.upgrade))
      if (decision._tag === "Keep") {
        return yield* new ImportBlocked({
          message: `a file is already in your library at ${existing}: nothing was overwritten; ${decision.detail} (remove it, or reject this download)`
        })
      }
      return Option.some({ path: existing, detail: decision.detail })
    })

    /** A free name in the quarantine folder for the file an upgrade replaces (an older one there is never touched). */
    const asideName = (d: Download, old: string, cfg: ImportConfig) => Effect.gen(function*() {
      for (let n = 1; ; n++) {
        const p = join(cfg.quarantineDir, `${d.id}-replaced${n > 1 ? `-${n}` : ""}-${basename(old)}`)
        if ((yield* io("reading", p, () => fs.stat(p))) === null) return p
      }
    })

    /**
     * Moves the replaced library file into quarantine, once: skipped when it is gone already, or
     * when the path now holds `fresh` (the new file, published before a crash). Across file
     * systems it goes through a `.partial` copy renamed into place, so the old file exists whole
     * at one of the two places at every moment.
     */
    const setAside = (d: Download, old: string, cfg: ImportConfig, fresh: FileStat | null) => Effect.gen(function*() {
      const st = yield* io("reading", old, () => fs.stat(old))
      if (st === null || (fresh !== null && st.ino === fresh.ino && st.dev === fresh.dev)) return Option.none<string>()
      yield* io("creating", cfg.quarantineDir, () => fs.mkdir(cfg.quarantineDir))
      const target = yield* asideName(d, old, cfg)
      yield* io("moving", old, () => fs.rename(old, target)).pipe(Effect.catchAll((e) => {
        if (e.code !== "EXDEV") return Effect.fail(e)
        const partial = `${target}.partial`
        return io("removing", partial, () => fs.unlink(partial)).pipe(
          Effect.zipRight(io("copying", old, () => fs.copyFile(old, partial))),
          Effect.zipRight(io("moving", partial, () => fs.rename(partial, target))),
          Effect.zipRight(io("syncing", cfg.quarantineDir, () => fs.fsyncDir(cfg.quarantineDir))),
          Effect.zipRight(io("removing", old, () => fs.unlink(old))))
      }))
      yield* io("syncing", dirname(old), () => fs.fsyncDir(dirname(old)))
      yield* Effect.logInfo(`${d.id}: quality upgrade: ${old} moved to quarantine at ${target}`)
      return Option.some(target)
    })

    const noteAside = (checks: Array<ImportCheck>, target: Option.Option<string>) => {
      if (Option.isNone(target)) return
      const i = checks.findIndex((c) => c.name === "upgrade")
      if (i >= 0) checks[i] = { ...checks[i]!, detail: `${checks[i]!.detail}; the old file is kept in quarantine at ${target.value}` }
    }

    // ---- tag and publish --------------------------------------------------------------------

    const namingOf = (d: Download, ext: string) => Effect.gen(function*() {
      const albums = yield* tracks.albumsOfTracks([d.trackId])
      const albumId = [...albums.keys()][0]
      const album = albumId === undefined ? Option.none() : yield* tracks.findAlbumById(albumId)
      const a = Option.getOrNull(album)
      const discCount = a ? Math.max(1, ...a.tracks.map((t) => t.discNumber ?? 1)) : null
      const disc = d.track.discNumber
      return {
        values: {
          artist: d.track.artist, albumartist: a?.album.artist ?? null, album: a?.album.title ?? d.track.album,
          title: d.track.title, year: yearOf(a?.album.releaseDate ?? null),
          disc: disc !== null && ((discCount ?? 1) > 1 || disc > 1) ? disc : null,
          track: d.track.trackNumber, isrc: d.track.isrc, ext
        },
        trackCount: a ? a.tracks.length : null,
        coverUrl: a?.album.coverUrl ?? null,
        discCount
      }
    })

    /** From a verified source to a published, tagged file; each step recorded first so a crash resumes there. */
    const publish = (d: Download, rec: ImportRecord, cfg: ImportConfig): Effect.Effect<string, LocalProblem | ImportBlocked> => Effect.gen(function*() {
      const source = rec.sourcePath!
      const ext = extOf(source)
      const naming = yield* namingOf(d, ext)
      const final = rec.path ?? join(cfg.libraryDir, renderPath(cfg.template, naming.values))
      if (!inside(cfg.libraryDir, final)) return yield* new ImportBlocked({ message: `the naming template puts the file outside the library (${final})` })
      const dir = dirname(final)
      const staging = rec.stagingPath ?? join(dir, `.soulspot-${d.id}.partial.${ext}`)
      const fromQuarantine = inside(cfg.quarantineDir, source)
      const checks: Array<ImportCheck> = [...rec.checks]
      let step = rec.step
      let replaces = rec.replacesPath

      if (step === "LOCATING" || step === "VERIFYING" || step === "STAGING") {
        yield* save(d.id, { step: "STAGING", path: final, stagingPath: staging })
        yield* io("creating", dir, () => fs.mkdir(dir))
        if (replaces === null) {
          // decided once: after a crash the replaced file may be in quarantine already
          const upgrade = yield* judgeExisting(d, source, final)
          if (Option.isSome(upgrade)) {
            replaces = upgrade.value.path
            checks.push({ name: "upgrade", ok: true, detail: upgrade.value.detail })
            yield* save(d.id, { replacesPath: replaces, checks })
            yield* Effect.logInfo(`${d.id}: quality upgrade: ${upgrade.value.detail}`)
          }
        }
        const existing = yield* io("reading", final, () => fs.stat(final))
        if (existing !== null && final !== replaces) {
          return yield* new ImportBlocked({ message: `a file is already in your library at ${final}: nothing was overwritten (remove it, or reject this download)` })
        }
        if (cfg.mode === "hardlink" && !fromQuarantine) {
          // slskd keeps sharing the same bytes: no tags are written into a linked file
          const sourceStat = yield* io("reading", source, () => fs.stat(source))
          if (replaces !== null) noteAside(checks, yield* setAside(d, replaces, cfg, sourceStat))
          // linked before a crash: the path holds slskd's file already
          const done = existing !== null && sourceStat !== null && existing.ino === sourceStat.ino && existing.dev === sourceStat.dev
          const linked = done || (yield* io("linking", final, () => fs.link(source, final)).pipe(
            Effect.as(true),
            Effect.catchAll((e) => e.code === "EXDEV" ? Effect.succeed(false) : Effect.fail(e))))
          if (linked) {
            yield* io("syncing", dir, () => fs.fsyncDir(dir))
            checks.push({ name: "tags", ok: true, detail: "not written: a hard link shares slskd's file" })
            yield* save(d.id, { step: "DONE", status: "IMPORTED", checks, stagingPath: null, reason: null })
            return final
          }
          checks.push({ name: "hardlink", ok: true, detail: "the library is on another file system: copied instead" })
        }
        yield* io("removing", staging, () => fs.unlink(staging))
        yield* io("copying", source, () => fs.copyFile(source, staging))
        const format = formatsOfExtension(ext)[0] ?? ext
        const fetched = naming.coverUrl === null ? null : yield* Effect.promise(() => fetchCover(naming.coverUrl!))
        const cover = fetched !== null && "data" in fetched ? fetched : null
        if (fetched !== null && "error" in fetched) checks.push({ name: "cover", ok: false, detail: `not embedded: ${fetched.error}` })
        const before = yield* audio.audioDigest(staging, format).pipe(Effect.orDie)
        const tagged = yield* audio.writeTags(staging, {
          title: d.track.title, artist: d.track.artist, album: naming.values.album, albumArtist: naming.values.albumartist,
          trackNumber: d.track.trackNumber, trackCount: naming.trackCount, discNumber: d.track.discNumber,
          discCount: naming.discCount, year: naming.values.year === null ? null : Number(naming.values.year), isrc: d.track.isrc,
          spotifyId: d.track.spotifyId, deezerId: d.track.deezerId
        }, cover).pipe(Effect.either)
        if (tagged._tag === "Left") {
          checks.push({ name: "tags", ok: false, detail: `could not write tags: ${tagged.left.message}; imported with the peer's tags` })
          yield* io("removing", staging, () => fs.unlink(staging))
          yield* io("copying", source, () => fs.copyFile(source, staging))
        } else {
          const after = yield* audio.audioDigest(staging, format).pipe(Effect.orDie)
          if (after !== before) {
            yield* io("removing", staging, () => fs.unlink(staging))
            return yield* new ImportBlocked({ message: "writing tags changed the audio data; the file was not imported" })
          }
          checks.push({ name: "tags", ok: true, detail: `title, artist, album, numbers, year, ISRC${cover ? ", catalog ids and the album cover" : " and catalog ids"} written; audio data unchanged` })
          if (cover !== null && cover.mimeType === "image/jpeg") {
            // beside the files for players that read a folder image; an existing one is the user's
            const jpg = join(dir, "cover.jpg")
            yield* io("writing", jpg, () => writeFile(jpg, cover.data, { flag: "wx" })).pipe(
              Effect.catchAll((e) => e.code === "EEXIST" ? Effect.void : Effect.logWarning(`${d.id}: ${e.message}`)))
          }
        }
        yield* save(d.id, { step: "PUBLISHING", checks })
        step = "PUBLISHING"
      }

      if (step === "PUBLISHING") {
        const st = yield* io("reading", staging, () => fs.stat(staging))
        if (st !== null && replaces !== null) {
          // the swap: the old file goes to quarantine first, then the new one is linked in
          noteAside(checks, yield* setAside(d, replaces, cfg, st))
          yield* save(d.id, { checks })
        }
        const at = yield* io("reading", final, () => fs.stat(final))
        if (st !== null) {
          if (at !== null && !(at.ino === st.ino && at.dev === st.dev)) {
            yield* io("removing", staging, () => fs.unlink(staging))
            return yield* new ImportBlocked({ message: `a file is already in your library at ${final}: nothing was overwritten (remove it, or reject this download)` })
          }
          // link, not rename: it refuses to replace a file that appeared meanwhile
          if (at === null) {
            yield* io("publishing", final, () => fs.link(staging, final)).pipe(
              Effect.catchAll((e): Effect.Effect<void, LocalProblem | ImportBlocked> => e.code === "EEXIST"
                ? Effect.fail(new ImportBlocked({ message: `a file is already in your library at ${final}: nothing was overwritten` }))
                : Effect.fail(e)))
          }
          yield* io("syncing", dir, () => fs.fsyncDir(dir))
          yield* io("removing", staging, () => fs.unlink(staging))
        } else if (at === null) {
          // neither staging nor final: start the copy again
          yield* save(d.id, { step: "STAGING" })
          return yield* publish(d, { ...rec, step: "STAGING", path: final, stagingPath: staging }, cfg)
        }
        yield* save(d.id, { step: "CLEANING", stagingPath: null })
        step = "CLEANING"
      }

      if (step === "CLEANING") {
        // the source goes last, and only once the library copy is durable
        if (cfg.mode === "move" || fromQuarantine) yield* io("removing", source, () => fs.unlink(source))
        yield* save(d.id, { step: "DONE", status: "IMPORTED", reason: null })
      }
      return final
    })

    // ---- one import, start to end -------------------------------------------------------------

    const run = (id: string) => Effect.gen(function*() {
      const cfg = yield* config
      if (Option.isNone(cfg)) return
      const d = yield* downloads.find(id)
      if (Option.isNone(d) || d.value.status !== "COMPLETED" || d.value.filename === null) return
      const download = d.value
      let rec = Option.getOrNull(yield* imports.find(id))
      if (rec !== null && rec.status !== "IMPORTING") return
      if (rec === null) {
        rec = yield* imports.begin(id, false, null)
        yield* touch(id)
      }
      yield* Effect.logInfo(`${id}: importing ${download.filename} (step ${rec.step})`)
      const outcome = yield* Effect.gen(function*() {
        if (rec!.step === "LOCATING" || rec!.step === "VERIFYING") {
          let source = rec!.sourcePath
          if (!rec!.accepted || source === null) {
            const found = yield* locate(download, cfg.value)
            source = found.path
            yield* Effect.logInfo(`${id}: found ${found.path} through ${found.how}`)
          }
          rec = yield* save(id, { step: "VERIFYING", sourcePath: source })
          if (!rec.accepted) {
            const v = yield* verify(download, source)
            if (v.verdict === "fail") {
              const q = yield* quarantine(download, source, cfg.value)
              yield* sendBack(download, `the file from ${download.username} failed verification: ${v.reason} (kept in quarantine at ${q})`, true)
              return "sent back" as const
            }
            if (v.verdict === "review") {
              const q = yield* quarantine(download, source, cfg.value)
              yield* save(id, { status: "NEEDS_REVIEW", sourcePath: q, checks: v.checks, reason: v.reason })
              yield* Effect.logInfo(`${id}: needs review: ${v.reason}`)
              return "review" as const
            }
            rec = yield* save(id, { checks: v.checks })
          }
        }
        const final = yield* publish(download, rec!, cfg.value)
        const replaced = (yield* imports.find(id)).pipe(Option.flatMapNullable((r) => r.replacesPath))
        if (Option.isSome(replaced) && replaced.value !== final) yield* indexer.forget(replaced.value)
        yield* indexer.record(final, download.track, download.track.album)
        yield* Effect.logInfo(`${id}: imported to ${final}`)
        return "imported" as const
      }).pipe(
        Effect.catchTags({
          LocalProblem: (e: LocalProblem) => save(id, { status: "IMPORT_FAILED", reason: e.message }).pipe(
            Effect.zipRight(Effect.logWarning(`${id}: import failed (local problem): ${e.message}`)), Effect.as("failed" as const)),
          ImportBlocked: (e: ImportBlocked) => save(id, { status: "IMPORT_FAILED", reason: e.message, stagingPath: null }).pipe(
            Effect.zipRight(Effect.logWarning(`${id}: import stopped: ${e.message}`)), Effect.as("failed" as const))
        })
      )
      return outcome
    }).pipe(Effect.withSpan("LibraryImport.run", { attributes: { id } }))

    const completedDownload = (id: string) => downloads.get(id).pipe(
      Effect.flatMap((d) => d.status === "COMPLETED"
        ? Effect.succeed(d)
        : Effect.fail(new ImportConflict({ message: `the download is ${d.status}, not COMPLETED` }))))

    /** POST import: start a failed import again, or accept a file waiting for review. */
    const retryOrAccept = (id: string) => Effect.gen(function*() {
      yield* completedDownload(id)
      if (Option.isNone(yield* config)) return yield* new ImportConflict({ message: "library import is off: set SOULSPOT_SLSKD_DOWNLOADS_DIR and SOULSPOT_LIBRARY_DIR" })
      const rec = yield* imports.find(id)
      if (Option.isNone(rec) || rec.value.status === "IMPORTED" || rec.value.status === "IMPORTING") {
        return yield* new ImportConflict({ message: Option.isNone(rec) ? "there is no import to retry" : `the import is ${rec.value.status}: nothing to retry` })
      }
      const accepted = rec.value.status === "NEEDS_REVIEW"
      yield* imports.begin(id, accepted, accepted ? rec.value.sourcePath : null)
      yield* touch(id)
      yield* Effect.logInfo(`${id}: import ${accepted ? "accepted after review" : "retried"} by the user`)
      return yield* downloads.get(id)
    }).pipe(Effect.withSpan("LibraryImport.retryOrAccept"))

    /** POST reject: the file is wrong. Quarantine it, mark it bad, and download the track elsewhere. */
    const reject = (id: string) => Effect.gen(function*() {
      const d = yield* completedDownload(id)
      const rec = Option.getOrNull(yield* imports.find(id))
      if (rec?.status === "IMPORTING") return yield* new ImportConflict({ message: "an import of this file is running; wait for it to finish" })
      const cfg = yield* config
      const file = rec?.status === "IMPORTED" ? rec.path : rec?.sourcePath ?? null
      let where = ""
      if (file !== null && Option.isSome(cfg) && (yield* io("reading", file, () => fs.stat(file)).pipe(Effect.orElseSucceed(() => null))) !== null) {
        const q = yield* quarantine(d, file, cfg.value).pipe(Effect.orElseSucceed(() => file))
        where = ` (kept in quarantine at ${q})`
      }
      yield* sendBack(d, `rejected by the user: ${basename(d.filename ?? "the file")} from ${d.username ?? "the peer"} is wrong${where}`, false)
      return yield* downloads.get(id)
    }).pipe(Effect.withSpan("LibraryImport.reject"))

    return { run, config, retryOrAccept, reject, due: imports.due, orphans: imports.orphans, removeImport: imports.remove } as const
  })
}) {}
