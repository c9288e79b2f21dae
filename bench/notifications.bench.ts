/**
 * Issue 17: what the notification triggers add to the transaction that finishes downloads.
 *
 * One sync tick's worth of completions: 2,000 DOWNLOADING rows set to COMPLETED in one
 * transaction (one UPDATE per row, as DownloadRepository.applyChanges writes them), half of them
 * tracks of 12-track albums, with three message targets configured. Measured on a database
 * with every migration, and as the baseline in the same run on a copy with the notification
 * triggers dropped; each round on a fresh copy of the same file, rounds interleaved.
 *
 *   npm run bench -- notifications
 */
import Database from "better-sqlite3"
import { copyFileSync } from "node:fs"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { benchResult, migrateDb, ms, printTable, ratio, round, summarize, tempDir, times } from "./support.js"

const ROWS = 2000
const ALBUM_SIZE = 12
const ROUNDS = 15

const dir = tempDir("soulspot-notify-bench-")
const template = join(dir, "template.db")
await migrateDb(template)

{
  const db = new Database(template)
  const now = new Date().toISOString()
  db.transaction(() => {
    const track = db.prepare("INSERT INTO tracks (id, request_key, title, artist, album, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
    const album = db.prepare("INSERT INTO albums (id, source, source_id, title, artist, total_tracks, created_at, updated_at) VALUES (?, 'local', ?, ?, 'Band', ?, ?, ?)")
    const member = db.prepare("INSERT INTO album_tracks (album_id, track_id, track_number) VALUES (?, ?, ?)")
    const download = db.prepare("INSERT INTO downloads (id, track_id, status, username, filename, size, created_at, updated_at) VALUES (?, ?, 'DOWNLOADING', 'peer', ?, 1000, ?, ?)")
    for (let i = 0; i < ROWS; i++) {
      const inAlbum = i < ROWS / 2
      const albumId = `a${Math.floor(i / ALBUM_SIZE)}`
      if (inAlbum && i % ALBUM_SIZE === 0) album.run(albumId, albumId, `Album ${albumId}`, ALBUM_SIZE, now, now)
      track.run(`t${i}`, `k${i}`, `Song ${i}`, "Band", inAlbum ? `Album ${albumId}` : null, now, now)
      if (inAlbum) member.run(albumId, `t${i}`, (i % ALBUM_SIZE) + 1)
      download.run(`d${i}`, `t${i}`, `@@p\\Song ${i}.flac`, now, now)
    }
    const target = db.prepare("INSERT INTO notification_targets (id, type, name, config, created_at, updated_at) VALUES (?, 'webhook', ?, ?, ?, ?)")
    for (const n of [1, 2, 3]) target.run(`w${n}`, `hook ${n}`, JSON.stringify({ url: `http://127.0.0.1:9/${n}` }), now, now)
  })()
  db.close()
}

const baselineTemplate = join(dir, "baseline.db")
copyFileSync(template, baselineTemplate)
{
  const db = new Database(baselineTemplate)
  for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'notification_%'").all() as Array<{ name: string }>) {
    db.exec(`DROP TRIGGER ${name}`)
  }
  db.close()
}

/** One round on a fresh copy: the completing transaction, timed; how many events it wrote. */
const round1 = (from: string, n: number) => {
  const file = join(dir, `run-${n}.db`)
  copyFileSync(from, file)
  const db = new Database(file)
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = NORMAL")
  const update = db.prepare("UPDATE downloads SET status = 'COMPLETED', bytes_transferred = size, completed_at = ?, updated_at = ? WHERE id = ?")
  const started = performance.now()
  db.transaction(() => {
    const now = new Date().toISOString()
    for (let i = 0; i < ROWS; i++) update.run(now, now, `d${i}`)
  })()
  const took = performance.now() - started
  const events = (db.prepare("SELECT count(*) AS n FROM notification_outbox").get() as { n: number }).n
  const deliveries = (db.prepare("SELECT count(*) AS n FROM notification_deliveries").get() as { n: number }).n
  db.close()
  return { took, events, deliveries }
}

const withTriggers: Array<number> = []
const baseline: Array<number> = []
let written = { events: 0, deliveries: 0 }
for (let r = 0; r < ROUNDS; r++) {
  const a = round1(template, 2 * r)
  withTriggers.push(a.took)
  written = { events: a.events, deliveries: a.deliveries }
  baseline.push(round1(baselineTemplate, 2 * r + 1).took)
}
const w = summarize(withTriggers.slice(2))
const b = summarize(baseline.slice(2))
printTable(`${ROWS} downloads → COMPLETED in one transaction (${ROUNDS - 2} rounds after 2 warm-up), ms`, ["", "median", "p95", "max"], [
  ["with notification triggers", ms(w.median), ms(w.p95), ms(w.max)],
  ["baseline: triggers dropped", ms(b.median), ms(b.p95), ms(b.max)],
  ["ratio", times(ratio(w.median, b.median)), "", ""]
])
console.log(`  events written per round: ${written.events} (one per single track, one per album), deliveries: ${written.deliveries}`)
benchResult("notifications", {
  rows: ROWS, median_ms: round(w.median), baseline_median_ms: round(b.median), ratio: round(ratio(w.median, b.median)),
  per_row_extra_us: round(((w.median - b.median) / ROWS) * 1000), events: written.events, deliveries: written.deliveries
})
