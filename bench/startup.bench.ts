/**
 * Issue 8: the built single-file server: size, cold start, memory, graceful shutdown.
 *
 * scripts/build.ts runs once in a temporary working directory (src/, static/, migrations/ and
 * node_modules linked from the project, so the project's own dist/ is left alone); dist/ plus
 * the native SQLite binding (node_modules/{better-sqlite3,bindings,file-uri-to-path}, without
 * sources) are copied into a runtime directory, as the Dockerfile does.
 *
 * Cold start: `node soulspot.mjs` 5 times with SOULSPOT_PORT=0 and a fresh SOULSPOT_DB, from
 * spawn to the first 200 of GET /api/downloads/manager/health (port read from the
 * "Listening on http://..." line, then polled every 10 ms). Baselines in the same run: 5 bare
 * `node -e 0` and 5 minimal node:http servers started and polled the same way.
 * Memory: VmRSS of the child 1 s after it answered, and again after 100,000 downloads (90 %
 * WAITING) were loaded into its database (stopped, bulk insert, started, stats, active and the
 * page read).
 * Shutdown: SIGTERM, and whether it exited with code 0 within 5 s.
 *
 *   node --import tsx bench/startup.bench.ts
 */
import { spawnSync } from "node:child_process"
import { cpSync, mkdirSync, readdirSync, statSync, symlinkSync } from "node:fs"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import {
  benchResult, bulkInsertDownloads, type Child, childEnv, closedPort, httpRequest, median, mib, mixTotal, ms, printTable, ratio,
  BIG_QUEUE_MIX, REPO_ROOT, round, rssOf, sleep, startChild, tempDir, times
} from "./support.js"

const RUNS = 5
const HEALTH = "/api/downloads/manager/health"
const GRACE_MS = 5000

const dirSize = (path: string): number => {
  const s = statSync(path)
  if (!s.isDirectory()) return s.size
  return readdirSync(path).reduce((a, f) => a + dirSize(join(path, f)), 0)
}

/** Polls `path` every 10 ms until it answers 200; milliseconds since `t0`. */
const pollUntilOk = async (port: number, path: string, t0: number, timeoutMs = 30_000): Promise<number> => {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    try {
      const r = await httpRequest(port, "GET", path)
      if (r.status === 200) return performance.now() - t0
    } catch {
      // not listening yet
    }
    await sleep(10)
  }
  throw new Error(`${path} did not answer 200 within ${timeoutMs} ms`)
}

interface Start {
  readonly child: Child
  readonly port: number
  readonly listeningMs: number
  readonly readyMs: number
}

/** Spawns, waits for the "Listening on" line, then polls until the path answers 200. */
const startAndWait = async (command: string, args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv, path: string): Promise<Start> => {
  const t0 = performance.now()
  const child = startChild(command, args, { cwd, env })
  const m = await child.waitFor(/Listening on http:\/\/[^:\s]+:(\d+)/, 30_000)
  const listeningMs = performance.now() - t0
  const port = Number(m[1])
  const readyMs = await pollUntilOk(port, path, t0)
  return { child, port, listeningMs, readyMs }
}

const main = async () => {
  const dir = tempDir("startup")

  // ---- build -----------------------------------------------------------------------------------
  const buildDir = join(dir, "build")
  mkdirSync(buildDir)
  for (const entry of ["src", "static", "migrations", "node_modules", "package.json", "tsconfig.json"]) {
    symlinkSync(join(REPO_ROOT, entry), join(buildDir, entry))
  }
  const buildStarted = performance.now()
  const built = spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "scripts", "build.ts")], {
    cwd: buildDir, env: childEnv(), encoding: "utf8"
  })
  const buildMs = performance.now() - buildStarted
  if (built.status !== 0) throw new Error(`build failed (${built.status}):\n${built.stdout}\n${built.stderr}`)
  console.log(built.stdout.trim())

  // ---- runtime directory, as in the Dockerfile ---------------------------------------------------
  const run = join(dir, "run")
  cpSync(join(buildDir, "dist"), run, { recursive: true })
  const nm = join(REPO_ROOT, "node_modules")
  const sqliteDir = join(nm, "better-sqlite3")
  cpSync(sqliteDir, join(run, "node_modules", "better-sqlite3"), {
    recursive: true,
    filter: (src) => {
      const rel = src.slice(sqliteDir.length)
      return !/^\/(deps|src)(\/|$)/.test(rel) && !/^\/build\/Release\/(obj|obj\.target|test_extension\.node|sqlite3\.a)/.test(rel) &&
        !/^\/build\/(deps|Makefile|config\.gypi|.*\.mk)/.test(rel)
    }
  })
  for (const pkg of ["bindings", "file-uri-to-path"]) cpSync(join(nm, pkg), join(run, "node_modules", pkg), { recursive: true })
  const bundleBytes = statSync(join(run, "soulspot.mjs")).size
  const runtimeBytes = dirSize(run)
  const nativeBytes = dirSize(join(run, "node_modules"))

  const slskd = `http://127.0.0.1:${await closedPort()}`
  const envFor = (db: string) => childEnv({
    SOULSPOT_PORT: "0", SOULSPOT_HOST: "127.0.0.1", SOULSPOT_DB: db, SOULSPOT_SLSKD_URL: slskd, NODE_ENV: "production"
  })

  // ---- cold starts, interleaved with the baselines so machine noise hits all three alike -----------
  interface RunFigures { listeningMs: number; readyMs: number; rss: number; stopMs: number; code: number | null; signal: string | null; graceful: boolean }
  const appRuns: Array<RunFigures> = []
  const dbs: Array<string> = []
  const bare: Array<number> = []
  const minimalServer = "require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () " +
    "{ console.log('Listening on http://127.0.0.1:' + this.address().port) }); process.on('SIGTERM', () => process.exit(0))"
  const httpRuns: Array<{ readyMs: number; rss: number }> = []
  for (let i = 0; i < RUNS; i++) {
    const db = join(run, `data-${i}`, "soulspot.db")
    dbs.push(db)
    const s = await startAndWait(process.execPath, ["soulspot.mjs"], run, envFor(db), HEALTH)
    await sleep(1000)
    const rss = rssOf(s.child.pid)
    const stop = await s.child.stop(GRACE_MS)
    appRuns.push({ listeningMs: s.listeningMs, readyMs: s.readyMs, rss, stopMs: stop.millis, code: stop.code, signal: stop.signal, graceful: stop.graceful })

    const t0 = performance.now()
    const r = spawnSync(process.execPath, ["-e", "0"], { env: childEnv() })
    if (r.status !== 0) throw new Error("node -e 0 failed")
    bare.push(performance.now() - t0)

    const h = await startAndWait(process.execPath, ["-e", minimalServer], run, childEnv(), "/")
    await sleep(1000)
    httpRuns.push({ readyMs: h.readyMs, rss: rssOf(h.child.pid) })
    await h.child.stop(GRACE_MS)
  }

  // ---- with 100,000 downloads ------------------------------------------------------------------
  const loadedDb = dbs[0]!
  const loaded = bulkInsertDownloads(loadedDb, BIG_QUEUE_MIX)
  const big = await startAndWait(process.execPath, ["soulspot.mjs"], run, envFor(loadedDb), HEALTH)
  const reads: Record<string, number> = {}
  for (const path of ["/api/downloads/manager/stats", "/api/downloads/manager/active", "/download-manager"]) {
    const t0 = performance.now()
    const r = await httpRequest(big.port, "GET", path)
    reads[path] = performance.now() - t0
    if (r.status !== 200) throw new Error(`${path} answered ${r.status}`)
    for (let i = 0; i < 20; i++) await httpRequest(big.port, "GET", path)
  }
  await sleep(1000)
  const bigRss = rssOf(big.child.pid)
  const bigStop = await big.child.stop(GRACE_MS)

  // ---- report ------------------------------------------------------------------------------------
  const appReady = median(appRuns.map((r) => r.readyMs))
  const bareMedian = median(bare)
  const httpReady = median(httpRuns.map((r) => r.readyMs))
  const appRss = median(appRuns.map((r) => r.rss))
  const httpRss = median(httpRuns.map((r) => r.rss))
  console.log(`build: ${ms(buildMs)} ms; bundle soulspot.mjs ${bundleBytes.toLocaleString("en")} bytes (${mib(bundleBytes)}); ` +
    `runtime directory ${mib(runtimeBytes)} of which native SQLite binding ${mib(nativeBytes)}`)
  printTable(`cold start, ${RUNS} runs each (ms from spawn)`, ["what", "median", "min", "max", "vs bare node", "vs minimal http"], [
    ["soulspot.mjs: first 200 from /health", ms(appReady), ms(Math.min(...appRuns.map((r) => r.readyMs))), ms(Math.max(...appRuns.map((r) => r.readyMs))),
      times(ratio(appReady, bareMedian)), times(ratio(appReady, httpReady))],
    ["soulspot.mjs: \"Listening on\" logged", ms(median(appRuns.map((r) => r.listeningMs))), "", "", "", ""],
    ["baseline: node -e 0 (spawn → exit)", ms(bareMedian), ms(Math.min(...bare)), ms(Math.max(...bare)), "1.00×", ""],
    ["baseline: minimal node:http, first 200", ms(httpReady), ms(Math.min(...httpRuns.map((r) => r.readyMs))), ms(Math.max(...httpRuns.map((r) => r.readyMs))),
      times(ratio(httpReady, bareMedian)), "1.00×"]
  ])
  printTable("resident memory (VmRSS of the child)", ["what", "RSS", "vs minimal http"], [
    ["soulspot.mjs, empty database, 1 s after start (median)", mib(appRss), times(ratio(appRss, httpRss))],
    [`soulspot.mjs, ${mixTotal(BIG_QUEUE_MIX).toLocaleString("en")} downloads, after stats, active and the page`, mib(bigRss), times(ratio(bigRss, httpRss))],
    ["baseline: minimal node:http (median)", mib(httpRss), "1.00×"]
  ])
  console.log(`with ${loaded.rows.toLocaleString("en")} downloads: ready in ${ms(big.readyMs)} ms; first stats ${ms(reads["/api/downloads/manager/stats"]!)} ms, ` +
    `first active ${ms(reads["/api/downloads/manager/active"]!)} ms, first page ${ms(reads["/download-manager"]!)} ms`)
  const stops = [...appRuns.map((r) => ({ code: r.code, signal: r.signal, millis: r.stopMs, graceful: r.graceful })),
    { code: bigStop.code, signal: bigStop.signal, millis: bigStop.millis, graceful: bigStop.graceful }]
  printTable(`SIGTERM → exit (limit ${GRACE_MS / 1000} s, code 0)`, ["run", "exit", "ms", "graceful"], stops.map((s, i) => [
    i < RUNS ? `cold start ${i + 1}` : "100,000 downloads", String(s.code ?? s.signal), ms(s.millis), s.graceful ? "yes" : "NO"
  ]))

  benchResult("startup", {
    build_ms: round(buildMs, 0), bundle_bytes: bundleBytes, bundle_mib: round(bundleBytes / 1048576, 2), runtime_dir_mib: round(runtimeBytes / 1048576, 2),
    ready_ms: { median: round(appReady, 1), runs: appRuns.map((r) => round(r.readyMs, 1)) },
    bare_node_ms: round(bareMedian, 1), minimal_http_ready_ms: round(httpReady, 1),
    ready_vs_bare_node: round(ratio(appReady, bareMedian)), ready_vs_minimal_http: round(ratio(appReady, httpReady)),
    rss_mib: { empty: round(appRss / 1048576, 1), loaded_100k: round(bigRss / 1048576, 1), minimal_http: round(httpRss / 1048576, 1) },
    loaded_ready_ms: round(big.readyMs, 1),
    graceful: stops.filter((s) => s.graceful).length, stops: stops.length,
    stop_ms_max: round(Math.max(...stops.map((s) => s.millis)), 0)
  })
}

main().then(() => process.exit(0), (e) => {
  console.error(e)
  process.exit(1)
})
