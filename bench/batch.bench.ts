/**
 * POST /api/downloads/batch with 10,000 tracks (target: under 2 s), on a database already
 * holding 50,000 downloads.
 *
 * The real app (AppLayer, workers off) runs in a child process; this process sends the batch
 * over HTTP and times the whole exchange (JSON encode, body transfer, per-item validation, the
 * one transaction, the answer). Each round uses 10,000 new tracks; a repeat of the last batch
 * (every track already queued: the idempotent path) is timed too.
 *
 * Baseline (same run, a second database file with the same 50,000 rows): raw better-sqlite3
 * prepared INSERTs of 10,000 tracks and 10,000 downloads in one transaction, with no
 * validation, no idempotency check and no answer: the floor for storing the rows at all.
 *
 *   node --import tsx bench/batch.bench.ts
 */
import Database from "better-sqlite3"
import { randomUUID } from "node:crypto"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import {
  benchResult, bulkInsertDownloads, httpRequest, migrateDb, ms, printTable, ratio, REALISTIC_MIX, roleOf, round, runAppServer,
  startApp, summarize, tempDir, times
} from "./support.js"

const SELF = fileURLToPath(import.meta.url)
const TRACKS = 10_000
const ROUNDS = 5

const batchOf = (round: number | string) => Array.from({ length: TRACKS }, (_, i) => ({
  title: `Bench song ${round}-${i}`, artist: `Bench artist ${i % 300}`, album: `Bench album ${round}-${Math.floor(i / 12)}`,
  duration_ms: 180_000 + (i % 120) * 1000, track_number: (i % 12) + 1
}))

const baselineRound = (file: string, round: number): number => {
  const db = new Database(file)
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = NORMAL")
  const insTrack = db.prepare(`INSERT INTO tracks (id, request_key, title, artist, album, duration_ms, track_number, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const insDownload = db.prepare(`INSERT INTO downloads (id, track_id, status, priority, quality_profile, created_at, updated_at)
    VALUES (?, ?, 'WAITING', 0, 'balanced', ?, ?)`)
  const tracks = batchOf(round)
  const started = performance.now()
  const now = new Date().toISOString()
  db.transaction(() => {
    for (const t of tracks) {
      const id = randomUUID()
      insTrack.run(id, `meta:${t.artist}|${t.title}|${t.album}`.toLowerCase(), t.title, t.artist, t.album, t.duration_ms, t.track_number, now, now)
      insDownload.run(randomUUID(), id, now, now)
    }
  })()
  const millis = performance.now() - started
  db.close()
  return millis
}

const main = async () => {
  const dir = tempDir("soulspot-bench-batch-")
  const appDb = join(dir, "app.db")
  const baseDb = join(dir, "baseline.db")
  for (const f of [appDb, baseDb]) {
    await migrateDb(f)
    bulkInsertDownloads(f, REALISTIC_MIX)
  }
  const { child, port } = await startApp(SELF, appDb, "http://127.0.0.1:9")
  try {
    // warm-up: one small batch, so the first timed round does not pay for JIT and prepared statements
    await httpRequest(port, "POST", "/api/downloads/batch", { tracks: batchOf("warm-up").slice(0, 200) })
    const app: Array<number> = []
    const base: Array<number> = []
    for (let r = 0; r < ROUNDS; r++) {
      const body = { tracks: batchOf(r) }
      const started = performance.now()
      const reply = await httpRequest(port, "POST", "/api/downloads/batch", body)
      app.push(performance.now() - started)
      const parsed = JSON.parse(reply.body) as { created: number }
      if (reply.status !== 200 || parsed.created !== TRACKS) throw new Error(`batch answered ${reply.status}: ${reply.body.slice(0, 200)}`)
      base.push(baselineRound(baseDb, r))
    }
    const repeatStarted = performance.now()
    const repeat = await httpRequest(port, "POST", "/api/downloads/batch", { tracks: batchOf(ROUNDS - 1) })
    const repeatMs = performance.now() - repeatStarted
    if ((JSON.parse(repeat.body) as { existing: number }).existing !== TRACKS) throw new Error("the repeat created downloads")

    const a = summarize(app)
    const b = summarize(base)
    printTable(`POST /api/downloads/batch, ${TRACKS} tracks, ${ROUNDS} rounds, 50,000 rows already stored`, ["", "median ms", "max ms"], [
      ["app over HTTP (new tracks)", ms(a.median), ms(a.max)],
      ["app over HTTP (repeat: all existing)", ms(repeatMs), ms(repeatMs)],
      ["baseline: raw prepared INSERTs, one tx", ms(b.median), ms(b.max)],
      ["app / baseline", times(ratio(a.median, b.median)), ""]
    ])
    benchResult("batch", {
      tracks: TRACKS, rounds: ROUNDS, app_median_ms: round(a.median), app_max_ms: round(a.max), repeat_ms: round(repeatMs),
      baseline_median_ms: round(b.median), ratio: round(ratio(a.median, b.median))
    })
  } finally {
    await child.stop()
  }
}

const role = roleOf(process.argv)
if (role === "app") void runAppServer(process.argv[3]!, { slskdUrl: process.argv[4]! })
else void main().catch((e) => {
  console.error(e)
  process.exit(1)
})
