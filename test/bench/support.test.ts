// Smoke test for the benchmarks' setup code: the bulk loader fills a migrated database with the
// asked status mix (rows the app can read), and the statistics helpers rank as documented.
import Database from "better-sqlite3"
import { describe, expect, it } from "vitest"
import { join } from "node:path"
import { bulkInsertDownloads, median, migrateDb, percentile, type StatusMix, tempDir } from "../../bench/support.js"

describe("bench support", () => {
  it("bulkInsertDownloads writes the status mix into a migrated database", async () => {
    const file = join(tempDir("smoke"), "soulspot.db")
    await migrateDb(file)
    const mix: StatusMix = { WAITING: 3, PENDING: 1, QUEUED: 2, DOWNLOADING: 4, COMPLETED: 60, FAILED: 5, CANCELLED: 2 }
    const r = bulkInsertDownloads(file, mix)
    expect(r.rows).toBe(77)
    const db = new Database(file, { readonly: true })
    const rows = db.prepare("SELECT status, count(*) AS n FROM downloads GROUP BY status").all() as Array<{ status: string; n: number }>
    expect(Object.fromEntries(rows.map((x) => [x.status, x.n]))).toEqual(mix)
    const orphans = db.prepare("SELECT count(*) AS n FROM downloads d LEFT JOIN tracks t ON t.id = d.track_id WHERE t.id IS NULL").get() as { n: number }
    expect(orphans.n).toBe(0)
    const inFlight = db.prepare("SELECT count(*) AS n FROM downloads WHERE status IN ('QUEUED', 'DOWNLOADING') AND slskd_id IS NOT NULL AND size IS NOT NULL").get() as { n: number }
    expect(inFlight.n).toBe(6)
    db.close()
  })

  it("percentile is nearest-rank and median averages the middle pair", () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]
    expect(percentile(xs, 50)).toBe(5)
    expect(percentile(xs, 95)).toBe(10)
    expect(percentile(xs, 99)).toBe(10)
    expect(percentile([7], 99)).toBe(7)
    expect(median(xs)).toBe(5.5)
    expect(median([3, 1, 2])).toBe(2)
  })
})
