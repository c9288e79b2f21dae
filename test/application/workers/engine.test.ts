import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Queue } from "effect"
import { Events } from "../../../src/application/events.js"
import { makeSimulator } from "../../../src/dev/slskd-simulator/index.js"
import { DownloadRepository } from "../../../src/domain/ports/DownloadRepository.js"
import { CircuitBreaker } from "../../../src/infrastructure/slskd/circuit-breaker.js"
import { tempDbFile } from "../../support/db.js"
import { allIn, engineLayer, statusOf, waitUntil } from "../../support/engine.js"
import { advance } from "../../support/simulator.js"

const KARMA = { title: "Karma Police", artist: "Radiohead", album: "OK Computer", durationMs: 261_000 }
const FLACFIEND_KARMA = "@@kxqpz\\Music\\Radiohead\\1997 - OK Computer [FLAC]\\06 - Karma Police.flac"

const queue = (track: typeof KARMA | { title: string; artist: string }, profile = "balanced") =>
  Effect.flatMap(DownloadRepository, (r) => r.queue({ track, priority: 0, qualityProfile: profile })).pipe(Effect.map((q) => q.download.id))

describe("engine against the slskd simulator", () => {
  it.effect("a request goes WAITING → PENDING → QUEUED → DOWNLOADING → COMPLETED, one enqueue", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* Effect.gen(function*() {
        // every committed change is an event: the full path is visible there, however fast it went
        const sub = yield* Effect.flatMap(Events, (e) => e.subscribe)
        const id = yield* queue(KARMA)
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "COMPLETED"))
        const statuses = [...yield* Queue.takeAll(sub)].flatMap((e) =>
          e.event._tag === "DownloadChanged" && e.event.download.id === id ? [e.event.download.status] : [])
        const d = (yield* statusOf(id))!
        expect(statuses.filter((s, i) => s !== statuses[i - 1])).toEqual(["WAITING", "PENDING", "QUEUED", "DOWNLOADING", "COMPLETED"])
        expect(d).toMatchObject({ username: expect.any(String), filename: expect.stringContaining("Karma Police"), error: null, attempts: 0 })
        expect(d.bytesTransferred).toBe(d.size)
        expect(yield* sim.control.enqueueCount(d.username!, d.filename!)).toBe(1)
        const candidates = yield* Effect.flatMap(DownloadRepository, (r) => r.candidates(id))
        expect(candidates[0]).toMatchObject({ rank: 1, accepted: true, username: d.username, filename: d.filename })
        expect(candidates.some((c) => !c.accepted && c.reasons.some((r) => r.startsWith("rejected")))).toBe(true)
      }).pipe(Effect.scoped, Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  it.effect("a rejected transfer is retried on the next candidate from another user", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* sim.control.setOutcome("flacfiend", FLACFIEND_KARMA, "reject")
      yield* Effect.gen(function*() {
        const id = yield* queue(KARMA)
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "COMPLETED"))
        const d = (yield* statusOf(id))!
        expect(d.username).not.toBe("flacfiend")
        expect(d.attempts).toBe(1)
        const candidates = yield* Effect.flatMap(DownloadRepository, (r) => r.candidates(id))
        const first = candidates.find((c) => c.username === "flacfiend" && c.filename === FLACFIEND_KARMA)
        expect(first?.outcome).toMatch(/^failed: .*rejected/i)
        expect(yield* sim.control.searchCount).toBe(1) // the retry reused the stored candidates
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  it.effect("a transfer that stops moving is cancelled in slskd and retried elsewhere", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* sim.control.setOutcome("flacfiend", FLACFIEND_KARMA, "stall-progress")
      yield* Effect.gen(function*() {
        const id = yield* queue(KARMA)
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "COMPLETED"))
        const d = (yield* statusOf(id))!
        expect(d.username).not.toBe("flacfiend")
        const stalled = (yield* sim.control.transfers).find((t) => t.username === "flacfiend")
        expect(stalled?.state).toBe("Completed, Cancelled")
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  it.effect("an slskd outage mid-download fails nothing, opens the breaker, and everything completes after", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator({ timings: { speedFactor: 0.5 } })
      yield* Effect.gen(function*() {
        const ids = [
          yield* queue(KARMA),
          yield* queue({ title: "Teardrop", artist: "Massive Attack" }),
          yield* queue({ title: "Get Lucky", artist: "Daft Punk" })
        ]
        yield* waitUntil(allIn(ids, ["QUEUED", "DOWNLOADING"]), { step: "100 millis" })
        yield* sim.control.setDown(true)
        const breaker = yield* CircuitBreaker
        yield* waitUntil(Effect.map(breaker.snapshot, (s) => s.state === "OPEN"))
        // three minutes of outage: rows wait, none fails, the breaker stays open or probing
        for (let i = 0; i < 12; i++) {
          yield* advance("15 seconds", "250 millis")
          for (const id of ids) expect((yield* statusOf(id))?.status).not.toBe("FAILED")
        }
        yield* sim.control.setDown(false)
        yield* waitUntil(allIn(ids, ["COMPLETED"]), { limit: "30 minutes", step: "1 second" })
        expect((yield* breaker.snapshot).state).toBe("CLOSED")
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped), 120_000) // a slow peer may get Teardrop: up to 16 minutes of test time

  it.effect("429 on searches: the dispatcher backs off and gets there", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* sim.control.failNext(2, 429, { method: "POST", path: "/searches" })
      yield* Effect.gen(function*() {
        const id = yield* queue(KARMA)
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "WAITING" && (d.error ?? "").includes("slskd")))
        const paused = (yield* statusOf(id))!
        expect(paused.attempts).toBe(0) // an answer of "too many" costs no attempt
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "COMPLETED"))
        const posts = (yield* sim.control.requests).filter((r) => r.method === "POST" && r.path === "/searches")
        expect(posts.length).toBeGreaterThanOrEqual(3)
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  it.effect("nothing acceptable: retries with backoff, then FAILED with the reasons", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* Effect.gen(function*() {
        const id = yield* queue({ title: "Song That Nobody Shares", artist: "Obscure Band" })
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "FAILED"), { limit: "1 hour", step: "2 seconds" })
        const d = (yield* statusOf(id))!
        expect(d.attempts).toBe(5)
        expect(d.error).toMatch(/^no acceptable file found/)
        expect(yield* sim.control.enqueueCount("flacfiend", FLACFIEND_KARMA)).toBe(0)
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  describe("crash safety: stop at a step boundary, restart on the same file", () => {
    const crashAt = (boundary: "after-search" | "after-enqueue" | "mid-transfer") =>
      Effect.gen(function*() {
        const sim = yield* makeSimulator()
        const file = tempDbFile()
        let crashed = false
        const ids = yield* Effect.scoped(Effect.gen(function*() {
          const ctx = yield* Layer.build(engineLayer(file, sim, {
            // "after-enqueue": slskd accepted, then the process dies before the id is stored
            wrapProvider: (p) => boundary !== "after-enqueue" ? p : {
              ...p,
              download: (r) => Effect.flatMap(p.download(r), () => {
                crashed = true
                return Effect.never
              })
            }
          }))
          const a = yield* Effect.provide(queue(KARMA), ctx)
          const b = yield* Effect.provide(queue({ title: "Teardrop", artist: "Massive Attack" }), ctx)
          const reached = boundary === "after-search" ? allIn([a, b], ["PENDING", "QUEUED", "DOWNLOADING"])
            : boundary === "after-enqueue" ? Effect.sync(() => crashed)
            : allIn([a, b], ["DOWNLOADING"])
          yield* Effect.provide(waitUntil(reached, { step: "100 millis" }), ctx)
          return [a, b]
        })) // scope closes: the process is gone
        yield* Effect.gen(function*() {
          yield* waitUntil(allIn(ids, ["COMPLETED"]), { limit: "30 minutes", step: "1 second" })
          for (const id of ids) {
            const d = (yield* statusOf(id))!
            expect(yield* sim.control.enqueueCount(d.username!, d.filename!)).toBe(1)
          }
          const all = yield* sim.control.transfers
          expect(all.length).toBe(2) // no record beyond the two enqueues (finished ones are removed from the listing)
        }).pipe(Effect.provide(engineLayer(file, sim)))
        return Option.some(boundary)
      }).pipe(Effect.scoped)

    it.effect("after the search", () => Effect.asVoid(crashAt("after-search")))
    it.effect("after slskd accepted the enqueue, before the id was stored", () => Effect.asVoid(crashAt("after-enqueue")))
    it.effect("mid-transfer", () => Effect.asVoid(crashAt("mid-transfer")))
  })
})
