/**
 * The repository with 100,000 downloads (90 % WAITING) in a real SQLite file: the lists page by
 * cursor without losing or repeating rows while rows change status, the filters and counts agree
 * with a plain count, and the dispatcher's and the lists' queries run on their indexes.
 */
import { Statement } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, TestClock } from "effect"
import { beforeAll } from "vitest"
import type { Download, DownloadStatus } from "../../../src/domain/download.js"
import { DownloadRepository } from "../../../src/domain/ports/DownloadRepository.js"
import { seedQueue } from "../../support/big-queue.js"
import { PersistenceTest, tempDbFile } from "../../support/db.js"

const N = 100_000
const file = tempDbFile()

const raw = <A>(f: (db: Database.Database) => A): A => {
  const db = new Database(file, { readonly: true })
  try {
    return f(db)
  } finally {
    db.close()
  }
}
const countSql = (where: string) => raw((db) => (db.prepare(`SELECT count(*) AS n FROM downloads d JOIN tracks t ON t.id = d.track_id WHERE ${where}`).get() as { n: number }).n)

/** The SQL the repository really ran for `effect`, captured on its way to SQLite. */
const statementsOf = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.gen(function*() {
  const seen: Array<readonly [string, ReadonlyArray<unknown>]> = []
  yield* effect.pipe(Statement.withTransformer((self) => Effect.sync(() => {
    seen.push(self.compile())
    return self
  })))
  return seen
})

const planOf = ([sql, params]: readonly [string, ReadonlyArray<unknown>]) =>
  raw((db) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail))

const key = (d: Download) => [-d.priority, d.createdAt, d.id] as const
const inOrder = (a: Download, b: Download) => {
  const [x, y] = [key(a), key(b)]
  return x[0] !== y[0] ? x[0] < y[0] : x[1] !== y[1] ? x[1] < y[1] : x[2] < y[2]
}

const run = <A, E>(effect: Effect.Effect<A, E, DownloadRepository>) => effect.pipe(Effect.provide(PersistenceTest(file)))

describe("a queue of 100,000 downloads", () => {
  beforeAll(() => seedQueue(file, N), 60_000)

  it.effect("the dispatcher's 'what is due' query reads its index and stops at the limit", () => run(Effect.gen(function*() {
    const repo = yield* DownloadRepository
    const now = "2026-12-01T00:00:00.000Z"
    const [statement] = yield* statementsOf(repo.getWaitingDue(now, 10))
    const plan = planOf(statement!)
    console.log(`EXPLAIN QUERY PLAN getWaitingDue:\n  ${plan.join("\n  ")}`)
    expect(plan[0]).toMatch(/^SCAN d USING INDEX downloads_waiting_due$/)
    expect(plan.join(" ")).not.toMatch(/TEMP B-TREE/)
    // And what it reads is the head of the queue: due rows only, by priority then age.
    const due = yield* repo.getWaitingDue(now, 10)
    expect(due).toHaveLength(10)
    expect(due.every((d) => d.status === "WAITING" && d.nextAttemptAt === null && d.priority === 10)).toBe(true)
    const vm = raw((db) => (db.prepare(`SELECT id FROM downloads WHERE status = 'WAITING' AND next_attempt_at IS NULL
      ORDER BY priority DESC, created_at, id LIMIT 10`).all() as Array<{ id: string }>).map((r) => r.id))
    expect(due.map((d) => d.id)).toEqual(vm)
  })), { timeout: 30_000 })

  it.effect("the active list's first page, a cursor page, a status filter and stats run on indexes and kept counts", () => run(Effect.gen(function*() {
    const repo = yield* DownloadRepository
    const first = yield* repo.listActive({ limit: 100 })
    // the last row of the top priority: its page is the rest of that priority, then the next one
    const topPriority = first.downloads[0]!.priority
    const lastTop = raw((db) => db.prepare(`SELECT id, created_at FROM downloads d WHERE d.status IN ('WAITING','PENDING','QUEUED','DOWNLOADING')
      AND d.priority = ? ORDER BY d.created_at DESC, d.id DESC LIMIT 3`).all(topPriority) as Array<{ id: string; created_at: string }>)
    const cursorBeforeEnd = Buffer.from(JSON.stringify(["a", topPriority, lastTop[2]!.created_at, lastTop[2]!.id])).toString("base64url")
    for (const [effect, range] of [
      [repo.listActive({ limit: 100 }), /^SCAN d USING INDEX downloads_active_order/],
      [repo.listActive({ limit: 100, statuses: ["QUEUED"] }), /^SCAN d USING INDEX downloads_active_order/],
      // a cursor page seeks its start in the index rather than scanning down to it
      [repo.listActive({ limit: 100, cursor: first.nextCursor! }), /^SEARCH d USING INDEX downloads_active_order \(<expr>=\? AND \(created_at,id\)>\(\?,\?\)\)/]
    ] as const) {
      const [page, ...rest] = yield* statementsOf(effect)
      const plan = planOf(page!)
      expect(plan[0], plan.join(" | ")).toMatch(range)
      expect(plan.join(" ")).not.toMatch(/TEMP B-TREE/)
      // the total comes from download_counts, not from counting rows
      expect(rest.map(([sql]) => sql).join(" ")).toMatch(/FROM download_counts/)
      expect(rest.map(([sql]) => sql).join(" ")).not.toMatch(/count\(\*\)/)
    }
    // two rows left in the top priority: the page goes on into the next one, again by seeking
    const [same, lower] = yield* statementsOf(repo.listActive({ limit: 100, cursor: cursorBeforeEnd }))
    expect(planOf(same!)[0]).toMatch(/^SEARCH d USING INDEX downloads_active_order \(<expr>=\?/)
    expect(planOf(lower!)[0]).toMatch(/^SEARCH d USING INDEX downloads_active_order \(<expr>>\?\)/)
    expect(planOf(lower!).join(" ")).not.toMatch(/TEMP B-TREE/)
    const crossing = yield* repo.listActive({ limit: 100, cursor: cursorBeforeEnd })
    expect(crossing.downloads.slice(0, 2).map((d) => d.id)).toEqual([lastTop[1]!.id, lastTop[0]!.id])
    expect(crossing.downloads[2]!.priority).toBeLessThan(topPriority)
    const stats = yield* statementsOf(repo.stats("2026-11-01T00:00:00.000Z"))
    expect(stats.map(([sql]) => sql).every((sql) => /FROM download_(day_)?counts/.test(sql))).toBe(true)
  })), { timeout: 30_000 })

  it.effect("counts per status, with and without filters, equal a plain count", () => run(Effect.gen(function*() {
    const repo = yield* DownloadRepository
    const stats = yield* repo.stats("2026-11-01T00:00:00.000Z")
    const by = raw((db) => Object.fromEntries((db.prepare("SELECT status, count(*) AS n FROM downloads GROUP BY status").all() as Array<{ status: string; n: number }>).map((r) => [r.status, r.n])))
    expect(stats).toMatchObject({
      waiting: by["WAITING"], pending: by["PENDING"], queued: by["QUEUED"], downloading: by["DOWNLOADING"],
      completed: by["COMPLETED"], failed: by["FAILED"], cancelled: by["CANCELLED"], total: N
    })
    expect(stats.waiting).toBe(N * 0.9)

    const active = yield* repo.listActive({ limit: 100 })
    expect(active.total).toBe(countSql("d.status IN ('WAITING','PENDING','QUEUED','DOWNLOADING')"))
    expect(active.downloads).toHaveLength(100)
    expect(active.nextCursor).not.toBeNull()

    // Text filter: every word starts a word of title, artist or album; diacritics and case do not matter.
    const song = yield* repo.listActive({ limit: 1000, q: "SONG 1234" })
    const expected = ["1234", ...Array.from({ length: 10 }, (_, k) => `1234${k}`)]
      .filter((i) => ["WAITING", "PENDING", "QUEUED", "DOWNLOADING"].includes(raw((db) => (db.prepare("SELECT status FROM downloads WHERE track_id = ?").get(`t${i}`) as { status: string }).status)))
    expect(song.downloads.map((d) => d.track.title).sort()).toEqual(expected.map((i) => `Song ${i}`).sort())
    expect(song.total).toBe(expected.length)
    expect(song.nextCursor).toBeNull()
    // "artîst 48": "artist" starts the artist's first word, "48" starts a number in any of the three
    const artist = yield* repo.list({ limit: 500, q: "artîst 48", statuses: ["FAILED", "CANCELLED"] })
    const prefix48 = "(substr(t.title, 6) LIKE '48%' OR substr(t.artist, 8) LIKE '48%' OR substr(t.album, 7) LIKE '48%')"
    expect(artist.total).toBe(countSql(`${prefix48} AND d.status IN ('FAILED','CANCELLED')`))
    expect(artist.total).toBeGreaterThan(100)
    expect(artist.downloads.every((d) => ["FAILED", "CANCELLED"].includes(d.status))).toBe(true)
    expect(artist.downloads.some((d) => d.track.artist === "Artist 48")).toBe(true)
    expect((yield* repo.listActive({ limit: 10, q: "\" OR * NEAR(" })).total).toBe(0) // FTS syntax is only text

    // Status filters, on the active list and on all downloads.
    const queued = yield* repo.listActive({ limit: 1000, statuses: ["QUEUED", "DOWNLOADING"] })
    expect(queued.total).toBe(by["QUEUED"]! + by["DOWNLOADING"]!)
    expect(queued.downloads.every((d) => d.status === "QUEUED" || d.status === "DOWNLOADING")).toBe(true)
    expect(queued.downloads.every((d, i, all) => i === 0 || inOrder(all[i - 1]!, d))).toBe(true)
    const failed = yield* repo.list({ limit: 50, statuses: ["FAILED"] })
    expect(failed.total).toBe(by["FAILED"])
    expect(failed.downloads.every((d, i, all) => d.status === "FAILED" && (i === 0 || all[i - 1]!.createdAt >= d.createdAt))).toBe(true)
    // offset still pages the list the old way
    const offset = yield* repo.list({ limit: 50, offset: 50, statuses: ["FAILED"] })
    const second = yield* repo.list({ limit: 50, cursor: failed.nextCursor!, statuses: ["FAILED"] })
    expect(offset.downloads.map((d) => d.id)).toEqual(second.downloads.map((d) => d.id))
    // a cursor of one list is not accepted by the other, nor is garbage
    expect((yield* Effect.flip(repo.list({ limit: 5, cursor: active.nextCursor! })))._tag).toBe("InvalidCursor")
    expect((yield* Effect.flip(repo.listActive({ limit: 5, cursor: "bm90IGEgY3Vyc29y" })))._tag).toBe("InvalidCursor")
  })), { timeout: 60_000 })

  it.effect("walking all active pages while rows change status: every row that stays active is seen exactly once, in order", () => run(Effect.gen(function*() {
    const repo = yield* DownloadRepository
    const statusAtStart = new Map(raw((db) => (db.prepare("SELECT id, status FROM downloads WHERE status IN ('WAITING','PENDING','QUEUED','DOWNLOADING')").all() as Array<{ id: string; status: string }>).map((r) => [r.id, r.status])))
    const before = new Set(statusAtStart.keys())
    const moved = new Set<string>()
    const waitingAtStart = [...before].filter((id) => statusAtStart.get(id) === "WAITING")
    const read = new Set<string>()
    const seen: Array<Download> = []
    const left = new Set<string>()
    let cursor: string | undefined
    let pages = 0
    do {
      const page = yield* repo.listActive({ limit: 1000, ...(cursor ? { cursor } : {}) })
      seen.push(...page.downloads)
      page.downloads.forEach((d) => read.add(d.id))
      cursor = page.nextCursor ?? undefined
      pages++
      // Between pages the engine moves rows: some not read yet go forward (still active) or
      // finish, and some already read go forward too.
      const ahead = waitingAtStart.filter((id, i) => i % 997 === pages % 997 && !read.has(id) && !moved.has(id)).slice(0, 20)
      const moves: Array<{ id: string; status: DownloadStatus }> = ahead.map((id, i) => ({ id, status: i % 2 === 0 ? "PENDING" : "CANCELLED" }))
      const behind = page.downloads.filter((d) => d.status === "WAITING" && !moved.has(d.id)).slice(0, 5).map((d) => ({ id: d.id, status: "PENDING" as const }))
      const all = [...moves, ...behind]
      all.forEach((m) => moved.add(m.id))
      const { applied, rejected } = yield* repo.applyChanges(all.map((m) => ({ id: m.id, status: m.status, patch: {} })))
      for (const d of applied) if (d.status === "CANCELLED") left.add(d.id)
      expect(rejected).toEqual([])
    } while (cursor !== undefined)

    const ids = seen.map((d) => d.id)
    expect(new Set(ids).size).toBe(ids.length) // nothing twice
    const stayed = [...before].filter((id) => !left.has(id))
    const shown = new Set(ids)
    expect(stayed.filter((id) => !shown.has(id))).toEqual([]) // nothing that stayed active is lost
    expect(seen.every((d, i) => i === 0 || inOrder(seen[i - 1]!, d))).toBe(true)
    expect(pages).toBeGreaterThan(90)
    // and the kept counts followed every move
    const stats = yield* repo.stats("2026-11-01T00:00:00.000Z")
    expect(stats.cancelled).toBe(countSql("d.status = 'CANCELLED'"))
    expect(stats.pending).toBe(countSql("d.status = 'PENDING'"))
    expect(stats.waiting).toBe(countSql("d.status = 'WAITING'"))
  })), { timeout: 120_000 })

  it.effect("completed and failed today follow every move in and out of those states", () => run(Effect.gen(function*() {
    const repo = yield* DownloadRepository
    yield* TestClock.setTime(Date.parse("2030-01-01T10:00:00.000Z"))
    const today = "2030-01-01T00:00:00.000Z"
    const downloading = raw((db) => (db.prepare("SELECT id FROM downloads WHERE status = 'DOWNLOADING' LIMIT 30").all() as Array<{ id: string }>).map((r) => r.id))
    yield* repo.applyChanges(downloading.slice(0, 20).map((id) => ({ id, status: "COMPLETED" as const, patch: {} })))
    yield* repo.applyChanges(downloading.slice(20).map((id) => ({ id, status: "FAILED" as const, patch: {} })))
    // a failed one retried today leaves "failed today"; one cancelled is in neither
    yield* repo.updateStatus(downloading[20]!, "WAITING")
    const waiting = raw((db) => (db.prepare("SELECT id FROM downloads WHERE status = 'WAITING' LIMIT 1").get() as { id: string }).id)
    yield* repo.updateStatus(waiting, "CANCELLED")
    const stats = yield* repo.stats(today)
    expect(stats).toMatchObject({ completedToday: 20, failedToday: 9 })
    const plain = (status: string) => countSql(`d.status = '${status}' AND d.completed_at >= '${today}'`)
    expect([stats.completedToday, stats.failedToday]).toEqual([plain("COMPLETED"), plain("FAILED")])
    // the whole history since the seed day adds up to the status counts
    const all = yield* repo.stats("2026-11-01T00:00:00.000Z")
    expect([all.completedToday, all.failedToday]).toEqual([all.completed, all.failed])
  })), { timeout: 30_000 })
})
