/**
 * stats and the first page of the active list are answered from a cache between commits (a
 * database file, as in production). Every change a user or another process makes shows in the
 * next answer; the cached text is the text the uncached read gives; the UTC day moves
 * completed_today without any write.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Clock, Effect, TestClock } from "effect"
import { AppTest } from "../support/app.js"
import { tempDbFile } from "../support/db.js"

const file = tempDbFile()

const request = (method: "GET" | "POST" | "DELETE", url: string, body?: unknown) =>
  Effect.flatMap(HttpClient.HttpClient, (c) => {
    const req = HttpClientRequest.make(method)(url)
    return c.execute(body === undefined ? req : HttpClientRequest.bodyUnsafeJson(req, body))
  })
const text = (url: string) => Effect.flatMap(request("GET", url), (r) => Effect.orDie(r.text))
const json = <A = any>(url: string) => Effect.map(text(url), (t) => JSON.parse(t) as A)
const created = (title: string) => Effect.flatMap(request("POST", "/api/downloads", { title, artist: "Portishead" }),
  (r) => Effect.map(Effect.orDie(r.json), (d) => d as { id: string }))

const STATS = "/api/downloads/manager/stats"
const ACTIVE = "/api/downloads/manager/active"

/** A write by another process on the same file: the CLI, or sqlite3 by hand. */
const elsewhere = (sql: string, ...params: Array<unknown>) => Effect.sync(() => {
  const db = new Database(file)
  try {
    db.prepare(sql).run(...params)
  } finally {
    db.close()
  }
})

describe("answers cached between commits", () => {
  it.layer(AppTest({ db: file }), { timeout: 30_000 })((it) => {
    it.effect("each change through the API shows in the very next stats and active answer", () =>
      Effect.gen(function*() {
        const before = yield* json(STATS)
        const page = yield* json(ACTIVE)
        expect(yield* json(STATS)).toEqual(before)
        const a = yield* created("Roads")
        const afterCreate = yield* json(STATS)
        expect(afterCreate).toMatchObject({ waiting: before.waiting + 1, total: before.total + 1 })
        const listed = yield* json(ACTIVE)
        expect(listed.total).toBe(page.total + 1)
        expect(listed.downloads.map((d: { id: string }) => d.id)).toContain(a.id)
        expect((yield* request("DELETE", `/api/downloads/${a.id}`)).status).toBe(200)
        expect(yield* json(STATS)).toMatchObject({ waiting: before.waiting, cancelled: before.cancelled + 1 })
        expect((yield* json(ACTIVE)).downloads.map((d: { id: string }) => d.id)).not.toContain(a.id)
      }))

    it.effect("a write by another process on the same file shows in the next answer", () =>
      Effect.gen(function*() {
        const first = yield* created("Glory Box")
        yield* created("Sour Times")
        const order = () => Effect.map(json(ACTIVE), (p) => p.downloads.map((d: { id: string }) => d.id) as Array<string>)
        const top = (yield* order())[0]!
        yield* elsewhere("UPDATE downloads SET priority = -1000 WHERE id = ?", top)
        const after = yield* order()
        expect(after[0]).not.toBe(top)
        expect(after.at(-1)).toBe(top)
        const stats = yield* json(STATS)
        yield* elsewhere("UPDATE downloads SET status = 'FAILED', completed_at = ? WHERE id = ?", new Date().toISOString(), first.id)
        expect(yield* json(STATS)).toMatchObject({ waiting: stats.waiting - 1, failed: stats.failed + 1 })
      }))

    it.effect("the cached first page is the text the same page read without the cache gives", () =>
      Effect.gen(function*() {
        for (const t of ["Mysterons", "Wandering Star", "It Could Be Sweet"]) yield* created(t)
        // a status filter naming every active status reads the same rows on the uncached path
        const uncached = yield* text(`${ACTIVE}?status=WAITING,PENDING,QUEUED,DOWNLOADING&limit=2`)
        expect(yield* text(`${ACTIVE}?limit=2`)).toBe(uncached)
        expect(yield* text(`${ACTIVE}?limit=2`)).toBe(uncached)
        expect(JSON.parse(uncached).next_cursor).not.toBeNull()
      }))

    it.effect("the polled URLs (answered before the router) give the text and headers of their HttpApi endpoints", () =>
      Effect.gen(function*() {
        yield* created("Cowboys")
        for (const [polled, viaApi] of [[STATS, `${STATS}?from=test`], [ACTIVE, `${ACTIVE}?limit=100`]] as const) {
          const [a, b] = [yield* request("GET", polled), yield* request("GET", viaApi)]
          expect(yield* Effect.orDie(a.text)).toBe(yield* Effect.orDie(b.text))
          for (const h of ["content-type", "content-length", "content-security-policy", "x-frame-options"]) expect(a.headers[h]).toBe(b.headers[h])
        }
      }))

    it.effect("completed_today follows the UTC day with no write in between", () =>
      Effect.gen(function*() {
        const d = yield* created("Numb")
        const now = yield* Clock.currentTimeMillis
        yield* elsewhere("UPDATE downloads SET status = 'COMPLETED', completed_at = ? WHERE id = ?", new Date(now).toISOString(), d.id)
        const today = yield* json(STATS)
        expect(today.completed_today).toBeGreaterThanOrEqual(1)
        yield* TestClock.adjust("1 day")
        const tomorrow = yield* json(STATS)
        expect(tomorrow).toMatchObject({ completed: today.completed, completed_today: 0 })
      }))
  })
})

const KEY = "polled-reads-test-key-0123456789"
const withKey = (url: string, key?: string) => Effect.flatMap(HttpClient.HttpClient, (c) =>
  c.execute(key === undefined ? HttpClientRequest.get(url) : HttpClientRequest.get(url).pipe(HttpClientRequest.setHeader("x-api-key", key))))

describe("the polled URLs with an API key", () => {
  it.layer(AppTest({ db: tempDbFile() }, { SOULSPOT_API_KEY: KEY }), { timeout: 30_000 })((it) => {
    it.effect("need the key like every other endpoint (they are answered after the authentication)", () =>
      Effect.gen(function*() {
        for (const url of [STATS, ACTIVE]) {
          const refused = yield* withKey(url)
          expect(refused.status).toBe(401)
          expect(yield* Effect.orDie(refused.json)).toMatchObject({ error: "Unauthorized" })
          expect((yield* withKey(url, "a-wrong-key-but-long-enough")).status).toBe(401)
          const answered = yield* withKey(url, KEY)
          expect(answered.status).toBe(200)
          expect(answered.headers["content-security-policy"]).toBeDefined()
        }
      }))
  })
})
