/**
 * Throughput and latency of the reads the page polls, with 100,000 downloads (90 % WAITING).
 *
 * The real app (AppLayer, workers off, NodeHttpServer on 127.0.0.1 port 0) runs in a child
 * process; a closed-loop load generator in this process keeps 32 keep-alive clients busy for
 * 5 s per endpoint after a 1 s warm-up, and records requests/second and p50/p99 latency.
 *
 * Baseline (same run, same database file, also a child process): a plain node:http server
 * answering the same two URLs with better-sqlite3 and the repository's SQL (stats: the kept
 * per-status and per-day counts; active: the first page of 100 in keyset order plus the
 * total, serialised to the same JSON). The page itself (/download-manager, full HTML) is measured
 * for the app alone: its size and its render time under the same load.
 *
 *   npm run bench -- http
 */
import Database from "better-sqlite3"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { DOWNLOAD_SELECT } from "../src/infrastructure/persistence/rows.js"
import {
  benchResult, BIG_QUEUE_MIX, bulkInsertDownloads, childMemory, closedLoop, closedPort, httpRequest, type LoadResult, migrateDb, mib, mixTotal, ms,
  printTable, ratio, roleOf, round, rssOf, runAppServer, startApp, startRole, times, tempDir
} from "./support.js"

const MIX = BIG_QUEUE_MIX

const SELF = fileURLToPath(import.meta.url)
const CONCURRENCY = 32
const SECONDS = 5
const WARMUP_SECONDS = 1
const ENDPOINTS = ["/api/downloads/manager/stats", "/api/downloads/manager/active"] as const
const PAGE = "/download-manager"

// ---------------------------------------------------------------------------------------------
// Baseline server: node:http + better-sqlite3, the repository's SQL, the same JSON shape

type Row = Record<string, string | number | null>

const toJson = (r: Row) => {
  const status = r.status as string
  const size = r.size as number | null
  const bytes = status === "COMPLETED" ? size : Math.min(r.bytes_transferred as number, size ?? 0)
  const progress = size === null || !(status === "QUEUED" || status === "DOWNLOADING" || status === "COMPLETED") ? null : {
    bytes_transferred: bytes, size, percent: size > 0 ? Math.round(((bytes ?? 0) / size) * 1000) / 10 : 0,
    speed_bps: status === "DOWNLOADING" ? r.speed_bps : 0, eta_seconds: status === "DOWNLOADING" ? r.eta_seconds : null
  }
  return {
    id: r.id, track_id: r.track_id, status, priority: r.priority, slskd_id: r.slskd_id, username: r.username, filename: r.filename,
    size, created_at: r.created_at, updated_at: r.updated_at, completed_at: r.completed_at,
    track: {
      id: r.track_id, title: r.t_title, artist: r.t_artist, album: r.t_album, duration_ms: r.t_duration_ms, isrc: r.t_isrc,
      track_number: r.t_track_number, disc_number: r.t_disc_number
    },
    progress, attempts: r.attempts, next_attempt_at: r.next_attempt_at, error: r.error, quality_profile: r.quality_profile
  }
}

/** The same day boundary as DownloadManager.stats (UTC midnight). */
const startOfTodayUtc = (ms: number): string => {
  const d = new Date(ms)
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString()
}

const runBaselineServer = (file: string) => {
  const db = new Database(file)
  db.pragma("busy_timeout = 5000")
  const byStatus = db.prepare("SELECT status, n FROM download_counts")
  const today = db.prepare(`SELECT sum(n * (status = 'COMPLETED')) AS completed, sum(n * (status = 'FAILED')) AS failed
    FROM download_day_counts WHERE day >= ?`)
  const active = db.prepare(`${DOWNLOAD_SELECT} WHERE d.status IN ('WAITING', 'PENDING', 'QUEUED', 'DOWNLOADING')
    ORDER BY -d.priority, d.created_at, d.id LIMIT 101`)
  const activePage = () => {
    const rows = active.all() as Array<Row>
    const page = rows.slice(0, 100)
    const last = page[page.length - 1]
    const total = (byStatus.all() as Array<{ status: string; n: number }>)
      .filter((r) => ["WAITING", "PENDING", "QUEUED", "DOWNLOADING"].includes(r.status)).reduce((a, r) => a + r.n, 0)
    const next_cursor = rows.length > 100 && last
      ? Buffer.from(JSON.stringify(["a", last.priority, last.created_at, last.id])).toString("base64url") : null
    return { downloads: page.map(toJson), total, next_cursor }
  }
  const stats = () => {
    const rows = byStatus.all() as Array<{ status: string; n: number }>
    const t = today.get(startOfTodayUtc(Date.now()).slice(0, 10)) as { completed: number | null; failed: number | null }
    const by = (s: string) => rows.find((r) => r.status === s)?.n ?? 0
    return {
      waiting: by("WAITING"), pending: by("PENDING"), queued: by("QUEUED"), downloading: by("DOWNLOADING"),
      completed: by("COMPLETED"), failed: by("FAILED"), cancelled: by("CANCELLED"), total: rows.reduce((a, r) => a + r.n, 0),
      completed_today: t.completed ?? 0, failed_today: t.failed ?? 0
    }
  }
  const server = createServer((req, res) => {
    let body: string | undefined
    if (req.url === ENDPOINTS[0]) body = JSON.stringify(stats())
    else if (req.url === ENDPOINTS[1]) body = JSON.stringify(activePage())
    if (body === undefined) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    res.end(body)
  })
  server.keepAliveTimeout = 30_000
  server.listen(0, "127.0.0.1", () => console.log(`PORT ${(server.address() as AddressInfo).port}`))
  process.on("SIGTERM", () => server.close(() => process.exit(0)))
}

// ---------------------------------------------------------------------------------------------

const main = async () => {
  console.log(`HTTP reads with ${mixTotal(MIX).toLocaleString("en")} downloads: ${CONCURRENCY} keep-alive clients, ` +
    `${SECONDS} s per endpoint after ${WARMUP_SECONDS} s warm-up; app and baseline each in their own process`)
  const dir = tempDir("http")
  const db = join(dir, "soulspot.db")
  await migrateDb(db)
  const loaded = bulkInsertDownloads(db, MIX)
  console.log(`loaded ${loaded.rows.toLocaleString("en")} downloads in ${ms(loaded.millis)} ms ` +
    `(active ${MIX.WAITING + MIX.PENDING + MIX.QUEUED + MIX.DOWNLOADING})`)

  const app = await startApp(SELF, db, `http://127.0.0.1:${await closedPort()}`)
  const baseline = startRole(SELF, "--role=baseline", [db])
  const basePort = Number((await baseline.waitFor(/PORT (\d+)/))[1])
  const servers = [{ name: "app", port: app.port, pid: app.child.pid }, { name: "baseline", port: basePort, pid: baseline.pid }] as const

  // Same answers? (stats equal; active the same rows)
  const sizes: Record<string, Record<string, number>> = {}
  for (const s of servers) {
    sizes[s.name] = {}
    for (const path of ENDPOINTS) {
      const r = await httpRequest(s.port, "GET", path)
      if (r.status !== 200) throw new Error(`${s.name} ${path} answered ${r.status}: ${r.body.slice(0, 300)}`)
      sizes[s.name]![path] = r.body.length
    }
  }
  const [appStats, baseStats] = await Promise.all(servers.map((s) => httpRequest(s.port, "GET", ENDPOINTS[0])))
  const [appActive, baseActive] = await Promise.all(servers.map((s) => httpRequest(s.port, "GET", ENDPOINTS[1])))
  const sameStats = JSON.stringify(JSON.parse(appStats!.body)) === JSON.stringify(JSON.parse(baseStats!.body))
  const ids = (b: string) => (JSON.parse(b) as { downloads: Array<{ id: string }> }).downloads.map((d) => d.id).join(",")
  const sameActive = ids(appActive!.body) === ids(baseActive!.body) &&
    JSON.parse(appActive!.body).total === JSON.parse(baseActive!.body).total &&
    JSON.parse(appActive!.body).next_cursor === JSON.parse(baseActive!.body).next_cursor
  const activeCount = (JSON.parse(appActive!.body) as { downloads: Array<unknown> }).downloads.length
  console.log(`answers: stats ${sameStats ? "identical" : "DIFFER"}; active ${sameActive ? "same rows in the same order" : "DIFFER"} ` +
    `(${activeCount} downloads, app ${sizes["app"]![ENDPOINTS[1]]} bytes, baseline ${sizes["baseline"]![ENDPOINTS[1]]} bytes)`)

  // The page: first HTML size and a single cold render, then the load below.
  const pageStarted = performance.now()
  const pageReply = await httpRequest(app.port, "GET", PAGE)
  const pageColdMs = performance.now() - pageStarted
  const pageBytes = Buffer.byteLength(pageReply.body)
  const pageRows = (pageReply.body.match(/<li id="download-/g) ?? []).length
  console.log(`page: ${PAGE} answered ${pageReply.status}, ${(pageBytes / 1024).toFixed(1)} KiB, ${pageRows} rows, first render ${ms(pageColdMs)} ms`)

  const results: Record<string, Record<string, LoadResult>> = { app: {}, baseline: {} }
  const rss: Record<string, number> = {}
  for (const path of ENDPOINTS) {
    for (const s of servers) {
      results[s.name]![path] = await closedLoop(s.port, path, { concurrency: CONCURRENCY, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS })
    }
  }
  const pageLoad = await closedLoop(app.port, PAGE, { concurrency: CONCURRENCY, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS })
  for (const s of servers) rss[s.name] = rssOf(s.pid)
  const settled = await childMemory(app.child)

  const rows: Array<Array<string>> = []
  for (const path of ENDPOINTS) {
    const b = results["baseline"]![path]!
    for (const s of servers) {
      const r = results[s.name]![path]!
      rows.push([`${path.replace("/api/downloads/manager/", "")} ${s.name}`, r.rps.toFixed(0), ms(r.p50), ms(r.p99), ms(r.max),
        String(r.errors), (r.bytesPerReply / 1024).toFixed(1),
        s.name === "app" ? times(ratio(b.rps, r.rps)) : "", s.name === "app" ? times(ratio(r.p50, b.p50)) : ""])
    }
  }
  rows.push([`page app`, pageLoad.rps.toFixed(0), ms(pageLoad.p50), ms(pageLoad.p99), ms(pageLoad.max), String(pageLoad.errors),
    (pageLoad.bytesPerReply / 1024).toFixed(1), "", ""])
  printTable(`closed loop, ${CONCURRENCY} clients, ${SECONDS} s each (latency ms)`,
    ["endpoint server", "req/s", "p50", "p99", "max", "errors", "KiB/reply", "baseline rps / app rps", "app p50 / base p50"], rows)
  console.log(`RSS after the load: app ${mib(rss["app"]!)} (after a full GC: ${mib(settled.rss)}, heap ${mib(settled.heapUsed)}), baseline ${mib(rss["baseline"]!)}`)

  const stopped = await Promise.all([app.child.stop(), baseline.stop()])
  console.log(`stopped: app exit ${stopped[0].code ?? stopped[0].signal} in ${ms(stopped[0].millis)} ms, baseline exit ${stopped[1].code ?? stopped[1].signal}`)

  const fig = (name: string, path: string) => {
    const r = results[name]![path]!
    return { rps: round(r.rps, 0), p50_ms: round(r.p50), p99_ms: round(r.p99), errors: r.errors }
  }
  benchResult("http", {
    downloads: loaded.rows, active: activeCount, concurrency: CONCURRENCY, seconds: SECONDS,
    same_answers: sameStats && sameActive,
    stats: { app: fig("app", ENDPOINTS[0]), baseline: fig("baseline", ENDPOINTS[0]),
      rps_ratio_baseline_over_app: round(ratio(results["baseline"]![ENDPOINTS[0]]!.rps, results["app"]![ENDPOINTS[0]]!.rps)) },
    active_list: { app: fig("app", ENDPOINTS[1]), baseline: fig("baseline", ENDPOINTS[1]),
      rps_ratio_baseline_over_app: round(ratio(results["baseline"]![ENDPOINTS[1]]!.rps, results["app"]![ENDPOINTS[1]]!.rps)),
      reply_bytes: sizes["app"]![ENDPOINTS[1]] },
    page: { bytes: pageBytes, rows: pageRows, first_render_ms: round(pageColdMs), rps: round(pageLoad.rps, 0), p50_ms: round(pageLoad.p50), p99_ms: round(pageLoad.p99) },
    rss_mib: { app: round(rss["app"]! / 1024 / 1024, 1), app_after_gc: round(settled.rss / 1024 / 1024, 1), baseline: round(rss["baseline"]! / 1024 / 1024, 1) },
  })
}

const role = roleOf(process.argv)
if (role === "app") void runAppServer(process.argv[3]!, { slskdUrl: process.argv[4]! })
else if (role === "baseline") runBaselineServer(process.argv[3]!)
else {
  main().then(() => process.exit(0), (e) => {
    console.error(e)
    process.exit(1)
  })
}
