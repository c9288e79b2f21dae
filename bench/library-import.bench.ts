/**
 * Issue 16: importing a 12-track FLAC album (about 400 MiB) end to end, next to a plain `cp`.
 *
 * Twelve 200-second stereo FLACs (verbatim frames, ~34 MiB each, written by the simulator's
 * writer) sit in a fake slskd downloads folder. The import runs in a child process (the real
 * LibraryImport with SQLite in a temporary file, all twelve at once as the worker does): locate,
 * verify (music-metadata, three decoded FLAC stretches), tag a staged copy with the audio
 * digest checked, link into the library, remove the source (move mode). Tags, digests and the
 * decode run on the audio worker thread; the main thread's event-loop delay
 * (`monitorEventLoopDelay`) during the imports is what HTTP and SSE would have waited. Baseline in the same run:
 * `cp -r` of the same folder to the same file system. Time and peak RSS both from /usr/bin/time
 * (%e, %M), so the two are measured alike; each is run 3 times on fresh copies, median shown.
 *
 *   node --import tsx bench/library-import.bench.ts
 */
import { spawnSync } from "node:child_process"
import { cpSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs"
import { join } from "node:path"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { benchResult, median, mib, printTable, REPO_ROOT, round, tempDir } from "./support.js"

const TRACKS = 12
const SECONDS = 200
const RUNS = 3

const timed = (cmd: string, args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const r = spawnSync("/usr/bin/time", ["-f", "TIME %e %M", cmd, ...args], { encoding: "utf8", env: { ...process.env, ...env } })
  const m = /TIME ([\d.]+) (\d+)/.exec(r.stderr)
  if (r.status !== 0 || !m) throw new Error(`${cmd} failed: ${r.stderr.slice(-2000)}`)
  return { seconds: Number(m[1]), rssKiB: Number(m[2]), stdout: r.stdout }
}

const child = async () => {
  const { Effect, Layer, Option, ConfigProvider } = await import("effect")
  const { PersistenceLayer } = await import("../src/App.js")
  const { LibraryImport } = await import("../src/application/library/library-import.js")
  const { LibraryIndexer } = await import("../src/application/library/library-indexer.js")
  const { LibraryIndex } = await import("../src/infrastructure/library/library-index.js")
  const { DownloadRepository } = await import("../src/domain/ports/DownloadRepository.js")
  const { LibraryFsLive } = await import("../src/infrastructure/library/file-system.js")
  const { SlskdFiles } = await import("../src/infrastructure/library/slskd-events.js")
  const { ImportRepositoryLive } = await import("../src/infrastructure/persistence/import-repository.js")
  const [downloads, library, db] = [process.env.B_DOWNLOADS!, process.env.B_LIBRARY!, process.env.B_DB!]
  const layer = LibraryImport.Default.pipe(
    Layer.provideMerge(Layer.mergeAll(LibraryFsLive, ImportRepositoryLive, Layer.succeed(SlskdFiles, { completedFile: () => Effect.succeed(Option.none()) }),
      LibraryIndexer.Default.pipe(Layer.provideMerge(LibraryIndex.Default)))),
    Layer.provideMerge(PersistenceLayer(db)),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([
      ["SOULSPOT_SLSKD_DOWNLOADS_DIR", downloads], ["SOULSPOT_LIBRARY_DIR", library], ["SOULSPOT_QUARANTINE_DIR", join(library, "..", "q")]
    ]))))
  )
  const program = Effect.gen(function*() {
    const repo = yield* DownloadRepository
    const ids: Array<string> = []
    for (const f of readdirSync(join(downloads, "Album")).sort()) {
      const n = Number(f.slice(0, 2))
      const { download } = yield* repo.queue({ track: { title: `Track ${n}`, artist: "Bench Artist", album: "Bench Album", durationMs: SECONDS * 1000, trackNumber: n }, priority: 0, qualityProfile: "lossless" })
      yield* repo.updateStatus(download.id, "PENDING", { username: "peer", filename: `Music\\Album\\${f}`, size: statSync(join(downloads, "Album", f)).size })
      yield* repo.updateStatus(download.id, "QUEUED")
      yield* repo.updateStatus(download.id, "DOWNLOADING")
      yield* repo.updateStatus(download.id, "COMPLETED")
      ids.push(download.id)
    }
    const importer = yield* LibraryImport
    // how long the main thread's event loop (HTTP, SSE) was held up while the imports ran
    const lag = monitorEventLoopDelay({ resolution: 10 })
    lag.enable()
    // the process's RSS (worker thread included) once the app is loaded, and its peak during the imports
    const base = process.memoryUsage().rss
    let peak = base
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 20)
    const t0 = performance.now()
    const outcomes = yield* Effect.forEach(ids, (id) => importer.run(id), { concurrency: "unbounded" })
    const ms = performance.now() - t0
    clearInterval(sampler)
    lag.disable()
    console.log(`IMPORT ${ms.toFixed(0)} ${outcomes.filter((o) => o === "imported").length} LAG ${(lag.max / 1e6).toFixed(1)} ${(lag.percentile(99) / 1e6).toFixed(1)} RSS ${base} ${peak}`)
  })
  await Effect.runPromise(program.pipe(Effect.provide(layer)) as never)
}

const main = async () => {
  const { writeSilentFlac } = await import("../src/dev/slskd-simulator/files.js")
  const root = tempDir("soulspot-bench-import-")
  const source = join(root, "source", "Album")
  mkdirSync(source, { recursive: true })
  for (let i = 1; i <= TRACKS; i++) await writeSilentFlac(join(source, `${String(i).padStart(2, "0")} Track ${i}.flac`), SECONDS * 1000, 35_000_000 + i * 1000)
  const total = readdirSync(source).reduce((a, f) => a + statSync(join(source, f)).size, 0)

  const cps: Array<{ seconds: number; rssKiB: number }> = []
  const imports: Array<{ seconds: number; rssKiB: number; inner: number; lagMax: number; lagP99: number; base: number; peak: number }> = []
  for (let run = 0; run < RUNS; run++) {
    const dest = join(root, `cp-${run}`)
    cps.push(timed("cp", ["-r", source, dest]))
    rmSync(dest, { recursive: true, force: true })

    const downloads = join(root, `dl-${run}`)
    cpSync(join(root, "source"), downloads, { recursive: true })
    spawnSync("sync")
    const r = timed(process.execPath, ["--import", "tsx", join(REPO_ROOT, "bench", "library-import.bench.ts"), "--child"], {
      B_DOWNLOADS: downloads, B_LIBRARY: join(root, `lib-${run}`), B_DB: join(root, `db-${run}.sqlite`)
    })
    const m = /IMPORT (\d+) (\d+) LAG ([\d.]+) ([\d.]+) RSS (\d+) (\d+)/.exec(r.stdout)
    if (!m || Number(m[2]) !== TRACKS) throw new Error(`import did not finish: ${r.stdout}`)
    imports.push({ ...r, inner: Number(m[1]) / 1000, lagMax: Number(m[3]), lagP99: Number(m[4]), base: Number(m[5]), peak: Number(m[6]) })
    rmSync(join(root, `lib-${run}`), { recursive: true, force: true })
    rmSync(downloads, { recursive: true, force: true })
  }
  const med = (xs: ReadonlyArray<number>) => median(xs)
  printTable(`${TRACKS}-track FLAC album, ${mib(total)}, median of ${RUNS}`, ["what", "wall s", "peak RSS"], [
    ["cp -r (baseline)", med(cps.map((c) => c.seconds)).toFixed(2), mib(med(cps.map((c) => c.rssKiB)) * 1024)],
    ["import, whole process", med(imports.map((c) => c.seconds)).toFixed(2), mib(med(imports.map((c) => c.rssKiB)) * 1024)],
    ["import, the 12 runs only", med(imports.map((c) => c.inner)).toFixed(2), `+${mib(med(imports.map((c) => c.peak - c.base)))}`]
  ])
  console.log(`RSS with the app loaded, before the imports: ${mib(med(imports.map((c) => c.base)))}; the imports' own cost is the peak above that`)
  console.log(`event-loop delay on the main thread during the imports: max ${med(imports.map((c) => c.lagMax)).toFixed(1)} ms, p99 ${med(imports.map((c) => c.lagP99)).toFixed(1)} ms (median of ${RUNS})`)
  benchResult("library-import", {
    tracks: TRACKS, bytes: total,
    cp_s: round(med(cps.map((c) => c.seconds))), cp_rss_mib: round(med(cps.map((c) => c.rssKiB)) / 1024),
    import_process_s: round(med(imports.map((c) => c.seconds))), import_runs_s: round(med(imports.map((c) => c.inner))),
    import_rss_mib: round(med(imports.map((c) => c.rssKiB)) / 1024),
    import_base_rss_mib: round(med(imports.map((c) => c.base)) / 1048576), import_added_rss_mib: round(med(imports.map((c) => c.peak - c.base)) / 1048576),
    import_lag_max_ms: round(med(imports.map((c) => c.lagMax))), import_lag_p99_ms: round(med(imports.map((c) => c.lagP99)))
  })
}

await (process.argv.includes("--child") ? child() : main())
