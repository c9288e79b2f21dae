/**
 * Every error class of the client, produced by the real simulator over real HTTP.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { Settings } from "../../../src/domain/ports/Settings.js"
import { decodeBody, SlskdClient } from "../../../src/infrastructure/slskd/client.js"
import { Transfer } from "../../../src/infrastructure/slskd/schema.js"
import { SlskdSimulator, slskdTestLayer, withTime } from "../../support/simulator.js"

const failure = Effect.flip

describe("slskd client errors", () => {
  it.effect("connection refused → Unreachable; back up → works again", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const client = yield* SlskdClient
      expect(yield* client.listDownloads).toEqual([])
      yield* sim.control.setDown(true)
      const e = yield* failure(client.listDownloads)
      expect(e.reason).toBe("Unreachable")
      expect(e.status).toBeUndefined()
      yield* sim.control.setDown(false)
      expect(yield* client.listDownloads).toEqual([])
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("wrong API key → Unauthorized telling to check the key; settings changes apply without restart", () =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      const settings = yield* Settings
      yield* settings.update({ "slskd.api_key": "definitely-not-the-key" })
      const e = yield* failure(client.listDownloads)
      expect(e.reason).toBe("Unauthorized")
      expect(e.status).toBe(401)
      expect(e.message).toContain("check the slskd API key")
      yield* settings.update({ "slskd.api_key": "" }) // no key at all
      expect((yield* failure(client.server)).reason).toBe("Unauthorized")
      const sim = yield* SlskdSimulator
      yield* settings.update({ "slskd.api_key": sim.apiKey! })
      expect(yield* client.listDownloads).toEqual([])
      // another URL (nothing listens on port 9 of loopback) → Unreachable; back, with the key (the move cleared it) → fine
      yield* settings.update({ "slskd.url": "http://127.0.0.1:9" })
      expect((yield* failure(client.listDownloads)).reason).toBe("Unreachable")
      yield* settings.update({ "slskd.url": sim.url, "slskd.api_key": sim.apiKey! })
      expect(yield* client.listDownloads).toEqual([])
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("not logged in: search POST 409 → NotLoggedIn; enqueue 500 → NotLoggedIn", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const client = yield* SlskdClient
      yield* sim.control.setLoggedIn(false)
      const search = yield* failure(client.startSearch({ id: "00000000-0000-4000-8000-000000000001", searchText: "dreams", searchTimeout: 5000 }))
      expect(search.reason).toBe("NotLoggedIn")
      expect(search.status).toBe(409)
      expect(search.message).toContain("currently: Disconnected")
      const enqueue = yield* failure(client.enqueue("mp3hoarder", [{ filename: "x", size: 1 }]))
      expect(enqueue.reason).toBe("NotLoggedIn")
      expect(enqueue.status).toBe(500)
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("429 → RateLimited with a back-off; the next call is answered normally", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const client = yield* SlskdClient
      yield* sim.control.failNext(1, 429)
      const e = yield* failure(client.startSearch({ id: "00000000-0000-4000-8000-000000000001", searchText: "dreams", searchTimeout: 5000 }))
      expect(e.reason).toBe("RateLimited")
      expect(e.retryAfterMillis).toBe(2000)
      expect(e.message).toContain("Only one concurrent operation is permitted")
      expect((yield* client.listDownloads)).toEqual([])
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("5xx → Upstream with its status", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const client = yield* SlskdClient
      yield* sim.control.failNext(2, 503)
      const a = yield* failure(client.listDownloads)
      const b = yield* failure(client.userDownloads("x"))
      expect([a.reason, a.status, b.reason, b.status]).toEqual(["Upstream", 503, "Upstream", 503])
      expect(a.message).toContain("Simulated failure")
      expect(yield* client.listDownloads).toEqual([])
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("broken JSON or a wrong shape → Malformed", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const client = yield* SlskdClient
      yield* sim.control.malformedNext(1)
      const e = yield* failure(client.listDownloads)
      expect(e.reason).toBe("Malformed")
      expect(e.message).toContain("not JSON")
      const shape = yield* failure(decodeBody(Transfer, { status: 200, body: "{\"id\": 5}", retryAfter: undefined }, "GET /x"))
      expect(shape.reason).toBe("Malformed")
      const flags = yield* failure(decodeBody(Transfer, {
        status: 200, retryAfter: undefined,
        body: JSON.stringify({ id: "a", username: "u", filename: "f", size: 1, state: "InProgress", requestedAt: "not a date" })
      }, "GET /x"))
      expect(flags.reason).toBe("Malformed")
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("a hung slskd → Timeout after 10 s (TestClock)", () =>
    Effect.gen(function*() {
      const sim = yield* SlskdSimulator
      const client = yield* SlskdClient
      yield* sim.control.setLatency(60_000)
      const exit = yield* withTime(Effect.exit(client.listDownloads), { step: "500 millis", limit: "30 seconds" })
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        expect(exit.cause.error.reason).toBe("Timeout")
        expect(exit.cause.error.message).toContain("10s")
      } else {
        expect.fail("expected a Timeout failure")
      }
      yield* sim.control.setLatency(0)
      expect(yield* client.listDownloads).toEqual([])
    }).pipe(Effect.provide(slskdTestLayer())))

  it.effect("the 0.23 enqueue reply (201, empty body) is read as Legacy", () =>
    Effect.gen(function*() {
      const client = yield* SlskdClient
      const reply = yield* client.enqueue("mp3hoarder", [{ filename: "C:\\Users\\Dave\\Music\\Nirvana\\Nevermind\\03 Come as You Are.mp3", size: 5 }])
      expect(reply).toEqual({ _tag: "Legacy" })
      expect(yield* client.userDownloads("mp3hoarder")).toHaveLength(1)
    }).pipe(Effect.provide(slskdTestLayer({ enqueueStyle: "0.23" }))))
})
