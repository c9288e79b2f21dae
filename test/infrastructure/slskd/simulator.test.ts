/**
 * The simulator itself: does it behave like slskd 0.26 (docs/slskd-notes.md)?
 * Checked through the real client over real HTTP, with time under TestClock.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { SlskdClient } from "../../../src/infrastructure/slskd/client.js"
import { advance, realPause, SlskdSimulator, slskdTestLayer, withTime } from "../../support/simulator.js"

const SEARCH_ID = "5b0d6a47-9c1e-4c8e-9d0b-6e1f2a3b4c5d"
const DAVE_KARMA = "C:\\Users\\Dave\\Music\\Radiohead\\OK Computer\\06 Karma Police.mp3"

/** size of a catalog file, as a search would report it */
const sizeOf = (username: string, filename: string) =>
  Effect.gen(function*() {
    const sim = yield* SlskdSimulator
    const peers = yield* sim.control.catalog
    const file = peers.find((p) => p.username === username)?.files.find((f) => f.filename === filename)
    if (!file) return yield* Effect.dieMessage(`no ${filename} at ${username}`)
    return file.size
  })

const raw = (method: "GET" | "POST" | "DELETE" | "PUT", path: string, body?: unknown) =>
  Effect.flatMap(SlskdClient, (c) => c.request(method, path, body === undefined ? {} : { body }))

describe("slskd simulator: searches", () => {
  it.effect("POST → InProgress with zero counters; counters move; Completed before endedAt; responses only with endedAt", () =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      const posted = yield* client.startSearch({ id: SEARCH_ID, searchText: "karma police", searchTimeout: 2000 })
      expect(posted.id).toBe(SEARCH_ID)
      expect(posted.state).toEqual(["InProgress"])
      expect(posted.isComplete).toBe(false)
      expect(posted.endedAt).toBeUndefined()
      expect([posted.responseCount, posted.fileCount, posted.lockedFileCount]).toEqual([0, 0, 0])

      yield* advance("1 second")
      const running = yield* client.getSearch(SEARCH_ID)
      expect(running.state).toEqual(["InProgress"])
      expect(running.responseCount).toBeGreaterThan(0)
      expect(yield* client.searchResponses(SEARCH_ID)).toEqual([]) // nothing trickles in through REST

      // window 1.5 s + searchTimeout 2 s: over at 3.5 s
      yield* advance("2600 millis")
      const completed = yield* client.getSearch(SEARCH_ID)
      expect(completed.state).toEqual(["Completed", "TimedOut"])
      expect(completed.isComplete).toBe(true)
      expect(completed.endedAt).toBeUndefined()
      expect(yield* client.searchResponses(SEARCH_ID)).toEqual([])

      yield* advance("300 millis")
      const stored = yield* client.getSearch(SEARCH_ID)
      expect(stored.endedAt).toBeDefined()
      const responses = yield* client.searchResponses(SEARCH_ID)
      expect(responses.length).toBe(stored.responseCount)
      expect(responses.every((r) => r.token === stored.token)).toBe(true)
      // the locked copy is listed under lockedFiles, with isLocked false
      const locked = responses.find((r) => r.username === "lockedbox")
      expect(locked?.lockedFiles.map((f) => f.isLocked)).toEqual([false])
      expect(locked?.files).toEqual([])
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("matching: every word, case-insensitive; -word excludes; the echo moves exclusions last", () =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      const s = yield* client.startSearch({ id: SEARCH_ID, searchText: "-live KARMA police -live", searchTimeout: 1000 })
      expect(s.searchText).toBe("KARMA police -live")
      yield* advance("3 seconds")
      const files = (yield* client.searchResponses(SEARCH_ID)).flatMap((r) => [...r.files, ...r.lockedFiles].map((f) => f.filename))
      expect(files.length).toBeGreaterThan(5)
      expect(files.every((f) => /karma/i.test(f) && /police/i.test(f) && !/live/i.test(f))).toBe(true)
      expect(files.some((f) => f.includes("\\"))).toBe(true)
      expect(files.some((f) => f.startsWith("/"))).toBe(true)
      expect(files.some((f) => f.startsWith("@@"))).toBe(true)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("a third running search waits Queued until a network slot frees", () =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      const ids = ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-000000000003"]
      for (const id of ids) yield* client.startSearch({ id, searchText: "dreams", searchTimeout: 1000 })
      const states = yield* Effect.forEach(ids, (id) => client.getSearch(id))
      expect(states.map((s) => s.state.join(", "))).toEqual(["InProgress", "InProgress", "Queued"])
      yield* advance("2600 millis") // the first two end at 2.5 s
      expect((yield* client.getSearch(ids[2]!)).state).toEqual(["InProgress"])
      yield* advance("3 seconds")
      expect((yield* client.getSearch(ids[2]!)).state).toEqual(["Completed", "TimedOut"])
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("PUT stops a search (Completed, Cancelled) and keeps what arrived; DELETE forgets it; 404 after", () =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      yield* client.startSearch({ id: SEARCH_ID, searchText: "get lucky", searchTimeout: 60_000 })
      yield* advance("1 second")
      yield* client.stopSearch(SEARCH_ID)
      const stopped = yield* client.getSearch(SEARCH_ID)
      expect(stopped.state).toEqual(["Completed", "Cancelled"])
      yield* advance("400 millis")
      expect((yield* client.searchResponses(SEARCH_ID)).length).toBeGreaterThan(0)
      yield* client.deleteSearch(SEARCH_ID)
      expect((yield* raw("GET", `/searches/${SEARCH_ID}`)).status).toBe(404)
      expect((yield* raw("GET", `/searches/${SEARCH_ID}/responses`)).status).toBe(404)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("not logged in: POST → 409 with slskd's message, and an Errored record is still listed", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      yield* sim.control.setLoggedIn(false)
      const reply = yield* raw("POST", "/searches", { id: SEARCH_ID, searchText: "dreams" })
      expect(reply.status).toBe(409)
      expect(JSON.parse(reply.body)).toBe("The server connection must be connected and logged in to perform a search (currently: Disconnected)")
      const s = yield* SlskdClient.pipe(Effect.flatMap((c) => c.getSearch(SEARCH_ID)))
      expect(s.state).toEqual(["Completed", "Errored"])
      expect(s.endedAt).toBe(s.startedAt)
      const server = yield* SlskdClient.pipe(Effect.flatMap((c) => c.server))
      expect(server.state).toEqual(["Disconnected"])
      expect(server.address).toBeUndefined()
    }).pipe(Effect.provide(slskdTestLayer())))

  it.live("a second POST /searches while one is in flight gets 429 with the JSON string message", () =>
    Effect.gen(function*() {
      const post = (id: string) => raw("POST", "/searches", { id, searchText: "dreams", searchTimeout: 1000 })
      const [a, b] = yield* Effect.all([
        post("00000000-0000-4000-8000-00000000000a"),
        Effect.zipRight(realPause(20), post("00000000-0000-4000-8000-00000000000b"))
      ], { concurrency: 2 })
      expect(a.status).toBe(200)
      expect(b.status).toBe(429)
      expect(JSON.parse(b.body)).toBe("Only one concurrent operation is permitted. Wait until the previous request completes")
    }).pipe(Effect.provide(slskdTestLayer({ timings: { searchPostDelayMs: 150 } }))))
})

describe("slskd simulator: transfers", () => {
  it.effect("the full path with timestamps: requestedAt has Z only in the enqueue reply", () =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      const size = yield* sizeOf("mp3hoarder", DAVE_KARMA)
      const reply = yield* raw("POST", "/transfers/downloads/mp3hoarder", [{ filename: DAVE_KARMA, size }])
      expect(reply.status).toBe(201)
      const body = JSON.parse(reply.body) as { enqueued: Array<Record<string, unknown>>; failed: Array<unknown> }
      expect(body.failed).toEqual([])
      const first = body.enqueued[0]!
      expect(first["state"]).toBe("Queued, Locally")
      expect(first["attempts"]).toBe(0)
      expect(String(first["requestedAt"])).toMatch(/Z$/)
      for (const absent of ["startedAt", "endedAt", "enqueuedAt", "exception", "remainingTime", "elapsedTime"]) {
        expect(first).not.toHaveProperty(absent)
      }
      const id = String(first["id"])

      const seen: Array<string> = []
      const readRaw = Effect.gen(function*() {
        const r = yield* raw("GET", `/transfers/downloads/mp3hoarder/${id}`)
        return JSON.parse(r.body) as Record<string, unknown>
      })
      let last = yield* readRaw
      expect(String(last["requestedAt"])).not.toMatch(/Z$/)
      while (last["state"] !== "Completed, Succeeded") {
        if (seen.at(-1) !== last["state"]) seen.push(String(last["state"]))
        if (last["state"] === "Queued, Remotely") expect(String(last["enqueuedAt"])).not.toMatch(/Z$/)
        if (last["state"] === "InProgress") {
          expect(String(last["startedAt"])).toMatch(/Z$/)
          expect(last).not.toHaveProperty("endedAt")
        }
        yield* advance("100 millis")
        last = yield* readRaw
      }
      expect(seen).toEqual(["Queued, Locally", "Requested", "Queued, Remotely", "Initializing", "InProgress"])
      expect(last["bytesTransferred"]).toBe(size)
      expect(last["percentComplete"]).toBe(100)
      expect(last["remainingTime"]).toBe("00:00:00")
      expect(String(last["endedAt"])).toMatch(/Z$/)

      const decoded = Option.getOrThrow(yield* client.getDownload("mp3hoarder", id))
      expect(decoded.state).toEqual(["Completed", "Succeeded"])
      expect(decoded.attempts).toBe(1)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("bytes grow with the peer's speed while InProgress", () =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      const file = "@@kxqpz\\Music\\Radiohead\\1997 - OK Computer [FLAC]\\02 - Paranoid Android.flac"
      const size = yield* sizeOf("flacfiend", file)
      const reply = yield* client.enqueue("flacfiend", [{ filename: file, size }])
      const id = reply._tag === "Reply" ? reply.enqueued[0]!.id : ""
      yield* advance("1 second") // 150 + 250 + 300 + 200 ms to InProgress
      const a = Option.getOrThrow(yield* client.getDownload("flacfiend", id))
      yield* advance("2 seconds")
      const b = Option.getOrThrow(yield* client.getDownload("flacfiend", id))
      expect(b.state).toEqual(["InProgress"])
      expect(b.bytesTransferred - a.bytesTransferred).toBe(2 * 4 * 1024 * 1024) // 4 MiB/s
      expect(b.averageSpeed).toBeGreaterThan(0)
      expect(b.remainingTime).toBeGreaterThan(0)
      expect(b.elapsedTime).toBeGreaterThan(2)
    }).pipe(Effect.provide(slskdTestLayer())))

  const outcomes = [
    ["error", ["Completed", "Errored"], "Transfer failed: Remote connection closed"],
    ["reject", ["Completed", "Rejected"], "Transfer rejected: File not shared."],
    ["timeout", ["Completed", "TimedOut"], "The wait timed out after 15000 milliseconds"]
  ] as const
  for (const [outcome, state, exception] of outcomes) {
    it.effect(`outcome ${outcome} → ${state.join(", ")} with its exception`, () =>
      Effect.gen(function*() {
        const sim = yield* SlskdSimulator
        const client = yield* SlskdClient
        yield* sim.control.setOutcome("mp3hoarder", DAVE_KARMA, outcome)
        const reply = yield* client.enqueue("mp3hoarder", [{ filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) }])
        const id = reply._tag === "Reply" ? reply.enqueued[0]!.id : ""
        yield* advance("30 seconds", "500 millis")
        const t = Option.getOrThrow(yield* client.getDownload("mp3hoarder", id))
        expect(t.state).toEqual(state)
        expect(t.exception).toBe(exception)
        expect(t.endedAt).toBeDefined()
        expect(t.startedAt).toBeDefined()
        if (outcome !== "error") {
          expect(t.startedAt).toBe(t.endedAt) // an early failure: startedAt = endedAt
          expect(t.elapsedTime).toBe(0)
        }
      }).pipe(Effect.provide(slskdTestLayer())))
  }

  it.effect("a wrong size ends Completed, Aborted with the size message", () =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      const size = yield* sizeOf("mp3hoarder", DAVE_KARMA)
      const reply = yield* client.enqueue("mp3hoarder", [{ filename: DAVE_KARMA, size: 0 }])
      const id = reply._tag === "Reply" ? reply.enqueued[0]!.id : ""
      yield* advance("10 seconds", "500 millis")
      const t = Option.getOrThrow(yield* client.getDownload("mp3hoarder", id))
      expect(t.state).toEqual(["Completed", "Aborted"])
      expect(t.exception).toBe(`Transfer aborted: the remote size of ${size} does not match expected size 0`)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("stall-remote stays Queued, Remotely; stall-progress stops moving bytes", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const client = yield* SlskdClient
      const other = "C:\\Users\\Dave\\Music\\Nirvana\\Nevermind\\01 Smells Like Teen Spirit.mp3"
      yield* sim.control.setOutcome("mp3hoarder", DAVE_KARMA, "stall-remote")
      yield* sim.control.setOutcome("mp3hoarder", other, "stall-progress")
      yield* client.enqueue("mp3hoarder", [
        { filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) },
        { filename: other, size: yield* sizeOf("mp3hoarder", other) }
      ])
      yield* advance("60 seconds", "1 second")
      const before = yield* client.userDownloads("mp3hoarder")
      yield* advance("60 seconds", "1 second")
      const after = yield* client.userDownloads("mp3hoarder")
      const find = (list: typeof before, f: string) => list.find((t) => t.filename === f)!
      expect(find(after, DAVE_KARMA).state).toEqual(["Queued", "Remotely"])
      expect(find(after, other).state).toEqual(["InProgress"])
      expect(find(after, other).bytesTransferred).toBe(find(before, other).bytesTransferred)
      expect(find(after, other).bytesTransferred).toBeGreaterThan(0)
      expect(find(after, other).percentComplete).toBeLessThan(100)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("duplicate enqueue of an active file: no new record, listed in failed as {} (0.26)", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const size = yield* sizeOf("mp3hoarder", DAVE_KARMA)
      yield* raw("POST", "/transfers/downloads/mp3hoarder", [{ filename: DAVE_KARMA, size }])
      const again = yield* raw("POST", "/transfers/downloads/mp3hoarder", [{ filename: DAVE_KARMA, size }])
      expect(again.status).toBe(201) // 201 even when nothing was enqueued
      expect(JSON.parse(again.body)).toEqual({ enqueued: [], failed: [{}] })
      expect(yield* sim.control.enqueueCount("mp3hoarder", DAVE_KARMA)).toBe(1)
      expect((yield* sim.control.transfers).length).toBe(1)
      // 0.24-0.25 wrote the filename instead
      yield* sim.control.setEnqueueStyle("0.25")
      const old = yield* raw("POST", "/transfers/downloads/mp3hoarder", [{ filename: DAVE_KARMA, size }])
      expect(JSON.parse(old.body)).toEqual({ enqueued: [], failed: [DAVE_KARMA] })
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("re-enqueue of a completed file: a new id, the old record removed (still readable by id)", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const client = yield* SlskdClient
      const size = yield* sizeOf("mp3hoarder", DAVE_KARMA)
      yield* sim.control.setOutcome("mp3hoarder", DAVE_KARMA, "reject")
      const first = yield* client.enqueue("mp3hoarder", [{ filename: DAVE_KARMA, size }])
      yield* advance("2 seconds")
      const second = yield* client.enqueue("mp3hoarder", [{ filename: DAVE_KARMA, size }])
      const [id1, id2] = [first, second].map((r) => (r._tag === "Reply" ? r.enqueued[0]!.id : ""))
      expect(id2).not.toBe(id1)
      const listed = yield* client.userDownloads("mp3hoarder")
      expect(listed.map((t) => t.id)).toEqual([id2])
      const old = Option.getOrThrow(yield* client.getDownload("mp3hoarder", id1!))
      expect(old.removed).toBe(true)
      expect(yield* sim.control.enqueueCount("mp3hoarder", DAVE_KARMA)).toBe(2)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("a user with no downloads answers 404 with an empty body; the client reads it as none", () =>
    Effect.gen(function*() {
      const reply = yield* raw("GET", "/transfers/downloads/nobody")
      expect(reply.status).toBe(404)
      expect(reply.body).toBe("")
      expect(yield* SlskdClient.pipe(Effect.flatMap((c) => c.userDownloads("nobody")))).toEqual([])
      expect(yield* SlskdClient.pipe(Effect.flatMap((c) => c.listDownloads))).toEqual([])
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("usernames are percent-encoded: spaces and non-ASCII survive; directories split on \\ or /", () =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      const file = "@@djsc0\\Sets\\Daft Punk\\Random Access Memories\\08 - Get Lucky.mp3"
      yield* client.enqueue("DJ Space Cadet", [{ filename: file, size: yield* sizeOf("DJ Space Cadet", file) }])
      const linux = "/home/beard/music/Radiohead/OK Computer/06 - Karma Police.ogg"
      yield* client.enqueue("linuxbeard", [{ filename: linux, size: yield* sizeOf("linuxbeard", linux) }])
      const mine = yield* client.userDownloads("DJ Space Cadet")
      expect(mine.map((t) => [t.username, t.filename])).toEqual([["DJ Space Cadet", file]])
      const all = JSON.parse((yield* raw("GET", "/transfers/downloads")).body) as Array<{ username: string; directories: Array<{ directory: string }> }>
      expect(all.map((u) => [u.username, u.directories[0]!.directory])).toEqual([
        ["DJ Space Cadet", "@@djsc0\\Sets\\Daft Punk\\Random Access Memories"],
        ["linuxbeard", "/home/beard/music/Radiohead/OK Computer"]
      ])
      // an offline peer: 500 with slskd's message
      const offline = yield* raw("POST", `/transfers/downloads/${encodeURIComponent("Björk_fan")}`, [{ filename: "x", size: 1 }])
      expect(offline.status).toBe(500)
      expect(JSON.parse(offline.body)).toBe("User Björk_fan appears to be offline")
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("cancel: remove=true on an active transfer only cancels; it lands Completed, Cancelled; then remove hides it", () =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      const reply = yield* client.enqueue("mp3hoarder", [{ filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) }])
      const id = reply._tag === "Reply" ? reply.enqueued[0]!.id : ""
      yield* advance("1 second")
      yield* client.cancelDownload("mp3hoarder", id, true)
      const right = Option.getOrThrow(yield* client.getDownload("mp3hoarder", id))
      expect(right.state).toEqual(["InProgress"]) // the cancel lands a moment later
      yield* advance("600 millis")
      const cancelled = (yield* client.userDownloads("mp3hoarder"))[0]!
      expect(cancelled.state).toEqual(["Completed", "Cancelled"])
      expect(cancelled.exception).toBe("The operation was canceled.")
      expect(cancelled.removed).toBe(false)
      yield* client.cancelDownload("mp3hoarder", id, true)
      expect(yield* client.userDownloads("mp3hoarder")).toEqual([])
      expect(Option.getOrThrow(yield* client.getDownload("mp3hoarder", id)).removed).toBe(true)
      // unknown GUID: 204; not a GUID: 400
      expect((yield* raw("DELETE", "/transfers/downloads/mp3hoarder/00000000-0000-4000-8000-0000000000ff")).status).toBe(204)
      expect((yield* raw("DELETE", "/transfers/downloads/mp3hoarder/not-a-guid")).status).toBe(400)
    }).pipe(Effect.provide(slskdTestLayer({ timings: { cancelDelayMs: 500 } }))))

  it.effect("restart: active transfers end Errored (Application shut down) and come back under new ids", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const client = yield* SlskdClient
      const reply = yield* client.enqueue("mp3hoarder", [{ filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) }])
      const oldId = reply._tag === "Reply" ? reply.enqueued[0]!.id : ""
      yield* client.startSearch({ id: SEARCH_ID, searchText: "dreams", searchTimeout: 5000 })
      yield* advance("1 second")
      yield* sim.control.restart()
      const old = Option.getOrThrow(yield* client.getDownload("mp3hoarder", oldId))
      expect(old.state).toEqual(["Completed", "Errored"])
      expect(old.exception).toBe("Application shut down")
      expect(old.removed).toBe(true)
      const listed = yield* client.userDownloads("mp3hoarder")
      expect(listed).toHaveLength(1)
      expect(listed[0]!.id).not.toBe(oldId)
      expect(listed[0]!.filename).toBe(DAVE_KARMA)
      expect(yield* sim.control.enqueueCount("mp3hoarder", DAVE_KARMA)).toBe(1)
      const search = yield* client.getSearch(SEARCH_ID)
      expect(search.state).toEqual(["Completed", "TimedOut"])
      expect(search.responseCount).toBe(0)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("queue position: a bare integer stored as placeInQueue until the state changes; 500 once finished", () =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      const file = "Z:\\Lossless\\Massive Attack\\1998 Mezzanine\\03 Teardrop.flac"
      const reply = yield* client.enqueue("queue_monster", [{ filename: file, size: yield* sizeOf("queue_monster", file) }])
      const id = reply._tag === "Reply" ? reply.enqueued[0]!.id : ""
      yield* advance("1 second")
      const pos = yield* raw("GET", `/transfers/downloads/queue_monster/${id}/position`)
      expect(pos.status).toBe(200)
      const place = JSON.parse(pos.body) as unknown
      expect(typeof place).toBe("number")
      const queued = Option.getOrThrow(yield* client.getDownload("queue_monster", id))
      expect(queued.state).toEqual(["Queued", "Remotely"])
      expect(queued.placeInQueue).toBe(place)
      yield* advance("20 seconds", "1 second") // 250 places × 50 ms in the queue
      const moved = Option.getOrThrow(yield* client.getDownload("queue_monster", id))
      expect(moved.state).not.toEqual(["Queued", "Remotely"])
      expect(moved.placeInQueue).toBeUndefined()
      yield* advance("60 seconds", "1 second")
      const late = yield* raw("GET", `/transfers/downloads/queue_monster/${id}/position`)
      expect(late.status).toBe(500)
      expect(JSON.parse(late.body)).toContain("is not active")
    }).pipe(Effect.provide(slskdTestLayer())))

  it.live("more than two enqueue calls in flight: the third gets 429", () =>
    Effect.gen(function*() {
      const post = (user: string, file: string) => raw("POST", `/transfers/downloads/${encodeURIComponent(user)}`, [{ filename: file, size: 1 }])
      const replies = yield* Effect.all([
        post("mp3hoarder", DAVE_KARMA),
        post("flacfiend", "a"),
        Effect.zipRight(realPause(30), post("linuxbeard", "b"))
      ], { concurrency: 3 })
      expect(replies.map((r) => r.status)).toEqual([201, 201, 429])
    }).pipe(Effect.provide(slskdTestLayer({ timings: { enqueueDelayMs: 200 } }))))

  it.effect("API key: missing or wrong → 401 with an empty body", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const wrong = yield* Effect.promise(() => fetch(`${sim.url}/api/v0/transfers/downloads`, { headers: { "X-API-Key": "nope" } }))
      expect(wrong.status).toBe(401)
      expect(yield* Effect.promise(() => wrong.text())).toBe("")
      const missing = yield* Effect.promise(() => fetch(`${sim.url}/api/v0/server`))
      expect(missing.status).toBe(401)
      const health = yield* Effect.promise(() => fetch(`${sim.url}/health`).then((r) => r.text()))
      expect(health).toBe("Healthy")
      // a body without Content-Type: 415
      const noType = yield* Effect.promise(() => fetch(`${sim.url}/api/v0/searches`, {
        method: "POST", body: "{\"searchText\":\"x\"}", headers: { "X-API-Key": sim.apiKey!, "Content-Type": "text/plain" }
      }))
      expect(noType.status).toBe(415)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("withTime drives a long wait under TestClock", () =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      const reply = yield* client.enqueue("mp3hoarder", [{ filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) }])
      const id = reply._tag === "Reply" ? reply.enqueued[0]!.id : ""
      const waitDone = Effect.gen(function*() {
        while (true) {
          const t = Option.getOrThrow(yield* client.getDownload("mp3hoarder", id))
          if (t.state.includes("Completed")) return t
          yield* Effect.sleep("1 second")
        }
      })
      const done = yield* withTime(waitDone, { step: "1 second" })
      expect(done.state).toEqual(["Completed", "Succeeded"])
    }).pipe(Effect.provide(slskdTestLayer())))
})

describe("slskd simulator: what a real slskd does on a bad day", () => {
  const enqueueOne = (username: string, filename: string) =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      const reply = yield* client.enqueue(username, [{ filename, size: yield* sizeOf(username, filename) }])
      return reply._tag === "Reply" ? reply.enqueued[0]!.id : ""
    })

  it.effect("a peer that cannot be connected to: 500 with Soulseek.NET's message, and no record", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      yield* sim.control.setPeerReachable("mp3hoarder", false)
      const reply = yield* raw("POST", "/transfers/downloads/mp3hoarder", [{ filename: DAVE_KARMA, size: 1 }])
      expect(reply.status).toBe(500)
      expect(JSON.parse(reply.body)).toMatch(/^Failed to connect to user mp3hoarder: Failed to establish a direct or indirect message connection to mp3hoarder \(/)
      expect(yield* sim.control.transfers).toEqual([])
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("restart: down, then Errored records while logged out, then per-user re-enqueue with new ids; offline peers skipped", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const client = yield* SlskdClient
      const other = "C:\\Users\\Dave\\Music\\Nirvana\\Nevermind\\01 Smells Like Teen Spirit.mp3"
      const a = yield* enqueueOne("mp3hoarder", DAVE_KARMA)
      const flac = "@@kxqpz\\Music\\Radiohead\\1997 - OK Computer [FLAC]\\06 - Karma Police.flac"
      const b = yield* enqueueOne("flacfiend", flac)
      yield* sim.control.setOutcome("mp3hoarder", other, "stall-remote")
      yield* enqueueOne("mp3hoarder", other)
      yield* advance("500 millis")
      yield* Effect.fork(sim.control.restart({ downMs: 2000, loggedOutMs: 3000, perUserMs: 1000 }))
      yield* advance("1 second")
      expect((yield* Effect.flip(client.listDownloads)).reason).toBe("Unreachable")
      yield* sim.control.setPeerOnline("flacfiend", false)
      yield* advance("2 seconds")
      // up, logged out: the old records are listed, ended by the shutdown, not removed
      const server = yield* client.server
      expect(server.isLoggedIn).toBe(false)
      const old = Option.getOrThrow(yield* client.getDownload("mp3hoarder", a))
      expect(old).toMatchObject({ state: ["Completed", "Errored"], exception: "Application shut down", removed: false })
      yield* advance("3 seconds")
      yield* advance("1500 millis") // logged in; mp3hoarder's turn came
      const listed = yield* client.userDownloads("mp3hoarder")
      expect(listed.map((t) => t.filename).sort()).toEqual([DAVE_KARMA, other].sort())
      expect(listed.every((t) => t.id !== a && !t.removed)).toBe(true)
      expect(Option.getOrThrow(yield* client.getDownload("mp3hoarder", a)).removed).toBe(true)
      yield* advance("2 seconds")
      // flacfiend went offline: its file is not re-enqueued, the old record stays as it ended
      const flacs = yield* client.userDownloads("flacfiend")
      expect(flacs.map((t) => [t.id, t.exception])).toEqual([[b, "Application shut down"]])
      expect(yield* sim.control.enqueueCount("mp3hoarder", DAVE_KARMA)).toBe(1) // slskd's own re-enqueue is not a client's
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("before 0.24.2: remove=true on an active transfer cancels it and answers 500; unknown ids 404", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      yield* sim.control.setRemoveStyle("0.24.1")
      const id = yield* enqueueOne("mp3hoarder", DAVE_KARMA)
      yield* advance("1 second")
      expect((yield* raw("DELETE", `/transfers/downloads/mp3hoarder/${id}?remove=true`)).status).toBe(500)
      yield* advance("100 millis")
      const t = (yield* sim.control.transfers)[0]!
      expect([t.state, t.removed]).toEqual(["Completed, Cancelled", false])
      expect((yield* raw("DELETE", `/transfers/downloads/mp3hoarder/${id}?remove=true`)).status).toBe(204)
      expect((yield* raw("DELETE", "/transfers/downloads/mp3hoarder/00000000-0000-4000-8000-0000000000ff?remove=true")).status).toBe(404)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("a query without a two-letter word: 400 with Soulseek.NET's reason, and an Errored record is left", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      for (const text of ["a b c", "-live -remix"]) {
        const reply = yield* raw("POST", "/searches", { searchText: text, searchTimeout: 5000 })
        expect(reply.status).toBe(400)
        expect(JSON.parse(reply.body)).toContain("at least one non-exclusion term")
      }
      const left = yield* sim.control.searches
      expect(left.map((s) => s["state"])).toEqual(["Completed, Errored", "Completed, Errored"])
      expect(yield* sim.control.searchCount).toBe(0)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("0.26 self-retry: Errored for a moment, Queued, Locally with attempts 2 and the old exception, then Succeeded", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const client = yield* SlskdClient
      yield* sim.control.setOutcome("mp3hoarder", DAVE_KARMA, "self-retry")
      const id = yield* enqueueOne("mp3hoarder", DAVE_KARMA)
      const seen: Array<string> = []
      let relapse: { attempts: number; exception: string | undefined; endedAt: string | undefined } | undefined
      for (let i = 0; i < 400; i++) {
        yield* advance("250 millis", "250 millis")
        const t = Option.getOrThrow(yield* client.getDownload("mp3hoarder", id))
        const state = t.state.join(", ")
        if (seen[seen.length - 1] !== state) seen.push(state)
        if (state === "Queued, Locally" && seen.includes("InProgress")) relapse = { attempts: t.attempts, exception: t.exception, endedAt: t.endedAt }
        if (state === "Completed, Succeeded") break
      }
      expect(seen).toEqual(["Requested", "Queued, Remotely", "Initializing", "InProgress", "Completed, Errored", "Queued, Locally", "InProgress", "Completed, Succeeded"])
      expect(relapse).toMatchObject({ attempts: 2, exception: "Transfer failed: Remote connection closed", endedAt: expect.any(String) })
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("TimedOut that goes on: Completed, TimedOut, later Succeeded; a cancel in between stops it", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const client = yield* SlskdClient
      const other = "C:\\Users\\Dave\\Music\\Nirvana\\Nevermind\\01 Smells Like Teen Spirit.mp3"
      yield* sim.control.setOutcome("mp3hoarder", DAVE_KARMA, "timeout-continues")
      yield* sim.control.setOutcome("mp3hoarder", other, "timeout-continues")
      const a = yield* enqueueOne("mp3hoarder", DAVE_KARMA)
      const b = yield* enqueueOne("mp3hoarder", other)
      yield* advance("1 second")
      expect(Option.getOrThrow(yield* client.getDownload("mp3hoarder", a)).state).toEqual(["Completed", "TimedOut"])
      yield* client.cancelDownload("mp3hoarder", b, false)
      yield* advance("120 seconds", "1 second")
      expect(Option.getOrThrow(yield* client.getDownload("mp3hoarder", a)).state).toEqual(["Completed", "Succeeded"])
      expect(Option.getOrThrow(yield* client.getDownload("mp3hoarder", b)).state).toEqual(["Completed", "Cancelled"])
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("retention: finished records leave the listing after the set time; by id they are still found, removed", () =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      const id = yield* enqueueOne("mp3hoarder", DAVE_KARMA)
      yield* advance("60 seconds", "1 second")
      expect((yield* client.listDownloads).length).toBe(1)
      yield* advance("60 seconds", "1 second")
      expect(yield* client.listDownloads).toEqual([])
      expect(Option.getOrThrow(yield* client.getDownload("mp3hoarder", id))).toMatchObject({ state: ["Completed", "Succeeded"], removed: true })
    }).pipe(Effect.provide(slskdTestLayer({ timings: { retentionMs: 60_000 } }))))
})
