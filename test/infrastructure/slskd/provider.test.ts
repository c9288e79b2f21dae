/**
 * The DownloadProvider over the real simulator: search lifecycle, exactly-once enqueue and
 * adoption, status, cancel and health. Time runs on TestClock.
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { DownloadProvider, transferKey } from "../../../src/domain/ports/DownloadProvider.js"
import { Settings } from "../../../src/domain/ports/Settings.js"
import { SlskdClient } from "../../../src/infrastructure/slskd/client.js"
import { makeSlskdDownloadProvider } from "../../../src/infrastructure/slskd/provider.js"
import { advance, SlskdSimulator, slskdTestLayer, withTime } from "../../support/simulator.js"

const DAVE_KARMA = "C:\\Users\\Dave\\Music\\Radiohead\\OK Computer\\06 Karma Police.mp3"

const sizeOf = (username: string, filename: string) =>
  Effect.gen(function*() {
    const sim = yield* SlskdSimulator
    const file = (yield* sim.control.catalog).find((p) => p.username === username)?.files.find((f) => f.filename === filename)
    return file ? file.size : yield* Effect.dieMessage(`no ${filename} at ${username}`)
  })

const requests = (method: string, prefix: string) =>
  Effect.map(SlskdSimulator, (sim) => sim.control.requests).pipe(
    Effect.flatten,
    Effect.map((all) => all.filter((r) => r.method === method && r.path.startsWith(prefix)))
  )

const useSearchTimeout = (value: string) => Effect.flatMap(Settings, (s) => s.update({ "search.timeout": value }))

describe("SlskdDownloadProvider.search", () => {
  it.effect("waits for endedAt (not just isComplete), reads the responses once, then deletes the search", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      yield* useSearchTimeout("1 second")
      const started = yield* Clock.currentTimeMillis
      const results = yield* withTime(provider.search("karma police"))
      const took = (yield* Clock.currentTimeMillis) - started
      // Completed at 1.5 s window + 1 s searchTimeout (sent as 1000 ms); responses stored 2 s later.
      expect(took).toBeGreaterThanOrEqual(4500)
      expect(took).toBeLessThan(6500)
      expect(results.length).toBeGreaterThan(5)
      expect(results.map((r) => r.username)).toContain("flacfiend")
      const locked = results.find((r) => r.username === "lockedbox")
      expect(locked?.lockedFiles?.map((f) => f.filename)).toEqual(["@@privat\\FLAC\\Radiohead\\OK Computer\\06 - Karma Police.flac"])
      expect(locked?.files).toEqual([])
      // filenames come back byte-for-byte
      expect(results.flatMap((r) => r.files.map((f) => f.filename))).toContain(DAVE_KARMA)

      expect(yield* requests("POST", "/searches")).toHaveLength(1)
      expect((yield* requests("GET", "/searches/")).filter((r) => r.path.endsWith("/responses"))).toHaveLength(1)
      expect(yield* requests("DELETE", "/searches/")).toHaveLength(1)
      const searches = yield* sim.control.searches
      expect(searches.map((s) => s.deleted)).toEqual([true])
    }).pipe(Effect.provide(slskdTestLayer({ timings: { endedAtDelayMs: 2000 } }))))

  it.effect("a query slskd refuses (400): Rejected with status 400, and the Errored record it left is deleted", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      const e = yield* Effect.flip(provider.search("a b"))
      expect([e.reason, e.status]).toEqual(["Rejected", 400])
      expect((yield* sim.control.searches).map((s) => s.deleted)).toEqual([true])
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("an interrupted search is deleted too, so it holds no slot", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      const fiber = yield* Effect.fork(provider.search("karma police"))
      yield* advance("1 second")
      yield* Fiber.interrupt(fiber)
      expect((yield* sim.control.searches).map((s) => s.deleted)).toEqual([true])
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("stops a search that does not end by itself (PUT), then returns what arrived", () =>
    Effect.gen(function*() {
      const provider = yield* DownloadProvider
      yield* useSearchTimeout("1 second")
      const started = yield* Clock.currentTimeMillis
      const results = yield* withTime(provider.search("dreams"), { step: "250 millis" })
      const took = (yield* Clock.currentTimeMillis) - started
      expect(took).toBeGreaterThanOrEqual(11_000) // searchTimeout + the 10 s minimum grace
      expect(took).toBeLessThan(14_000)
      expect(results.length).toBeGreaterThan(3)
      expect(yield* requests("PUT", "/searches/")).toHaveLength(1)
      expect(yield* requests("DELETE", "/searches/")).toHaveLength(1)
    }).pipe(Effect.provide(slskdTestLayer({ timings: { searchDurationMs: 600_000 } }))))

  it.effect("a search that starts Queued (two already running) is waited for, not mistaken for finished", () =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      const provider = yield* DownloadProvider
      yield* useSearchTimeout("1 second")
      for (const id of ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"]) {
        yield* client.startSearch({ id, searchText: "teardrop", searchTimeout: 3000 })
      }
      const fiber = yield* Effect.fork(provider.search("karma police"))
      yield* advance("1 second")
      const mine = (yield* Effect.flatMap(SlskdSimulator, (s) => s.control.searches)).find((s) => s["searchText"] === "karma police")
      expect(mine?.["state"]).toBe("Queued")
      const results = yield* withTime(Fiber.join(fiber))
      expect(results.length).toBeGreaterThan(5)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("concurrent searches from one provider never draw a 429 (POSTs are serialized)", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      yield* useSearchTimeout("1 second")
      const [a, b] = yield* withTime(Effect.all([provider.search("dreams"), provider.search("teardrop")], { concurrency: 2 }), { step: "50 millis" })
      expect(a!.length).toBeGreaterThan(0)
      expect(b!.length).toBeGreaterThan(0)
      expect((yield* sim.control.requests).filter((r) => r.status === 429)).toEqual([])
      expect(yield* sim.control.searchCount).toBe(2)
    }).pipe(Effect.provide(slskdTestLayer({ timings: { searchPostDelayMs: 200 } }))))

  it.effect("not logged in: NotLoggedIn, and the Errored record slskd created is deleted", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      yield* sim.control.setLoggedIn(false)
      const e = yield* Effect.flip(provider.search("dreams"))
      expect(e.reason).toBe("NotLoggedIn")
      expect(yield* requests("DELETE", "/searches/")).toHaveLength(1)
      expect((yield* sim.control.searches).map((s) => [s["state"], s.deleted])).toEqual([["Completed, Errored", true]])
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("429 on POST: RateLimited at once, no retry, nothing to delete", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      yield* sim.control.failNext(1, 429)
      const e = yield* Effect.flip(provider.search("dreams"))
      expect(e.reason).toBe("RateLimited")
      expect(e.retryAfterMillis).toBeGreaterThan(0)
      expect(yield* sim.control.requests).toHaveLength(1)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("interrupted while waiting: the search is still deleted", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      const fiber = yield* Effect.fork(provider.search("get lucky"))
      yield* advance("1 second")
      yield* Fiber.interrupt(fiber)
      expect((yield* sim.control.searches).map((s) => s.deleted)).toEqual([true])
    }).pipe(Effect.provide(slskdTestLayer())))
})

describe("SlskdDownloadProvider.download (exactly once)", () => {
  it.effect("enqueues once; a second call adopts the same transfer", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      const request = { username: "mp3hoarder", filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) }
      const first = yield* provider.download(request)
      expect(first.adopted).toBe(false)
      expect((yield* sim.control.transfers).map((t) => t.id)).toEqual([first.transferId])
      const second = yield* provider.download(request)
      expect(second).toEqual({ transferId: first.transferId, adopted: true })
      expect(yield* sim.control.enqueueCount("mp3hoarder", DAVE_KARMA)).toBe(1)
      expect(yield* requests("POST", "/transfers/downloads/")).toHaveLength(1)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("crash after slskd accepted the enqueue but before we stored the id: the next download adopts it", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const client = yield* SlskdClient
      const provider = yield* DownloadProvider
      const size = yield* sizeOf("mp3hoarder", DAVE_KARMA)
      // The enqueue reached slskd; its reply was lost with the process.
      const lost = yield* client.enqueue("mp3hoarder", [{ filename: DAVE_KARMA, size }])
      const slskdId = lost._tag === "Reply" ? lost.enqueued[0]!.id : ""
      yield* advance("2 seconds") // it moved on meanwhile
      const result = yield* provider.download({ username: "mp3hoarder", filename: DAVE_KARMA, size })
      expect(result).toEqual({ transferId: slskdId, adopted: true })
      expect(yield* sim.control.enqueueCount("mp3hoarder", DAVE_KARMA)).toBe(1)
      expect((yield* sim.control.transfers)).toHaveLength(1)
      expect(yield* requests("POST", "/transfers/downloads/")).toHaveLength(1) // only the lost one
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("crash, and the transfer finished while we were down: adopted, not downloaded again", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const client = yield* SlskdClient
      const provider = yield* DownloadProvider
      const size = yield* sizeOf("mp3hoarder", DAVE_KARMA)
      const lost = yield* client.enqueue("mp3hoarder", [{ filename: DAVE_KARMA, size }])
      const slskdId = lost._tag === "Reply" ? lost.enqueued[0]!.id : ""
      yield* advance("60 seconds", "1 second")
      expect((yield* sim.control.transfers).map((t) => t.state)).toEqual(["Completed, Succeeded"])
      const result = yield* provider.download({ username: "mp3hoarder", filename: DAVE_KARMA, size })
      expect(result).toEqual({ transferId: slskdId, adopted: true })
      expect(yield* sim.control.enqueueCount("mp3hoarder", DAVE_KARMA)).toBe(1)
      expect(yield* requests("POST", "/transfers/downloads/")).toHaveLength(1)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("a broken reply to the enqueue (slskd handled it) fails Malformed; the retry adopts, no second record", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      const request = { username: "mp3hoarder", filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) }
      yield* sim.control.malformedNext(1, { method: "POST", path: "/transfers/downloads/" })
      const e = yield* Effect.flip(provider.download(request))
      expect(e.reason).toBe("Malformed")
      const [created] = yield* sim.control.transfers
      expect(yield* sim.control.enqueueCount("mp3hoarder", DAVE_KARMA)).toBe(1)
      const retry = yield* provider.download(request)
      expect(retry).toEqual({ transferId: created!.id, adopted: true })
      expect(yield* sim.control.enqueueCount("mp3hoarder", DAVE_KARMA)).toBe(1)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("a succeeded transfer still listed is adopted; a failed one is enqueued again under a new id", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      const other = "C:\\Users\\Dave\\Music\\Nirvana\\Nevermind\\03 Come as You Are.mp3"
      const ok = { username: "mp3hoarder", filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) }
      const bad = { username: "mp3hoarder", filename: other, size: yield* sizeOf("mp3hoarder", other) }
      yield* sim.control.setOutcome("mp3hoarder", other, "error")
      const a = yield* provider.download(ok)
      const b = yield* provider.download(bad)
      yield* advance("60 seconds", "1 second")
      const states = new Map((yield* sim.control.transfers).map((t) => [t.id, t.state]))
      expect(states.get(a.transferId)).toBe("Completed, Succeeded")
      expect(states.get(b.transferId)).toBe("Completed, Errored")
      expect(yield* provider.download(ok)).toEqual({ transferId: a.transferId, adopted: true })
      const again = yield* provider.download(bad)
      expect(again.adopted).toBe(false)
      expect(again.transferId).not.toBe(b.transferId)
      expect(yield* sim.control.enqueueCount("mp3hoarder", DAVE_KARMA)).toBe(1)
      expect(yield* sim.control.enqueueCount("mp3hoarder", other)).toBe(2)
    }).pipe(Effect.provide(slskdTestLayer())))

  for (const style of ["0.26", "0.25"] as const) {
    it.effect(`two SoulSpot processes race for the same file (${style} failed entries): one enqueue, both get its id`, () =>
      Effect.gen(function*() {
        const sim = yield* SlskdSimulator
        const one = yield* makeSlskdDownloadProvider()
        const two = yield* makeSlskdDownloadProvider()
        const request = { username: "mp3hoarder", filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) }
        // both list (nothing yet), both POST; slskd takes 200 ms per enqueue, so both are in flight
        const [a, b] = yield* withTime(Effect.all([one.download(request), two.download(request)], { concurrency: 2 }), { step: "50 millis" })
        expect(a.transferId).toBe(b.transferId)
        expect([a.adopted, b.adopted].sort()).toEqual([false, true])
        expect(yield* requests("POST", "/transfers/downloads/")).toHaveLength(2)
        expect(yield* sim.control.enqueueCount("mp3hoarder", DAVE_KARMA)).toBe(1)
      }).pipe(Effect.scoped, Effect.provide(slskdTestLayer({ enqueueStyle: style, timings: { enqueueDelayMs: 200 } }))))
  }

  it.effect("the same file asked twice at once by one provider: one enqueue; other files go in parallel", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      const other = "C:\\Users\\Dave\\Music\\Nirvana\\Nevermind\\03 Come as You Are.mp3"
      const request = { username: "mp3hoarder", filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) }
      const [a, b, c] = yield* withTime(Effect.all([
        provider.download(request),
        provider.download(request),
        provider.download({ username: "mp3hoarder", filename: other, size: yield* sizeOf("mp3hoarder", other) })
      ], { concurrency: 3 }), { step: "50 millis" })
      expect(b!.transferId).toBe(a!.transferId)
      expect([a!.adopted, b!.adopted].sort()).toEqual([false, true])
      expect(c!.adopted).toBe(false)
      expect(yield* requests("POST", "/transfers/downloads/")).toHaveLength(2)
      expect((yield* sim.control.requests).filter((r) => r.status === 429)).toEqual([])
    }).pipe(Effect.provide(slskdTestLayer({ timings: { enqueueDelayMs: 200 } }))))

  it.effect("0.23 (empty 201): the id comes from the user's list", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      const request = { username: "mp3hoarder", filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) }
      const result = yield* provider.download(request)
      expect(result.adopted).toBe(false)
      expect((yield* sim.control.transfers).map((t) => t.id)).toEqual([result.transferId])
    }).pipe(Effect.provide(slskdTestLayer({ enqueueStyle: "0.23" }))))

  it.effect("usernames with spaces; an offline peer is Rejected; a logged-out slskd is NotLoggedIn", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      const file = "@@djsc0\\Sets\\Massive Attack\\Mezzanine\\01 - Angel.mp3"
      const spaced = yield* provider.download({ username: "DJ Space Cadet", filename: file, size: yield* sizeOf("DJ Space Cadet", file) })
      expect((yield* sim.control.transfers).find((t) => t.id === spaced.transferId)?.username).toBe("DJ Space Cadet")
      const offline = yield* Effect.flip(provider.download({ username: "Björk_fan", filename: "@@bjork\\Music\\Radiohead\\OK Computer\\06 Karma Police.flac", size: 1 }))
      expect(offline.reason).toBe("Rejected")
      expect(offline.message).toContain("appears to be offline")
      yield* sim.control.setLoggedIn(false)
      const out = yield* Effect.flip(provider.download({ username: "mp3hoarder", filename: DAVE_KARMA, size: 1 }))
      expect(out.reason).toBe("NotLoggedIn")
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("after an slskd restart the re-enqueued transfer (new id) is adopted", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      const request = { username: "mp3hoarder", filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) }
      const before = yield* provider.download(request)
      yield* advance("1 second")
      yield* sim.control.restart()
      const status = yield* provider.getStatus
      const now = status.byKey.get(transferKey("mp3hoarder", DAVE_KARMA))
      expect(now?.id).not.toBe(before.transferId)
      expect(status.byId.has(before.transferId)).toBe(false) // removed records are not listed
      expect(yield* provider.download(request)).toEqual({ transferId: now!.id, adopted: true })
      expect(yield* sim.control.enqueueCount("mp3hoarder", DAVE_KARMA)).toBe(1)
    }).pipe(Effect.provide(slskdTestLayer())))
})

describe("SlskdDownloadProvider.getStatus, cancel, health", () => {
  it.effect("getStatus: one GET /transfers/downloads, flattened by id and by (username, filename)", () =>
    Effect.gen(function*() {
      const provider = yield* DownloadProvider
      const flac = "@@kxqpz\\Music\\Daft Punk\\2013 - Random Access Memories\\08 - Get Lucky.flac"
      const a = yield* provider.download({ username: "mp3hoarder", filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) })
      const b = yield* provider.download({ username: "flacfiend", filename: flac, size: yield* sizeOf("flacfiend", flac) })
      yield* advance("3 seconds")
      const before = (yield* requests("GET", "/transfers/downloads")).length
      const snap = yield* provider.getStatus
      const calls = yield* requests("GET", "/transfers/downloads")
      expect(calls.length - before).toBe(1)
      expect(calls.at(-1)?.path).toBe("/transfers/downloads")
      expect([...snap.byId.keys()].sort()).toEqual([a.transferId, b.transferId].sort())
      const s = snap.byKey.get(transferKey("flacfiend", flac))!
      expect(s.id).toBe(b.transferId)
      expect(s.state).toEqual(["InProgress"])
      expect(s.bytesTransferred).toBeGreaterThan(0)
      expect(s.remainingSeconds).toBeGreaterThan(0)
      expect(s.averageSpeed).toBeGreaterThan(0)
      expect(s.attempts).toBe(1)
      expect(s.exception).toBeNull()
      expect(s.endedAt).toBeNull()
      expect(s.requestedAt).toBe("1970-01-01T00:00:00.000Z") // read back without Z, still UTC
      expect(s.startedAt).not.toBeNull()
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("cancel: DELETE, wait for Completed, Cancelled, then remove it", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      const r = yield* provider.download({ username: "mp3hoarder", filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) })
      yield* advance("1 second")
      yield* withTime(provider.cancel({ username: "mp3hoarder", id: r.transferId }), { step: "50 millis" })
      const [t] = yield* sim.control.transfers
      expect(t?.state).toBe("Completed, Cancelled")
      expect(t?.removed).toBe(true)
      expect((yield* requests("DELETE", "/transfers/downloads/mp3hoarder/")).length).toBe(2)
      expect((yield* provider.getStatus).byId.size).toBe(0)
    }).pipe(Effect.provide(slskdTestLayer({ timings: { cancelDelayMs: 600 } }))))

  it.effect("cancel of a finished transfer just removes it", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      const r = yield* provider.download({ username: "mp3hoarder", filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) })
      yield* advance("60 seconds", "1 second")
      yield* provider.cancel({ username: "mp3hoarder", id: r.transferId })
      const [t] = yield* sim.control.transfers
      expect([t?.state, t?.removed]).toEqual(["Completed, Succeeded", true])
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("cancel on slskd before 0.24.2: remove=false first (no 500), remove once it is Cancelled", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      yield* sim.control.setRemoveStyle("0.24.1")
      const r = yield* provider.download({ username: "mp3hoarder", filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) })
      yield* advance("1 second")
      yield* withTime(provider.cancel({ username: "mp3hoarder", id: r.transferId }), { step: "50 millis" })
      const [t] = yield* sim.control.transfers
      expect([t?.state, t?.removed]).toEqual(["Completed, Cancelled", true])
      expect((yield* sim.control.requests).filter((q) => q.method === "DELETE").map((q) => q.status)).toEqual([204, 204])
    }).pipe(Effect.provide(slskdTestLayer({ timings: { cancelDelayMs: 300 } }))))

  it.effect("lookup finds a removed record by id; forget removes a finished one from the listing", () =>
    Effect.gen(function*() {
      const provider = yield* DownloadProvider
      const r = yield* provider.download({ username: "mp3hoarder", filename: DAVE_KARMA, size: yield* sizeOf("mp3hoarder", DAVE_KARMA) })
      yield* advance("60 seconds", "1 second")
      yield* provider.forget({ username: "mp3hoarder", id: r.transferId })
      expect((yield* provider.getStatus).byId.size).toBe(0)
      const found = yield* provider.lookup({ username: "mp3hoarder", id: r.transferId })
      expect(found._tag === "Some" ? found.value.state : []).toEqual(["Completed", "Succeeded"])
      expect((yield* provider.lookup({ username: "mp3hoarder", id: "00000000-0000-4000-8000-0000000000ff" }))._tag).toBe("None")
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("a peer that cannot be connected to is the candidate's failure (Rejected), with slskd's message", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      yield* sim.control.setPeerReachable("mp3hoarder", false)
      const e = yield* Effect.flip(provider.download({ username: "mp3hoarder", filename: DAVE_KARMA, size: 1 }))
      expect(e.reason).toBe("Rejected")
      expect(e.message).toContain("Failed to connect to user mp3hoarder")
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("health: reachable, logged in, version; never fails", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const provider = yield* DownloadProvider
      const settings = yield* Settings
      expect(yield* provider.health).toEqual({ reachable: true, loggedIn: true, version: "0.26.0" })
      yield* sim.control.setLoggedIn(false)
      expect(yield* provider.health).toEqual({ reachable: true, loggedIn: false, version: "0.26.0" })
      yield* sim.control.setLoggedIn(true)
      // /application broken: fall back to /server and /application/version
      yield* sim.control.malformedNext(1, { path: "/application" })
      expect(yield* provider.health).toEqual({ reachable: true, loggedIn: true, version: "0.26.0.0" })
      yield* sim.control.failNext(1, 500, { path: "/application" })
      expect((yield* provider.health).reachable).toBe(true)
      yield* settings.update({ "slskd.api_key": "wrong-key-1234567890" })
      expect(yield* provider.health).toEqual({ reachable: true, loggedIn: null, version: null })
      yield* settings.update({ "slskd.api_key": sim.apiKey! })
      yield* sim.control.setDown(true)
      expect(yield* provider.health).toEqual({ reachable: false, loggedIn: null, version: null })
      yield* sim.control.setDown(false)
      yield* sim.control.setLatency(60_000)
      expect(yield* withTime(provider.health, { step: "1 second" })).toEqual({ reachable: false, loggedIn: null, version: null })
    }).pipe(Effect.provide(slskdTestLayer())))
})

describe("end to end", () => {
  it.effect("search → pick a file → download → getStatus until Completed, Succeeded", () =>
    Effect.gen(function*() {
      const provider = yield* DownloadProvider
      yield* useSearchTimeout("2 seconds")
      const responses = yield* withTime(provider.search("get lucky random access memories"))
      const peer = responses.find((r) => r.username === "flacfiend")!
      const file = peer.files.find((f) => f.filename.endsWith(".flac"))!
      expect(file.filename).toBe("@@kxqpz\\Music\\Daft Punk\\2013 - Random Access Memories\\08 - Get Lucky.flac")
      const { transferId, adopted } = yield* provider.download({ username: peer.username, filename: file.filename, size: file.size })
      expect(adopted).toBe(false)
      const seen = new Set<string>()
      const done = yield* withTime(Effect.gen(function*() {
        while (true) {
          const s = (yield* provider.getStatus).byId.get(transferId)!
          seen.add(s.state.join(", "))
          if (s.state.includes("Completed")) return s
          yield* Effect.sleep("250 millis")
        }
      }), { step: "250 millis" })
      expect(done.state).toEqual(["Completed", "Succeeded"])
      expect(done.bytesTransferred).toBe(file.size)
      expect(done.percentComplete).toBe(100)
      expect(done.remainingSeconds).toBe(0)
      expect(done.endedAt).not.toBeNull()
      expect(seen).toContain("InProgress")
      expect(seen).toContain("Queued, Remotely")
    }).pipe(Effect.provide(slskdTestLayer())))
})
