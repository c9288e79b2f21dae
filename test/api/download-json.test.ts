/**
 * The polled lists write their JSON without Schema: rows are mapped straight from SQL (no
 * decode) and toDto builds the encoded shape (no encode). These tests hold that text against
 * the Schema path it replaced (DownloadRow decode, DownloadDto encode) on generated downloads
 * and on generated rows in a real database: null and present fields, quotes and non-ASCII text,
 * fractional speeds, paused rows, imports whose stored checks carry other keys or another order.
 */
import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Arbitrary, Effect, FastCheck as fc, Schema } from "effect"
import { DownloadPage } from "../../src/api/api.js"
import { DownloadDto, downloadPageJson, toDto } from "../../src/api/dto.js"
import { Download } from "../../src/domain/download.js"
import { DownloadRepository } from "../../src/domain/ports/DownloadRepository.js"
import { PersistenceTest, tempDbFile } from "../support/db.js"

const encodeDownload = Schema.encodeSync(DownloadDto)
const encodePage = Schema.encodeSync(DownloadPage("Page"))
const viaSchema = (d: Download) => JSON.stringify(encodeDownload(toDto(d)))

describe("download JSON without Schema", () => {
  it("toDto gives the text of the Schema encode for generated downloads", () => {
    fc.assert(fc.property(Arbitrary.make(Download), (d) => {
      expect(JSON.stringify(toDto(d))).toBe(viaSchema(d))
    }), { numRuns: 500, seed: 14 })
  })

  it("an import record with more fields and checks in another order come out as the schema has them", () => {
    const d = fc.sample(Arbitrary.make(Download), { numRuns: 1, seed: 1 })[0]!
    const completed = {
      ...d, status: "COMPLETED" as const,
      importState: {
        downloadId: d.id, accepted: true, sourcePath: "/in/x.flac", status: "NEEDS_REVIEW" as const, step: "VERIFYING", path: null, reason: "duration",
        checks: [{ detail: "2:58 vs 3:01", ok: false, name: "duration", extra: 1 }, { ok: true, name: "format", detail: "flac" }]
      }
    }
    const text = JSON.stringify(toDto(completed))
    expect(text).toBe(viaSchema(completed))
    expect(text).toContain(`"import":{"status":"NEEDS_REVIEW","step":"VERIFYING","path":null,"reason":"duration","checks":[{"name":"duration","ok":false,"detail":"2:58 vs 3:01"},{"name":"format","ok":true,"detail":"flac"}]}`)
  })
})

// ---------------------------------------------------------------------------------------------
// Generated rows in a real database, read by the hot path and by the decoding path

const STATUSES = ["WAITING", "PENDING", "QUEUED", "DOWNLOADING", "COMPLETED", "FAILED", "CANCELLED"] as const
const text = fc.oneof(fc.string(), fc.constantFrom("", "\"quoted\" \\ back\\slash", "Sigur Rós – ( )", "😀 \u2028 \u0000 end", "<b>&amp;</b>"))
const nullable = <A>(a: fc.Arbitrary<A>) => fc.option(a, { nil: null })
const iso = fc.date({ min: new Date("2020-01-01"), max: new Date("2030-01-01"), noInvalidDate: true }).map((x) => x.toISOString())
const check = fc.record({ name: text, ok: fc.boolean(), detail: text, extra: fc.option(fc.integer()) })

const row = fc.record({
  status: fc.constantFrom(...STATUSES),
  priority: fc.integer({ min: -1000, max: 1000 }),
  slskd: nullable(text), username: nullable(text), filename: nullable(text),
  size: nullable(fc.integer({ min: 0, max: 4_000_000_000 })),
  bytes: fc.integer({ min: 0, max: 5_000_000_000 }),
  speed: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e9, noNaN: true })),
  eta: nullable(fc.integer({ min: 0, max: 100_000 })),
  attempts: fc.integer({ min: 0, max: 20 }), next: nullable(iso), error: nullable(text), profile: fc.constantFrom("balanced", "lossless", "x"),
  progressAt: nullable(iso), paused: fc.constantFrom(0, 1), created: iso, updated: iso, completed: nullable(iso),
  title: text, artist: text, album: nullable(text), duration: nullable(fc.integer({ min: 0, max: 10_000_000 })), isrc: nullable(text),
  trackNo: nullable(fc.integer({ min: 0, max: 99 })), discNo: nullable(fc.integer({ min: 0, max: 9 })),
  imported: fc.option(fc.record({
    status: fc.constantFrom("IMPORTING", "IMPORTED", "NEEDS_REVIEW", "IMPORT_FAILED"), step: fc.constantFrom("LOCATING", "DONE"),
    path: nullable(text), reason: nullable(text), checks: fc.array(check, { maxLength: 3 })
  }), { nil: null })
})

const ROWS = 400
const file = tempDbFile()

const seed = () => {
  const db = new Database(file)
  const insTrack = db.prepare(`INSERT INTO tracks (id, request_key, title, artist, album, duration_ms, isrc, track_number, disc_number, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const insDownload = db.prepare(`INSERT INTO downloads (id, track_id, status, priority, slskd_id, username, filename, size, bytes_transferred,
    speed_bps, eta_seconds, attempts, next_attempt_at, error, quality_profile, progress_at, paused, created_at, updated_at, completed_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const insImport = db.prepare(`INSERT INTO download_imports (download_id, status, step, path, reason, checks, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
  db.transaction(() => {
    fc.sample(row, { numRuns: ROWS, seed: 1414 }).forEach((r, i) => {
      const id = `d${String(i).padStart(4, "0")}`
      insTrack.run(`t${i}`, `k${i}`, r.title, r.artist, r.album, r.duration, r.isrc, r.trackNo, r.discNo, r.created, r.created)
      insDownload.run(id, `t${i}`, r.status, r.priority, r.slskd, r.username, r.filename, r.size, r.bytes, r.speed, r.eta, r.attempts, r.next,
        r.error, r.profile, r.progressAt, r.paused, r.created, r.updated, r.completed)
      if (r.imported) {
        const checks = JSON.stringify(r.imported.checks.map((c) => c.extra === null ? { detail: c.detail, ok: c.ok, name: c.name } : c))
        insImport.run(id, r.imported.status, r.imported.step, r.imported.path, r.imported.reason, checks, r.created, r.updated)
      }
    })
  })()
  db.close()
}

describe("page JSON from generated rows", () => {
  it.layer(PersistenceTest(file))((it) => {
    it.effect("History and the active list write, row by row, what the decode and the Schema encode wrote", () =>
      Effect.gen(function*() {
        seed()
        const repo = yield* DownloadRepository
        const pages = [
          ...[0, 1].map((k) => repo.list({ limit: ROWS / 2, offset: k * (ROWS / 2) })),
          repo.listActive({ limit: ROWS })
        ]
        let rows = 0
        for (const read of pages) {
          const page = yield* read
          const body = downloadPageJson(page)
          // the decoding read of every row, through the Schema encode of the whole page
          const decoded = yield* Effect.forEach(page.downloads, (d) => repo.get(d.id))
          expect(body).toBe(JSON.stringify(encodePage({ downloads: decoded.map(toDto), total: page.total, next_cursor: page.nextCursor })))
          rows += page.downloads.length
        }
        expect(rows).toBeGreaterThan(ROWS)
      }))
  })
})
