/**
 * Throughput and latency of the reads the page polls, with 100,000 downloads (90 % WAITING).
 *
 * The real app (AppLayer, workers off, NodeHttpServer on 127.0.0.1 port 0) runs in a child
 * process; a closed-loop load generator in this process keeps 32 keep-alive clients busy and
 * records requests/second, p50/p99 latency and the server's CPU time per request. App and
 * baseline take turns (5 slices of 1 s each, alternating), so on a shared machine both meet the
 * same background load.
 *
 * Baseline (same run, same database file, also a child process): a plain node:http server
 * answering the same URLs with better-sqlite3 and the repository's SQL on every request (stats:
 * the kept per-status and per-day counts; active: a page of 100 in keyset order, first or after
 * a cursor, plus the total, serialised to the same JSON). The app answers stats and the first
 * active page from a cache between commits; the second page and one 80,000 rows deep (cursor)
 * are read afresh, so they show the uncached path. The page itself (/download-manager, full HTML) is measured for the app
 * alone: its size and its render time under the same load. The table says whether each read
 * meets the targets (≥ 50 % of the baseline's requests per second, p99 under 50 ms).
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
  benchResult, BIG_QUEUE_MIX, bulkInsertDownloads, childMemory, closedPort, type ComparedLoad, httpRequest, interleavedLoops, migrateDb, mib, mixTotal,
  ms, note, printTable, ratio, roleOf, round, rssOf, runAppServer, startApp, startRole, tempDir
} from "./support.js"

const MIX = BIG_QUEUE_MIX

const SELF = fileURLToPath(import.meta.url)
const CONCURRENCY = 32
const ROUNDS = 5
const SLICE_SECONDS = 1
const WARMUP_SECONDS = 0.3
const STATS = "/api/downloads/manager/stats"
const ACTIVE = "/api/downloads/manager/active"
/** The targets: at least half the baseline's requests per second, and p99 under 50 ms. */
const TARGET_SHARE = 0.5
const TARGET_P99_MS = 50
const DEEP_OFFSET = 80_000
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
  // after a cursor: the repository's two index ranges (the rest of the cursor's priority, then lower ones)
  const samePriority = db.prepare(`${DOWNLOAD_SELECT} WHERE d.status IN ('WAITING', 'PENDING', 'QUEUED', 'DOWNLOADING')
    AND -d.priority = ? AND (d.created_at, d.id) > (?, ?) ORDER BY d.created_at, d.id LIMIT ?`)
  const lowerPriority = db.prepare(`${DOWNLOAD_SELECT} WHERE d.status IN ('WAITING', 'PENDING', 'QUEUED', 'DOWNLOADING')
    AND -d.priority > ? ORDER BY -d.priority, d.created_at, d.id LIMIT ?`)
  const activeAfter = (p: number, c: string, id: string) => {
    const same = samePriority.all(-p, c, id, 101) as Array<Row>
    return same.length >= 101 ? same : [...same, ...lowerPriority.all(-p, 101 - same.length) as Array<Row>]
  }
  const activePage = (cursor: string | null) => {
    const after = cursor === null ? undefined : JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, number, string, string]
    const rows = (after === undefined ? active.all() : activeAfter(after[1], after[2], after[3])) as Array<Row>
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
    const url = new URL(req.url ?? "/", "http://x")
    if (url.pathname === STATS) body = JSON.stringify(stats())
    else if (url.pathname === ACTIVE) body = JSON.stringify(activePage(url.searchParams.get("cursor")))
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
    `${ROUNDS} turns of ${SLICE_SECONDS} s per server and endpoint (app and baseline alternate, ${WARMUP_SECONDS} s warm-up each turn); ` +
    `app and baseline each in their own process`)
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

  // Same answers? Stats equal; the active pages the same rows in the same order, the same total and cursor.
  const get = async (port: number, path: string) => {
    const r = await httpRequest(port, "GET", path)
    if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${r.body.slice(0, 300)}`)
    return r.body
  }
  const [appStats, baseStats] = await Promise.all(servers.map((s) => get(s.port, STATS)))
  const [appActive, baseActive] = await Promise.all(servers.map((s) => get(s.port, ACTIVE)))
  const cursor = (JSON.parse(appActive!) as { next_cursor: string }).next_cursor
  const SECOND = `${ACTIVE}?cursor=${cursor}`
  const [appSecond, baseSecond] = await Promise.all(servers.map((s) => get(s.port, SECOND)))
  // a page deep in the queue ("show more" many times): the cursor of the row at position 80,000
  const deepRow = (() => {
    const file = new Database(db, { readonly: true })
    try {
      return file.prepare(`SELECT priority, created_at, id FROM downloads d WHERE d.status IN ('WAITING', 'PENDING', 'QUEUED', 'DOWNLOADING')
        ORDER BY -d.priority, d.created_at, d.id LIMIT 1 OFFSET ${DEEP_OFFSET - 1}`).get() as { priority: number; created_at: string; id: string }
    } finally {
      file.close()
    }
  })()
  const DEEP = `${ACTIVE}?cursor=${Buffer.from(JSON.stringify(["a", deepRow.priority, deepRow.created_at, deepRow.id])).toString("base64url")}`
  const [appDeep, baseDeep] = await Promise.all(servers.map((s) => get(s.port, DEEP)))
  const samePage = (a: string, b: string) => {
    type P = { downloads: Array<{ id: string }>; total: number; next_cursor: string | null }
    const [x, y] = [JSON.parse(a) as P, JSON.parse(b) as P]
    return x.downloads.map((d) => d.id).join() === y.downloads.map((d) => d.id).join() && x.total === y.total && x.next_cursor === y.next_cursor
  }
  const sameStats = JSON.stringify(JSON.parse(appStats!)) === JSON.stringify(JSON.parse(baseStats!))
  const sameActive = samePage(appActive!, baseActive!) && samePage(appSecond!, baseSecond!) && samePage(appDeep!, baseDeep!)
  const activeCount = (JSON.parse(appActive!) as { downloads: Array<unknown> }).downloads.length
  console.log(`answers: stats ${sameStats ? "identical" : "DIFFER"}; active pages 1, 2 and ${DEEP_OFFSET / 100 + 1} ${sameActive ? "the same rows in the same order" : "DIFFER"} ` +
    `(${activeCount} downloads, app ${appActive!.length} bytes, baseline ${baseActive!.length} bytes: the app also sends paused and import)`)

  // The page: first HTML size and a single cold render, then the load below.
  const pageStarted = performance.now()
  const pageReply = await httpRequest(app.port, "GET", PAGE)
  const pageColdMs = performance.now() - pageStarted
  const pageBytes = Buffer.byteLength(pageReply.body)
  const pageRows = (pageReply.body.match(/<li id="download-/g) ?? []).length
  console.log(`page: ${PAGE} answered ${pageReply.status}, ${(pageBytes / 1024).toFixed(1)} KiB, ${pageRows} rows, first render ${ms(pageColdMs)} ms`)

  const loads = [
    { key: "stats", label: "stats", path: STATS },
    { key: "active_list", label: "active, first page", path: ACTIVE },
    { key: "active_second_page", label: "active, page 2 (cursor)", path: SECOND },
    { key: "active_deep_page", label: `active, page ${DEEP_OFFSET / 100 + 1} (cursor)`, path: DEEP }
  ] as const
  const options = { concurrency: CONCURRENCY, rounds: ROUNDS, sliceSeconds: SLICE_SECONDS, warmupSeconds: WARMUP_SECONDS }
  const results: Record<string, Record<string, ComparedLoad>> = {}
  for (const l of loads) results[l.key] = await interleavedLoops(servers, l.path, options)
  const pageLoad = (await interleavedLoops([servers[0]], PAGE, options))["app"]!
  const rss = { app: rssOf(app.child.pid), baseline: rssOf(baseline.pid) }
  const settled = await childMemory(app.child)

  const share = (key: string) => ratio(results[key]!["app"]!.rps, results[key]!["baseline"]!.rps)
  const met = (key: string) => ({
    rps_at_least_half_of_baseline: share(key) >= TARGET_SHARE,
    p99_under_50_ms: results[key]!["app"]!.p99 < TARGET_P99_MS
  })
  const yesNo = (b: boolean) => (b ? "yes" : "NO")
  const rows: Array<Array<string>> = []
  for (const l of loads) {
    for (const s of servers) {
      const r = results[l.key]![s.name]!
      const isApp = s.name === "app"
      rows.push([`${l.label} ${s.name}`, r.rps.toFixed(0), ms(r.p50), ms(r.p99), ms(r.max), String(r.errors), (r.bytesPerReply / 1024).toFixed(1),
        r.cpuMicrosPerRequest.toFixed(0), isApp ? `${(share(l.key) * 100).toFixed(0)} %` : "",
        isApp ? `${yesNo(met(l.key).rps_at_least_half_of_baseline)} / ${yesNo(met(l.key).p99_under_50_ms)}` : ""])
    }
  }
  rows.push([`page app`, pageLoad.rps.toFixed(0), ms(pageLoad.p50), ms(pageLoad.p99), ms(pageLoad.max), String(pageLoad.errors),
    (pageLoad.bytesPerReply / 1024).toFixed(1), pageLoad.cpuMicrosPerRequest.toFixed(0), "", ""])
  printTable(`closed loop, ${CONCURRENCY} clients, ${ROUNDS * SLICE_SECONDS} s per server and endpoint (latency ms)`,
    ["endpoint server", "req/s", "p50", "p99", "max", "errors", "KiB/reply", "CPU µs/req", "app rps / base rps",
      `target ≥ ${TARGET_SHARE * 100} % / p99 < ${TARGET_P99_MS} ms`], rows)
  note("page 1 of active and stats are answered from a cache between commits (nothing writes during this benchmark); " +
    "the cursor pages are read afresh on every request")
  console.log(`RSS after the load: app ${mib(rss.app)} (after a full GC: ${mib(settled.rss)}, heap ${mib(settled.heapUsed)}), baseline ${mib(rss.baseline)}`)

  const stopped = await Promise.all([app.child.stop(), baseline.stop()])
  console.log(`stopped: app exit ${stopped[0].code ?? stopped[0].signal} in ${ms(stopped[0].millis)} ms, baseline exit ${stopped[1].code ?? stopped[1].signal}`)

  const fig = (r: ComparedLoad) => ({ rps: round(r.rps, 0), p50_ms: round(r.p50), p99_ms: round(r.p99), errors: r.errors, cpu_us_per_request: round(r.cpuMicrosPerRequest, 0) })
  const compared = (key: string) => ({
    app: fig(results[key]!["app"]!), baseline: fig(results[key]!["baseline"]!),
    rps_ratio_baseline_over_app: round(ratio(results[key]!["baseline"]!.rps, results[key]!["app"]!.rps)),
    app_share_of_baseline_rps: round(share(key)),
    targets_met: met(key)
  })
  benchResult("http", {
    downloads: loaded.rows, active: activeCount, concurrency: CONCURRENCY, seconds: ROUNDS * SLICE_SECONDS,
    same_answers: sameStats && sameActive,
    stats: compared("stats"),
    active_list: { ...compared("active_list"), reply_bytes: appActive!.length },
    active_second_page: compared("active_second_page"),
    active_deep_page: { ...compared("active_deep_page"), rows_before: DEEP_OFFSET },
    page: { bytes: pageBytes, rows: pageRows, first_render_ms: round(pageColdMs), rps: round(pageLoad.rps, 0), p50_ms: round(pageLoad.p50), p99_ms: round(pageLoad.p99) },
    rss_mib: { app: round(rss.app / 1024 / 1024, 1), app_after_gc: round(settled.rss / 1024 / 1024, 1), baseline: round(rss.baseline / 1024 / 1024, 1) },
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
