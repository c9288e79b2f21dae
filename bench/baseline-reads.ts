/**
 * The benchmarks' baseline for the polled reads: a plain node:http server answering stats and
 * the active list (first page or after a cursor) with better-sqlite3 and the repository's SQL on
 * every request, serialised to the same JSON as the app.
 */
import Database from "better-sqlite3"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { DOWNLOAD_SELECT } from "../src/infrastructure/persistence/rows.js"

export const STATS = "/api/downloads/manager/stats"
export const ACTIVE = "/api/downloads/manager/active"

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

export const runBaselineServer = (file: string) => {
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
