import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { AppTest } from "../support/app.js"

const post = (url: string, body: unknown) =>
  Effect.flatMap(HttpClient.HttpClient, (c) => c.execute(HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUnsafeJson(body))))
const send = (method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH", url: string, body?: string, contentType = "application/json") =>
  Effect.flatMap(HttpClient.HttpClient, (c) => {
    let req = HttpClientRequest.make(method)(url)
    if (body !== undefined) req = HttpClientRequest.bodyText(req, body, contentType)
    return c.execute(req)
  })
const json = <A = any>(r: { json: Effect.Effect<unknown, unknown> }) => Effect.map(Effect.orDie(r.json), (x) => x as A)

describe("REST API", () => {
  it.layer(AppTest(), { timeout: 20_000 })((it) => {
    it.effect("queues a track (201) and answers the same track with the existing download (200)", () =>
      Effect.gen(function*() {
        const first = yield* post("/api/downloads", { title: "Teardrop", artist: "Massive Attack", album: "Mezzanine", duration_ms: 330000, priority: 3 })
        expect(first.status).toBe(201)
        const d = yield* json(first)
        expect(d).toMatchObject({
          status: "WAITING", priority: 3, slskd_id: null, username: null, filename: null, size: null, progress: null,
          attempts: 0, next_attempt_at: null, error: null, quality_profile: "balanced", completed_at: null,
          track: { title: "Teardrop", artist: "Massive Attack", album: "Mezzanine", duration_ms: 330000, isrc: null, track_number: null, disc_number: null }
        })
        expect(d.created_at).toMatch(/Z$/)
        const again = yield* post("/api/downloads", { title: "  teardrop ", artist: "MASSIVE ATTACK", album: "mezzanine" })
        expect(again.status).toBe(200)
        expect((yield* json(again)).id).toBe(d.id)
        const byTrack = yield* post("/api/downloads", { track_id: d.track_id })
        expect(byTrack.status).toBe(200)
        const list = yield* json(yield* send("GET", "/api/downloads?status=WAITING"))
        expect(list.downloads.filter((x: any) => x.track.title === "Teardrop")).toHaveLength(1)
        const got = yield* json(yield* send("GET", `/api/downloads/${d.id}`))
        expect(got).toEqual(d)
      }))

    it.effect("cancel then retry; cancelling twice is a 409; retrying a waiting one is a 409", () =>
      Effect.gen(function*() {
        const d = yield* json(yield* post("/api/downloads", { title: "Angel", artist: "Massive Attack" }))
        const retryWaiting = yield* send("POST", `/api/downloads/${d.id}/retry`)
        expect(retryWaiting.status).toBe(409)
        expect(yield* json(retryWaiting)).toMatchObject({ error: "Conflict", message: expect.stringContaining("WAITING") })
        const cancelled = yield* send("DELETE", `/api/downloads/${d.id}`)
        expect(cancelled.status).toBe(200)
        expect((yield* json(cancelled)).status).toBe("CANCELLED")
        const twice = yield* send("DELETE", `/api/downloads/${d.id}`)
        expect(twice.status).toBe(409)
        const retried = yield* send("POST", `/api/downloads/${d.id}/retry`)
        expect(retried.status).toBe(200)
        expect(yield* json(retried)).toMatchObject({ status: "WAITING", attempts: 0, error: null })
      }))

    it.effect("unknown ids are 404 in the error shape", () =>
      Effect.gen(function*() {
        for (const [method, url] of [["GET", "/api/downloads/nope"], ["DELETE", "/api/downloads/nope"], ["POST", "/api/downloads/nope/retry"]] as const) {
          const r = yield* send(method, url)
          expect(r.status).toBe(404)
          expect(yield* json(r)).toEqual({ error: "NotFound", _tag: "NotFound", message: "no download with id nope" })
        }
        const track = yield* post("/api/downloads", { track_id: "no-such-track" })
        expect(track.status).toBe(404)
      }))

    it.effect("bad input gets a clear 400 and changes nothing", () =>
      Effect.gen(function*() {
        const before = (yield* json(yield* send("GET", "/api/downloads/manager/stats"))).total
        const cases: ReadonlyArray<readonly [string, RegExp]> = [
          ["{bad", /not valid JSON/],
          ["[1,2]", /./],
          ["{}", /title: is required/],
          ['{"title":"","artist":"x"}', /title: must not be empty/],
          ['{"title":"   ","artist":"x"}', /title: must not be empty/],
          ['{"title":"x","artist":"y","priority":1001}', /priority must be an integer from -1000 to 1000/],
          ['{"title":"x","artist":"y","priority":1.5}', /priority/],
          ['{"title":"x","artist":"y","duration_ms":-1}', /duration_ms/],
          ['{"title":5,"artist":"y"}', /title/],
          ['{"title":"x","artist":"y","quality_profile":"<script>"}', /quality_profile/],
          [JSON.stringify({ title: "x".repeat(501), artist: "y" }), /title: must be at most 500 characters/],
          ["null", /./]
        ]
        for (const [body, message] of cases) {
          const r = yield* send("POST", "/api/downloads", body)
          expect(r.status, body).toBe(400)
          const e = yield* json(r)
          expect(e.error, body).toBe("BadRequest")
          expect(e.message, body).toMatch(message)
        }
        expect((yield* json(yield* send("GET", "/api/downloads/manager/stats"))).total).toBe(before)
      }))

    it.effect("an unknown quality profile is a 422 and stores nothing; a stored one is used", () =>
      Effect.gen(function*() {
        const before = (yield* json(yield* send("GET", "/api/downloads/manager/stats"))).total
        const r = yield* post("/api/downloads", { title: "Profiled", artist: "Someone", quality_profile: "studio-master" })
        expect(r.status).toBe(422)
        expect(yield* json(r)).toEqual({ error: "Unprocessable", _tag: "Unprocessable", message: 'quality_profile: there is no quality profile named "studio-master"' })
        expect((yield* json(yield* send("GET", "/api/downloads/manager/stats"))).total).toBe(before)
        const ok = yield* post("/api/downloads", { title: "Profiled", artist: "Someone", quality_profile: "lossless" })
        expect(ok.status).toBe(201)
        expect((yield* json(ok)).quality_profile).toBe("lossless")
        const album = yield* post("/api/downloads/album", { source: "local", album_id: "x", quality_profile: "studio-master" })
        expect(album.status).toBe(422)
      }))

    it.effect("a body over 1 MiB is refused with 413", () =>
      Effect.gen(function*() {
        const r = yield* send("POST", "/api/downloads", JSON.stringify({ title: "x".repeat(1_100_000), artist: "y" }))
        expect(r.status).toBe(413)
        expect((yield* json(r)).error).toBe("PayloadTooLarge")
      }))

    it.effect("unknown paths are 404 and wrong methods 405, both as JSON", () =>
      Effect.gen(function*() {
        const missing = yield* send("GET", "/api/nothing-here")
        expect(missing.status).toBe(404)
        expect((yield* json(missing)).error).toBe("NotFound")
        const wrong = yield* send("PATCH", "/api/downloads")
        expect(wrong.status).toBe(405)
        expect(wrong.headers["allow"]).toContain("POST")
        expect((yield* json(wrong)).error).toBe("MethodNotAllowed")
        expect((yield* send("PUT", "/api/downloads/manager/stats")).status).toBe(405)
      }))

    it.effect("list filters, limits and validates its query", () =>
      Effect.gen(function*() {
        for (let i = 0; i < 3; i++) yield* post("/api/downloads", { title: `List ${i}`, artist: "Filter" })
        const page = yield* json(yield* send("GET", "/api/downloads?limit=2&offset=0&status=waiting,pending"))
        expect(page.downloads).toHaveLength(2)
        expect(page.total).toBeGreaterThanOrEqual(3)
        expect(page.downloads.every((d: any) => d.status === "WAITING")).toBe(true)
        for (const q of ["limit=0", "limit=501", "limit=abc", "offset=-1", "status=DONE"]) {
          const r = yield* send("GET", `/api/downloads?${q}`)
          expect(r.status, q).toBe(400)
          expect((yield* json(r)).error).toBe("BadRequest")
        }
      }))

    it.effect("manager endpoints: active order, stats and health shapes", () =>
      Effect.gen(function*() {
        yield* post("/api/downloads", { title: "Low", artist: "Order", priority: -10 })
        yield* post("/api/downloads", { title: "High", artist: "Order", priority: 500 })
        const active = (yield* json(yield* send("GET", "/api/downloads/manager/active"))).downloads as Array<any>
        expect(active[0].track.title).toBe("High")
        expect(active.every((d) => ["WAITING", "PENDING", "QUEUED", "DOWNLOADING"].includes(d.status))).toBe(true)
        const stats = yield* json(yield* send("GET", "/api/downloads/manager/stats"))
        expect(Object.keys(stats).sort()).toEqual(["cancelled", "completed", "completed_today", "downloading", "failed", "failed_today", "pending", "queued", "total", "waiting"])
        const health = yield* json(yield* send("GET", "/api/downloads/manager/health"))
        expect(health).toMatchObject({ provider: "slskd", state: "CLOSED", failure_count: 0, slskd: { reachable: false, logged_in: null, version: null } })
      }))

    it.effect("settings: masked secrets, known keys only, readable errors", () =>
      Effect.gen(function*() {
        const put = yield* send("PUT", "/api/settings", JSON.stringify({ "slskd.api_key": "super-secret-value", "retry.max_attempts": 4 }))
        expect(put.status).toBe(200)
        const text = yield* Effect.orDie((yield* send("GET", "/api/settings")).text)
        expect(text).not.toContain("super-secret-value")
        const settings = JSON.parse(text).settings as Array<any>
        expect(settings.find((s) => s.key === "slskd.api_key")).toMatchObject({ value: "****", source: "database" })
        expect(settings.find((s) => s.key === "retry.max_attempts")).toMatchObject({ value: "4", source: "database" })
        const unknown = yield* send("PUT", "/api/settings", JSON.stringify({ "nope": 1 }))
        expect(unknown.status).toBe(400)
        expect((yield* json(unknown)).message).toBe("nope: unknown setting")
        const bad = yield* send("PUT", "/api/settings", JSON.stringify({ "sync.interval": "often" }))
        expect(bad.status).toBe(400)
      }))

    it.effect("serves the OpenAPI document", () =>
      Effect.gen(function*() {
        const doc = yield* json(yield* send("GET", "/api/openapi.json"))
        expect(doc.openapi).toBe("3.1.0")
        expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/downloads", "/api/downloads/{id}", "/api/downloads/manager/health", "/api/settings"]))
      }))
  })
})
