/**
 * The actions on a download over HTTP: pause and resume in every state, "use this candidate",
 * "try the next candidate", remove a finished download (DELETE ?remove=true), bulk pause /
 * resume / remove with per-id refusals, "retry all failed" and "clear finished". slskd is
 * unreachable here: what reaches slskd is proven against the simulator in
 * test/application/workers/pause-resume.test.ts.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { DownloadRepository } from "../../src/domain/ports/DownloadRepository.js"
import { AppTest } from "../support/app.js"

const send = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, body?: unknown) =>
  Effect.flatMap(HttpClient.HttpClient, (c) => {
    let req = HttpClientRequest.make(method)(url)
    if (body !== undefined) req = HttpClientRequest.bodyUnsafeJson(req, body)
    return c.execute(req)
  }).pipe(Effect.flatMap((r) => Effect.map(r.text, (text) => ({ status: r.status, text, json: (() => {
    try {
      return JSON.parse(text)
    } catch {
      return undefined
    }
  })() as any }))), Effect.orDie)

const queue = (title: string) =>
  Effect.map(send("POST", "/api/downloads", { title, artist: "Action Band" }), (r) => {
    expect(r.status, r.text).toBe(201)
    return r.json as { id: string; status: string }
  })

const get = (id: string) => Effect.map(send("GET", `/api/downloads/${id}`), (r) => r.json)

const FILE = { username: "peer-a", filename: "@@music\\Action Band\\Song.flac", size: 30_000_000 }

/** Moves a WAITING download along the engine's path to `to`, as the workers would. */
const advanceTo = (id: string, to: "PENDING" | "QUEUED" | "DOWNLOADING" | "COMPLETED" | "FAILED") => Effect.gen(function*() {
  const repo = yield* DownloadRepository
  if (to === "FAILED") return yield* repo.updateStatus(id, "FAILED", { error: "no acceptable file found" })
  yield* repo.updateStatus(id, "PENDING", FILE)
  if (to === "PENDING") return
  yield* repo.updateStatus(id, "QUEUED", { slskdId: "11111111-2222-3333-4444-555555555555" })
  if (to === "QUEUED") return
  yield* repo.updateStatus(id, "DOWNLOADING", { bytesTransferred: 1000, speedBps: 500, etaSeconds: 60 })
  if (to === "DOWNLOADING") return
  yield* repo.updateStatus(id, "COMPLETED", { bytesTransferred: FILE.size })
}).pipe(Effect.orDie)

const candidates = (id: string) => Effect.flatMap(DownloadRepository, (repo) => repo.saveCandidates(id, [
  { rank: 1, ...FILE, score: 9.5, accepted: true, reasons: ["flac"], query: "Action Band Song" },
  { rank: 2, username: "peer-b", filename: "@@b\\Song.mp3", size: 8_000_000, score: 7, accepted: true, reasons: ["320 kbps"], query: "Action Band Song" },
  { rank: 3, username: "peer-c", filename: "@@c\\Song (Live).mp3", size: 7_000_000, score: 0, accepted: false, reasons: ["rejected: live"], query: "Action Band Song" }
]))

describe("actions on a download", () => {
  layer(AppTest(), { timeout: 30_000 })((it) => {
    it.effect("pause keeps the status and sets paused in every active state; resume undoes it; wrong states are 409", () =>
      Effect.gen(function*() {
        const waiting = yield* queue("Pause Waiting")
        const pending = yield* queue("Pause Pending")
        const downloading = yield* queue("Pause Downloading")
        yield* advanceTo(pending.id, "PENDING")
        yield* advanceTo(downloading.id, "DOWNLOADING")
        for (const [d, status] of [[waiting, "WAITING"], [pending, "PENDING"], [downloading, "DOWNLOADING"]] as const) {
          const r = yield* send("POST", `/api/downloads/${d.id}/pause`)
          expect(r.status, r.text).toBe(200)
          expect(r.json).toMatchObject({ id: d.id, status, paused: true })
          const again = yield* send("POST", `/api/downloads/${d.id}/pause`)
          expect(again.status).toBe(409)
          expect(again.json).toMatchObject({ error: "Conflict", message: expect.stringContaining("paused already") })
        }
        // a paused transfer shows no speed; the file it had stays for resume
        expect((yield* get(downloading.id)).progress).toMatchObject({ speed_bps: 0, eta_seconds: null })
        expect((yield* get(downloading.id))).toMatchObject({ username: FILE.username, filename: FILE.filename })

        expect((yield* send("POST", `/api/downloads/${waiting.id}/resume`)).json).toMatchObject({ status: "WAITING", paused: false, next_attempt_at: null })
        expect((yield* send("POST", `/api/downloads/${pending.id}/resume`)).json).toMatchObject({ status: "PENDING", paused: false, filename: FILE.filename })
        // the cancelled transfer is enqueued again as the same file: back to WAITING with user and file kept
        const resumed = (yield* send("POST", `/api/downloads/${downloading.id}/resume`)).json
        expect(resumed).toMatchObject({ status: "WAITING", paused: false, slskd_id: null, username: FILE.username, filename: FILE.filename, size: FILE.size })
        const notPaused = yield* send("POST", `/api/downloads/${waiting.id}/resume`)
        expect(notPaused.status).toBe(409)
        expect(notPaused.json.message).toContain("not paused")

        const done = yield* queue("Pause Completed")
        yield* advanceTo(done.id, "COMPLETED")
        for (const action of ["pause", "resume"]) {
          const r = yield* send("POST", `/api/downloads/${done.id}/${action}`)
          expect(r.status, action).toBe(409)
          expect(r.json.message).toContain("COMPLETED")
        }
        expect((yield* send("POST", "/api/downloads/nope/pause")).status).toBe(404)
        expect((yield* send("POST", "/api/downloads/nope/resume")).json).toMatchObject({ error: "NotFound" })
      }))

    it.effect("a paused download is cancelled and retried like any other, and is not paused any more", () =>
      Effect.gen(function*() {
        const d = yield* queue("Pause Then Cancel")
        yield* send("POST", `/api/downloads/${d.id}/pause`)
        expect((yield* send("DELETE", `/api/downloads/${d.id}`)).json).toMatchObject({ status: "CANCELLED", paused: false })
        expect((yield* send("POST", `/api/downloads/${d.id}/retry`)).json).toMatchObject({ status: "WAITING", paused: false })
      }))

    it.effect("use this candidate: back to WAITING with that file, due now, no attempt spent; 404 for a rank it does not have", () =>
      Effect.gen(function*() {
        const d = yield* queue("Use Candidate")
        yield* candidates(d.id)
        yield* advanceTo(d.id, "DOWNLOADING")
        const r = yield* send("POST", `/api/downloads/${d.id}/candidates/2/use`)
        expect(r.status, r.text).toBe(200)
        expect(r.json).toMatchObject({ status: "WAITING", username: "peer-b", filename: "@@b\\Song.mp3", size: 8_000_000, slskd_id: null, attempts: 0, next_attempt_at: null, error: null, progress: null })
        const listed = (yield* send("GET", `/api/downloads/${d.id}/candidates`)).json.candidates as Array<any>
        expect(listed.map((c) => c.outcome)).toEqual(["given up: you chose another file", "chosen by you", null])
        // a rejected file can be chosen too: the user knows better
        expect((yield* send("POST", `/api/downloads/${d.id}/candidates/3/use`)).json).toMatchObject({ username: "peer-c" })
        for (const [rank, status] of [["9", 404], ["0", 400], ["two", 400], ["1.5", 400]] as const) {
          const bad = yield* send("POST", `/api/downloads/${d.id}/candidates/${rank}/use`)
          expect(bad.status, rank).toBe(status)
          expect(bad.json.message, rank).toMatch(/rank|candidate/)
        }
        expect((yield* get(d.id)).username).toBe("peer-c")
        // a failed download starts afresh with the chosen file
        const failed = yield* queue("Use Candidate Failed")
        yield* candidates(failed.id)
        yield* advanceTo(failed.id, "FAILED")
        expect((yield* send("POST", `/api/downloads/${failed.id}/candidates/1/use`)).json).toMatchObject({ status: "WAITING", username: FILE.username, attempts: 0 })
        const done = yield* queue("Use Candidate Completed")
        yield* candidates(done.id)
        yield* advanceTo(done.id, "COMPLETED")
        const refused = yield* send("POST", `/api/downloads/${done.id}/candidates/2/use`)
        expect(refused.status).toBe(409)
        expect(refused.json.message).toContain("reject")
        expect((yield* send("POST", "/api/downloads/nope/candidates/1/use")).status).toBe(404)
      }))

    it.effect("try the next candidate: the current file is given up and the row waits for the dispatcher; 409 with no file", () =>
      Effect.gen(function*() {
        const d = yield* queue("Next Candidate")
        const none = yield* send("POST", `/api/downloads/${d.id}/next-candidate`)
        expect(none.status).toBe(409)
        expect(none.json.message).toContain("no file is chosen yet")
        yield* candidates(d.id)
        yield* advanceTo(d.id, "QUEUED")
        const r = yield* send("POST", `/api/downloads/${d.id}/next-candidate`)
        expect(r.status, r.text).toBe(200)
        expect(r.json).toMatchObject({ status: "WAITING", username: null, filename: null, slskd_id: null, attempts: 0, next_attempt_at: null })
        const listed = (yield* send("GET", `/api/downloads/${d.id}/candidates`)).json.candidates as Array<any>
        expect(listed[0].outcome).toBe("given up: you asked for the next candidate")
        yield* send("DELETE", `/api/downloads/${d.id}`)
        expect((yield* send("POST", `/api/downloads/${d.id}/next-candidate`)).status).toBe(409)
      }))

    it.effect("DELETE ?remove=true removes a finished download (204) and refuses an active one (409); without it DELETE cancels", () =>
      Effect.gen(function*() {
        const active = yield* queue("Remove Active")
        const r = yield* send("DELETE", `/api/downloads/${active.id}?remove=true`)
        expect(r.status).toBe(409)
        expect(r.json.message).toContain("cancel it first")
        expect((yield* get(active.id)).status).toBe("WAITING")
        expect((yield* send("DELETE", `/api/downloads/${active.id}?remove=false`)).json.status).toBe("CANCELLED")
        const removed = yield* send("DELETE", `/api/downloads/${active.id}?remove=true`)
        expect(removed.status).toBe(204)
        expect(removed.text).toBe("")
        expect((yield* send("GET", `/api/downloads/${active.id}`)).status).toBe(404)
        expect((yield* send("DELETE", `/api/downloads/${active.id}?remove=true`)).status).toBe(404)
        const bad = yield* send("DELETE", `/api/downloads/${active.id}?remove=yes`)
        expect(bad.status).toBe(400)
        expect(bad.json.error).toBe("BadRequest")

        // a completed one leaves the lists and the counts; the same track asked again is a new download
        const done = yield* queue("Remove Completed")
        yield* candidates(done.id)
        yield* advanceTo(done.id, "COMPLETED")
        const before = (yield* send("GET", "/api/downloads/manager/stats")).json
        expect((yield* send("DELETE", `/api/downloads/${done.id}?remove=true`)).status).toBe(204)
        const after = (yield* send("GET", "/api/downloads/manager/stats")).json
        expect(after.completed).toBe(before.completed - 1)
        expect(after.total).toBe(before.total - 1)
        expect((yield* send("GET", "/api/downloads?q=remove%20completed")).json.total).toBe(0)
        const again = yield* send("POST", "/api/downloads", { title: "Remove Completed", artist: "Action Band" })
        expect(again.status).toBe(201)
        expect(again.json.id).not.toBe(done.id)
      }))

    it.effect("bulk pause, resume and remove: each id done or refused with its reason", () =>
      Effect.gen(function*() {
        const a = yield* queue("Bulk Pause A")
        const b = yield* queue("Bulk Pause B")
        const c = yield* queue("Bulk Pause C")
        yield* send("POST", `/api/downloads/${c.id}/pause`)
        const paused = (yield* send("POST", "/api/downloads/bulk", { ids: [a.id, b.id, c.id, "ghost"], action: "pause" })).json
        expect(paused.done).toEqual([a.id, b.id])
        expect(paused.refused).toEqual([
          { id: c.id, error: "Conflict", message: expect.stringContaining("paused already") },
          { id: "ghost", error: "NotFound", message: "no download with id ghost" }
        ])
        expect((yield* get(b.id)).paused).toBe(true)
        const resumed = (yield* send("POST", "/api/downloads/bulk", { ids: [a.id, b.id, c.id], action: "resume" })).json
        expect(resumed).toEqual({ done: [a.id, b.id, c.id], refused: [] })

        yield* send("DELETE", `/api/downloads/${a.id}`)
        yield* send("DELETE", `/api/downloads/${b.id}`)
        const removed = (yield* send("POST", "/api/downloads/bulk", { ids: [a.id, b.id, c.id, "ghost"], action: "remove" })).json
        expect(removed.done).toEqual([a.id, b.id])
        expect(removed.refused).toEqual([
          { id: c.id, error: "Conflict", message: expect.stringContaining("cancel it first") },
          { id: "ghost", error: "NotFound", message: "no download with id ghost" }
        ])
        expect((yield* send("GET", `/api/downloads/${a.id}`)).status).toBe(404)
        expect((yield* get(c.id)).status).toBe("WAITING")
      }))

    it.effect("retry all failed and clear finished act on every matching download, nothing else", () =>
      Effect.gen(function*() {
        const failed = yield* Effect.forEach(["RF 1", "RF 2"], queue)
        for (const d of failed) yield* advanceTo(d.id, "FAILED")
        const active = yield* queue("RF Active")
        const retried = (yield* send("POST", "/api/downloads/manager/retry-failed")).json
        expect(retried.done).toEqual(expect.arrayContaining(failed.map((d) => d.id)))
        expect(retried.refused).toEqual([])
        for (const d of failed) expect((yield* get(d.id))).toMatchObject({ status: "WAITING", attempts: 0, error: null })

        const done = yield* queue("CF Completed")
        yield* advanceTo(done.id, "COMPLETED")
        yield* send("DELETE", `/api/downloads/${failed[0]!.id}`)
        const cleared = (yield* send("POST", "/api/downloads/manager/clear-finished")).json
        expect(cleared.done).toEqual(expect.arrayContaining([done.id, failed[0]!.id]))
        expect(cleared.refused).toEqual([])
        const stats = (yield* send("GET", "/api/downloads/manager/stats")).json
        expect(stats).toMatchObject({ completed: 0, failed: 0, cancelled: 0 })
        expect((yield* get(active.id)).status).toBe("WAITING")
        expect((yield* get(failed[1]!.id)).status).toBe("WAITING")
        expect((yield* send("POST", "/api/downloads/manager/clear-finished")).json).toEqual({ done: [], refused: [] })
      }))

    it.effect("the OpenAPI document describes every action, DELETE's two answers included", () =>
      Effect.gen(function*() {
        const spec = (yield* send("GET", "/api/openapi.json")).json
        const del = spec.paths["/api/downloads/{id}"].delete
        expect(Object.keys(del.responses)).toEqual(expect.arrayContaining(["200", "204", "400", "404", "409"]))
        expect(del.description).toContain("remove=true")
        for (const [path, method] of [["/api/downloads/{id}/pause", "post"], ["/api/downloads/{id}/resume", "post"],
          ["/api/downloads/{id}/candidates/{rank}/use", "post"], ["/api/downloads/{id}/next-candidate", "post"],
          ["/api/downloads/manager/retry-failed", "post"], ["/api/downloads/manager/clear-finished", "post"]] as const) {
          expect(spec.paths[path]?.[method]?.summary, path).toEqual(expect.any(String))
        }
      }))
  })
})
