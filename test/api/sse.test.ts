/**
 * The download manager's event stream, read raw off a real socket: what a browser's
 * EventSource (or any script) gets, including ids, replay after a reconnect, the refresh
 * signal, heartbeats (on TestClock) and the clean-up when a client goes away.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Metric, Schema, TestClock } from "effect"
import { DownloadManager } from "../../src/application/download-manager.js"
import { Events } from "../../src/application/events.js"
import { DownloadDto, HealthDto, StatsDto } from "../../src/api/dto.js"
import { sseClients } from "../../src/api/sse.js"
import { AppTest } from "../support/app.js"
import { type SseConnection, type SseFrame, sse, until } from "../support/sse-client.js"

const PATH = "/api/downloads/manager/events"

const send = (method: "GET" | "POST" | "DELETE", url: string, body?: unknown) =>
  Effect.flatMap(HttpClient.HttpClient, (c) => {
    let req = HttpClientRequest.make(method)(url)
    if (body !== undefined) req = HttpClientRequest.bodyUnsafeJson(req, body)
    return c.execute(req)
  }).pipe(Effect.flatMap((r) => Effect.map(r.json, (json) => ({ status: r.status, json: json as any }))), Effect.orDie)

const queue = (title: string, artist = "SSE Band") =>
  Effect.map(send("POST", "/api/downloads", { title, artist }), (r) => {
    expect(r.status).toBe(201)
    return Schema.decodeUnknownSync(DownloadDto)(r.json)
  })

const cancel = (id: string) =>
  Effect.map(send("DELETE", `/api/downloads/${id}`), (r) => {
    expect(r.status).toBe(200)
    return Schema.decodeUnknownSync(DownloadDto)(r.json)
  })

const strict = { onExcessProperty: "error" } as const
const asDownload = (f: SseFrame) => Schema.decodeUnknownSync(DownloadDto, strict)(JSON.parse(f.data))
const downloadsOf = (c: SseConnection, id: string) => c.frames.filter((f) => f.event === "download" && asDownload(f).id === id)
const gauge = Effect.map(Metric.value(sseClients), (s) => s.value)

/** Real, bounded polling of something on the server side (the gauge). */
const eventually = <A>(read: Effect.Effect<A>, ok: (a: A) => boolean, ms = 3_000) => Effect.gen(function*() {
  const deadline = Date.now() + ms
  let last = yield* read
  while (!ok(last)) {
    if (Date.now() > deadline) return yield* Effect.dieMessage(`still ${JSON.stringify(last)} after ${ms} ms`)
    yield* Effect.promise(() => new Promise((r) => setTimeout(r, 10)))
    last = yield* read
  }
  return last
})

const realPause = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))

const opened = (c: SseConnection) => until(c, (x) => x.frames.length >= 2, "the opening stats and health events")

describe("SSE /api/downloads/manager/events", () => {
  layer(AppTest(), { timeout: 30_000 })((it) => {
    it.effect("a new client gets a retry hint, then the current stats and health, numbered with the latest id", () =>
      Effect.gen(function*() {
        yield* queue("Opening Act")
        const c = yield* sse(PATH)
        expect(c.status).toBe(200)
        expect(c.headers["content-type"]).toMatch(/^text\/event-stream/)
        expect(c.headers["cache-control"]).toBe("no-cache")
        yield* opened(c)
        expect(c.raw().startsWith("retry: 3000\n\n")).toBe(true)
        expect(c.frames.map((f) => f.event)).toEqual(["stats", "health"])
        const stats = Schema.decodeUnknownSync(StatsDto, strict)(JSON.parse(c.frames[0]!.data))
        expect(stats).toEqual((yield* send("GET", "/api/downloads/manager/stats")).json)
        expect(stats.waiting).toBeGreaterThanOrEqual(1)
        const health = Schema.decodeUnknownSync(HealthDto, strict)(JSON.parse(c.frames[1]!.data))
        expect(health).toMatchObject({ provider: "slskd", state: "CLOSED" })
        const latest = (yield* Events).lastId()
        expect(c.frames.map((f) => f.id)).toEqual([latest, latest])
      }).pipe(Effect.scoped))

    it.effect("queue and cancel: download events arrive in order with strictly increasing ids, then fresh stats", () =>
      Effect.gen(function*() {
        const c = yield* sse(PATH)
        yield* opened(c)
        const openingId = c.frames[0]!.id!
        const created = yield* queue("In Order")
        const cancelled = yield* cancel(created.id)
        yield* until(c, () => downloadsOf(c, created.id).length === 2, "two download events")
        const [first, second] = downloadsOf(c, created.id).map(asDownload)
        // The events carry the same Download JSON the REST calls answered.
        expect(first).toEqual(created)
        expect(second).toEqual(cancelled)
        expect(first!.status).toBe("WAITING")
        expect(second!.status).toBe("CANCELLED")

        // Counts follow once per burst (the publisher waits a moment, on the test clock).
        expect(c.frames.some((f) => f.event === "stats" && f.id! > openingId)).toBe(false)
        yield* TestClock.adjust("1 second")
        yield* until(c, () => c.frames.some((f) => f.event === "stats" && f.id! > openingId), "a stats event after the changes")
        const statsFrame = [...c.frames].reverse().find((f) => f.event === "stats")!
        const stats = Schema.decodeUnknownSync(StatsDto)(JSON.parse(statsFrame.data))
        expect(stats).toEqual((yield* send("GET", "/api/downloads/manager/stats")).json)
        // the health (with "last sync") comes with the counts, from the same moment
        yield* until(c, () => c.frames.some((f) => f.event === "health" && f.id! > statsFrame.id!), "health after the stats")

        const ids = c.frames.slice(2).map((f) => f.id!)
        expect(ids.every((id) => Number.isInteger(id))).toBe(true)
        expect(ids[0]).toBeGreaterThan(openingId)
        for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!)
      }).pipe(Effect.scoped))

    it.effect("a reconnect with Last-Event-ID replays exactly what was missed, every event type, then goes on live", () =>
      Effect.gen(function*() {
        const events = yield* Events
        const a = yield* sse(PATH)
        yield* opened(a)
        const x = yield* queue("Replay X")
        yield* until(a, () => downloadsOf(a, x.id).length === 1, "X queued")
        const cut = downloadsOf(a, x.id)[0]!.id!
        // What a client that dropped right after `cut` misses: downloads, health and stats.
        yield* events.publish([{ _tag: "HealthChanged" }])
        const y = yield* queue("Replay Y")
        yield* cancel(x.id)
        yield* TestClock.adjust("1 second")
        yield* until(a, () =>
          a.frames.some((f) => f.event === "stats" && f.id! > cut) && a.frames.some((f) => f.event === "health" && f.id! > cut) &&
          downloadsOf(a, x.id).length === 2 && downloadsOf(a, y.id).length === 1, "all changes on the first client")
        const missed = a.frames.filter((f) => f.id! > cut)
        expect(new Set(missed.map((f) => f.event))).toEqual(new Set(["download", "health", "stats"]))

        const b = yield* sse(PATH, { "last-event-id": String(cut) })
        yield* until(b, () => b.frames.length >= missed.length, `${missed.length} replayed events`)
        yield* realPause(100) // nothing more may come: no opening events on a resumed stream
        expect(b.frames.map((f) => [f.id, f.event])).toEqual(missed.map((f) => [f.id, f.event]))
        const dataOf = (fs: ReadonlyArray<SseFrame>) => fs.filter((f) => f.event !== "health").map((f) => f.data)
        expect(dataOf(b.frames)).toEqual(dataOf(missed))
        expect(b.frames.find((f) => f.event === "health")!.data).toBe(missed.find((f) => f.event === "health")!.data)

        // ...and then it is a live stream like any other.
        const z = yield* queue("Replay Z")
        yield* until(b, () => downloadsOf(b, z.id).length === 1, "live event after the replay")
        yield* until(a, () => downloadsOf(a, z.id).length === 1, "live event on the first client")
        expect(downloadsOf(b, z.id)[0]).toEqual(downloadsOf(a, z.id)[0])
        expect(b.frames.filter((f) => f.event === "download" && asDownload(f).id === z.id)).toHaveLength(1)

        // A client already up to date gets neither a replay nor an opening snapshot.
        const c = yield* sse(PATH, { "last-event-id": String(events.lastId()) })
        yield* realPause(150)
        expect(c.status).toBe(200)
        expect(c.frames).toEqual([])
      }).pipe(Effect.scoped))

    it.effect("a Last-Event-ID older than the replay buffer gets a refresh event, then live events", () =>
      Effect.gen(function*() {
        const events = yield* Events
        const manager = yield* DownloadManager
        const old = events.lastId()
        const stats = yield* manager.stats
        yield* events.publish(Array.from({ length: 2001 }, () => ({ _tag: "StatsChanged" as const, stats })))
        const latest = events.lastId()
        expect(latest).toBe(old + 2001)

        const stale = yield* sse(PATH, { "last-event-id": String(old) })
        yield* until(stale, () => stale.frames.length >= 1, "the refresh event")
        yield* realPause(100)
        expect(stale.frames).toHaveLength(1)
        expect(stale.frames[0]).toMatchObject({ event: "refresh", id: latest })
        expect(JSON.parse(stale.frames[0]!.data).reason).toMatch(/reload/)

        // Just inside the buffer: a normal replay of exactly the missing ones.
        const recent = yield* sse(PATH, { "last-event-id": String(latest - 5) })
        yield* until(recent, () => recent.frames.length >= 5, "five replayed stats events")
        yield* realPause(100)
        expect(recent.frames.map((f) => [f.event, f.id])).toEqual([1, 2, 3, 4, 5].map((i) => ["stats", latest - 5 + i]))

        const d = yield* queue("After Refresh")
        yield* until(stale, () => downloadsOf(stale, d.id).length === 1, "a live event after the refresh")
        expect(stale.frames[1]!.id).toBe(latest + 1)
      }).pipe(Effect.scoped))

    it.effect("a heartbeat comment every 15 seconds of (test) clock time", () =>
      Effect.gen(function*() {
        const c = yield* sse(PATH)
        yield* opened(c)
        const beats = () => c.comments.filter((x) => x === "heartbeat").length
        yield* TestClock.adjust("14 seconds")
        yield* realPause(150)
        expect(beats()).toBe(0)
        expect(c.raw()).not.toContain(": heartbeat")
        yield* TestClock.adjust("1 second")
        yield* until(c, () => beats() === 1, "the first heartbeat")
        expect(c.raw()).toContain(": heartbeat\n\n")
        yield* TestClock.adjust("15 seconds")
        yield* until(c, () => beats() === 2, "the second heartbeat")
        yield* TestClock.adjust("15 seconds")
        yield* until(c, () => beats() === 3, "the third heartbeat")
        yield* realPause(100)
        expect(beats()).toBe(3)
        expect(c.ended()).toBe(false)
      }).pipe(Effect.scoped))

    it.effect("a client that disconnects is let go at once: the open-streams gauge goes back", () =>
      Effect.gen(function*() {
        // Earlier tests' clients have all gone (their scopes closed): nothing is open now.
        const before = yield* eventually(gauge, (v) => v === 0)
        const c = yield* sse(PATH)
        yield* opened(c)
        expect(yield* gauge).toBe(before + 1)
        c.close()
        yield* eventually(gauge, (v) => v === before, 2_000)
        // The server has really stopped writing to it: new events go nowhere and nothing breaks.
        const d = yield* queue("Nobody Listens")
        expect(d.status).toBe("WAITING")
        expect(yield* gauge).toBe(before)
      }).pipe(Effect.scoped))

    it.effect("50 clients all receive the same event", () =>
      Effect.gen(function*() {
        const before = yield* eventually(gauge, (v) => v === 0)
        const clients = yield* Effect.all(Array.from({ length: 50 }, () => sse(PATH)), { concurrency: "unbounded" })
        yield* Effect.forEach(clients, opened, { concurrency: "unbounded", discard: true })
        expect(yield* gauge).toBe(before + 50)
        const d = yield* queue("Broadcast")
        yield* Effect.forEach(clients, (c) => until(c, () => downloadsOf(c, d.id).length === 1, "the broadcast"), {
          concurrency: "unbounded", discard: true
        })
        const received = clients.map((c) => downloadsOf(c, d.id)[0]!)
        expect(new Set(received.map((f) => f.id)).size).toBe(1)
        expect(new Set(received.map((f) => f.data)).size).toBe(1)
        expect(asDownload(received[0]!)).toEqual(d)
        clients.forEach((c) => c.close())
        yield* eventually(gauge, (v) => v === before, 3_000)
      }).pipe(Effect.scoped))

    it.effect("the page's own stream sends HTML fragments: stats-html, health-html and the row (placed by the page, not swapped out of band)", () =>
      Effect.gen(function*() {
        const c = yield* sse("/download-manager/events")
        yield* opened(c)
        expect(c.frames.map((f) => f.event)).toEqual(["stats-html", "health-html"])
        expect(c.frames[0]!.data).toContain(`<dl class="stats">`)
        expect(c.frames[1]!.data).toMatch(/data-state="CLOSED"/)
        const d = yield* queue("Fragment")
        yield* until(c, () => c.frames.some((f) => f.event === "row" && f.data.includes(`id="download-${d.id}"`)), "the row fragment")
        const row = c.frames.find((f) => f.event === "row")!
        expect(row.data).toMatch(new RegExp(`^<li id="download-${d.id}"[^>]*data-status="WAITING"[^>]*data-priority="0" data-created="`))
        // no out-of-band swap: htmx would report every row that is not on the page as an error
        expect(row.data).not.toContain("hx-swap-oob")
        expect(row.data).toContain("Fragment")
      }).pipe(Effect.scoped))
  })
})
