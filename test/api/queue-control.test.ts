/**
 * Big-queue endpoints over HTTP: the paged active list and its cursor, PATCH priority, bulk
 * actions with per-id refusals, "album to the front" on the page, and the event stream folding a
 * burst of new downloads into one refresh hint.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { DownloadRepository } from "../../src/domain/ports/DownloadRepository.js"
import { TrackRepository } from "../../src/domain/ports/TrackRepository.js"
import { ROW_BURST } from "../../src/api/sse.js"
import { AppTest } from "../support/app.js"
import { sse, until } from "../support/sse-client.js"

const send = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, body?: unknown) =>
  Effect.flatMap(HttpClient.HttpClient, (c) => {
    let req = HttpClientRequest.make(method)(url)
    if (body !== undefined) req = HttpClientRequest.bodyUnsafeJson(req, body)
    return c.execute(req)
  }).pipe(Effect.flatMap((r) => Effect.map(r.text, (text) => ({ status: r.status, text, trigger: r.headers["hx-trigger"], json: (() => {
    try {
      return JSON.parse(text)
    } catch {
      return undefined
    }
  })() as any }))), Effect.orDie)

const queue = (title: string, extra: Record<string, unknown> = {}) =>
  Effect.map(send("POST", "/api/downloads", { title, artist: "Queue Band", ...extra }), (r) => {
    expect(r.status, r.text).toBe(201)
    return r.json as { id: string; priority: number; status: string }
  })

describe("big-queue endpoints", () => {
  layer(AppTest(), { timeout: 30_000 })((it) => {
    it.effect("active: {downloads, total, next_cursor}; the cursor walks every page once; bad input is a 400", () =>
      Effect.gen(function*() {
        for (let i = 0; i < 7; i++) yield* queue(`Paged ${i}`, { priority: i % 3 })
        const first = (yield* send("GET", "/api/downloads/manager/active?limit=3")).json
        expect(Object.keys(first).sort()).toEqual(["downloads", "next_cursor", "total"])
        expect(first.downloads).toHaveLength(3)
        expect(first.total).toBe(7)
        const ids = [...first.downloads.map((d: any) => d.id)]
        let cursor = first.next_cursor
        while (cursor !== null) {
          const next = (yield* send("GET", `/api/downloads/manager/active?limit=3&cursor=${encodeURIComponent(cursor)}`)).json
          ids.push(...next.downloads.map((d: any) => d.id))
          cursor = next.next_cursor
        }
        expect(ids).toHaveLength(7)
        expect(new Set(ids).size).toBe(7)
        const all = (yield* send("GET", "/api/downloads/manager/active?limit=1000")).json
        expect(all.downloads.map((d: any) => d.id)).toEqual(ids)
        expect(all.next_cursor).toBeNull()
        expect(all.downloads.map((d: any) => d.priority)).toEqual([2, 2, 1, 1, 0, 0, 0])
        // text filter and status filter
        const one = (yield* send("GET", "/api/downloads/manager/active?q=paged%205")).json
        expect(one.downloads.map((d: any) => d.track.title)).toEqual(["Paged 5"])
        expect(one.total).toBe(1)
        const list = (yield* send("GET", "/api/downloads?q=paged&status=WAITING&limit=2")).json
        expect(list).toMatchObject({ total: 7 })
        expect(list.downloads).toHaveLength(2)
        expect(typeof list.next_cursor).toBe("string")
        for (const q of ["limit=0", "limit=1001", "cursor=nonsense", `cursor=${"x".repeat(600)}`, `cursor=${encodeURIComponent(list.next_cursor)}`, "status=DONE"]) {
          const r = yield* send("GET", `/api/downloads/manager/active?${q}`)
          expect(r.status, q).toBe(400)
          expect(r.json, q).toMatchObject({ error: "BadRequest", message: expect.any(String) })
        }
        expect((yield* send("GET", "/api/downloads?cursor=nonsense")).status).toBe(400)
      }))

    it.effect("PATCH priority moves a download in the active order; bad values change nothing", () =>
      Effect.gen(function*() {
        const d = yield* queue("Patch Me")
        const r = yield* send("PATCH", `/api/downloads/${d.id}`, { priority: 999 })
        expect(r.status, r.text).toBe(200)
        expect(r.json).toMatchObject({ id: d.id, priority: 999, status: "WAITING" })
        expect((yield* send("GET", "/api/downloads/manager/active?limit=1")).json.downloads[0].id).toBe(d.id)
        for (const body of [{ priority: 1001 }, { priority: 1.5 }, { priority: "high" }, {}]) {
          const bad = yield* send("PATCH", `/api/downloads/${d.id}`, body)
          expect(bad.status, JSON.stringify(body)).toBe(400)
          expect(bad.json.error).toBe("BadRequest")
        }
        expect((yield* send("GET", `/api/downloads/${d.id}`)).json.priority).toBe(999)
        const missing = yield* send("PATCH", "/api/downloads/no-such-id", { priority: 1 })
        expect(missing.status).toBe(404)
        expect(missing.json).toMatchObject({ error: "NotFound" })
      }))

    it.effect("bulk: priority for many in one go, cancel and retry per id, the rest refused with a reason", () =>
      Effect.gen(function*() {
        const a = yield* queue("Bulk A")
        const b = yield* queue("Bulk B")
        const c = yield* queue("Bulk C")
        const p = yield* send("POST", "/api/downloads/bulk", { ids: [a.id, b.id, "ghost", a.id], action: "priority", priority: 42 })
        expect(p.status, p.text).toBe(200)
        expect(p.json).toEqual({ done: [a.id, b.id], refused: [{ id: "ghost", error: "NotFound", message: "no download with id ghost" }] })
        expect((yield* send("GET", `/api/downloads/${b.id}`)).json.priority).toBe(42)

        const cancel = (yield* send("POST", "/api/downloads/bulk", { ids: [a.id, c.id], action: "cancel" })).json
        expect(cancel).toEqual({ done: [a.id, c.id], refused: [] })
        const again = (yield* send("POST", "/api/downloads/bulk", { ids: [a.id, b.id], action: "cancel" })).json
        expect(again.done).toEqual([b.id])
        expect(again.refused).toEqual([{ id: a.id, error: "Conflict", message: expect.stringContaining("CANCELLED") }])
        const retry = (yield* send("POST", "/api/downloads/bulk", { ids: [a.id, b.id, c.id], action: "retry" })).json
        expect(retry.done.sort()).toEqual([a.id, b.id, c.id].sort())
        expect((yield* send("GET", `/api/downloads/${a.id}`)).json.status).toBe("WAITING")

        // an active download is not removed (test/api/row-actions.test.ts has pause, resume and remove in full)
        const remove = (yield* send("POST", "/api/downloads/bulk", { ids: [a.id], action: "remove" })).json
        expect(remove).toEqual({ done: [], refused: [{ id: a.id, error: "Conflict", message: expect.stringContaining("cancel it first") }] })
        expect((yield* send("GET", `/api/downloads/${a.id}`)).json).toMatchObject({ status: "WAITING", priority: 42 })

        for (const body of [{ ids: [], action: "cancel" }, { ids: [a.id], action: "explode" }, { ids: [a.id], action: "priority" },
          { ids: [a.id], action: "priority", priority: 5000 }, { ids: Array.from({ length: 10_001 }, (_, i) => `x${i}`), action: "cancel" }]) {
          const r = yield* send("POST", "/api/downloads/bulk", body)
          expect(r.status, JSON.stringify(body).slice(0, 60)).toBe(400)
          expect(r.json.error).toBe("BadRequest")
        }
      }))

    it.effect("album to the front: every active track of the album gets the top priority, others keep theirs", () =>
      Effect.gen(function*() {
        const top = yield* queue("Already First", { priority: 700 })
        const tracks = yield* TrackRepository
        const repo = yield* DownloadRepository
        const album = yield* tracks.upsertAlbum({
          source: "local", sourceId: "front-1", title: "Front Album", artist: "Queue Band", releaseDate: null,
          tracks: [1, 2, 3].map((n) => ({ title: `Front ${n}`, artist: "Queue Band", album: "Front Album", trackNumber: n }))
        })
        const queued = yield* repo.queueTracks(album.tracks.map((t) => t.id), 0, "balanced")
        const other = yield* queue("Same Text Other Album", { album: "Another Album" })
        const highest = (yield* send("GET", "/api/downloads/manager/active?limit=1")).json.downloads[0].priority as number
        const r = yield* send("POST", `/download-manager/downloads/${queued[1]!.download.id}/album-first`)
        expect(r.status).toBe(200)
        expect(r.trigger).toBe("soulspot-list-changed")
        const moved = /3 downloads of this album moved to the front \(priority (\d+)\)/.exec(r.text)
        expect(moved, r.text).not.toBeNull()
        expect(Number(moved![1])).toBe(Math.min(1000, highest + 1))
        const active = (yield* send("GET", "/api/downloads/manager/active?limit=1000")).json.downloads as Array<any>
        const front = active.filter((d) => d.track.album === "Front Album")
        expect(front.map((d) => d.priority)).toEqual([Number(moved![1]), Number(moved![1]), Number(moved![1])])
        expect(active.findIndex((d) => d.id === top.id)).toBeGreaterThan(Math.max(...front.map((d) => active.indexOf(d))))
        expect((yield* send("GET", `/api/downloads/${other.id}`)).json.priority).toBe(0)
        // without a stored album, the same artist and album text counts as the album
        const x = yield* queue("Loose 1", { album: "Loose Album" })
        const y = yield* queue("Loose 2", { album: "loose album" })
        const loose = yield* send("POST", `/download-manager/downloads/${x.id}/album-first`)
        const p2 = Number(/2 downloads of this album moved to the front \(priority (\d+)\)/.exec(loose.text)?.[1])
        expect(p2).toBe(Math.min(1000, Number(moved![1]) + 1))
        expect((yield* send("GET", `/api/downloads/${y.id}`)).json.priority).toBe(p2)
        expect((yield* send("POST", "/download-manager/downloads/nope/album-first")).status).toBe(404)
      }))

    it.effect("a burst of new downloads reaches a stream as one refresh hint, not one event per row", () =>
      Effect.gen(function*() {
        const c = yield* sse("/api/downloads/manager/events")
        yield* until(c, (x) => x.frames.length >= 2, "the opening stats and health")
        const tracks = yield* TrackRepository
        const repo = yield* DownloadRepository
        const stored = yield* Effect.forEach(Array.from({ length: ROW_BURST + 50 }, (_, i) => i), (i) =>
          tracks.upsert({ title: `Burst ${i}`, artist: "Burst Band" }))
        yield* repo.queueTracks(stored.map((t) => t.id), 0, "balanced")
        yield* until(c, (x) => x.frames.some((f) => f.event === "refresh"), "a refresh hint")
        const single = yield* queue("After The Burst")
        yield* until(c, (x) => x.frames.some((f) => f.event === "download" && JSON.parse(f.data).id === single.id), "the next single event")
        const rows = c.frames.filter((f) => f.event === "download")
        expect(rows.map((f) => JSON.parse(f.data).track.title)).toEqual(["After The Burst"])
        const ids = c.frames.map((f) => f.id!).filter((id) => id !== undefined)
        expect(ids).toEqual([...ids].sort((a, b) => a - b))
      }).pipe(Effect.scoped))
  })
})
