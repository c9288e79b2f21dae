import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Metric, TestClock } from "effect"
import { MediaScansLive } from "../../../src/application/notifications/scans.js"
import { type MediaServer, MediaScans } from "../../../src/domain/ports/MediaScans.js"
import { Settings } from "../../../src/domain/ports/Settings.js"
import { mediaScans } from "../../../src/metrics.js"
import { NotificationStore } from "../../../src/infrastructure/persistence/notification-repository.js"
import { PersistenceTest, tempDbFile } from "../../support/db.js"
import { makeReceiver, type Receiver, untilReceived } from "../../support/receiver.js"

const realPause = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

const SUBSONIC_OK = { status: 200, body: JSON.stringify({ "subsonic-response": { status: "ok", version: "1.16.1" } }) }

const navidrome = (r: Receiver): MediaServer => ({ id: "nd", target: { type: "navidrome", url: r.url, username: "u", password: "p", enabled: true } })
const jellyfin = (r: Receiver): MediaServer => ({ id: "jf", target: { type: "jellyfin", url: r.url, token: "t", enabled: true } })
const lidarr = (r: Receiver): MediaServer => ({ id: "li", target: { type: "lidarr", url: r.url, api_key: "k", enabled: true } })

/** The batcher on real SQLite settings, two receivers standing in for two media servers. */
const withScans = <A, E>(f: (scans: MediaScans["Type"], a: Receiver, b: Receiver) => Effect.Effect<A, E, Settings>) =>
  Effect.scoped(Effect.gen(function*() {
    const a = yield* makeReceiver
    const b = yield* makeReceiver
    a.fallback(SUBSONIC_OK)
    const scans = yield* MediaScans
    return yield* f(scans, a, b)
  })).pipe(Effect.provide(MediaScansLive.pipe(Layer.provideMerge(Layer.merge(FetchHttpClient.layer, PersistenceTest())))))

/** Moves the test clock a second at a time, letting real I/O happen between steps, until `done`; the seconds it took. */
const advanceUntil = (done: () => boolean, maxSeconds = 600) => Effect.gen(function*() {
  for (let s = 0; s <= maxSeconds; s++) {
    if (done()) return s
    yield* TestClock.adjust("1 second")
    yield* realPause(5)
  }
  return yield* Effect.dieMessage("the condition never held")
})

const counted = (type: string, outcome: string) =>
  Effect.map(Metric.value(Metric.tagged(Metric.tagged(mediaScans, "type", type), "outcome", outcome)), (s) => s.count)

/**
 * Waits (real time) until `n` more scans of this type ended this way than at the start. The
 * test clock must stand still meanwhile: a jump while an answer is on its way would let the
 * request's timeout fire first.
 */
const untilCounted = (type: string, outcome: string, from: number, n = 1) => Effect.gen(function*() {
  const started = Date.now()
  while ((yield* counted(type, outcome)) < from + n) {
    if (Date.now() - started > 5000) return yield* Effect.dieMessage(`${type} never counted ${n} ${outcome}`)
    yield* realPause(5)
  }
})

describe("MediaScans batcher", () => {
  it.effect("20 imports within a minute: exactly one scan per media server, after the quiet delay", () =>
    withScans((scans, a, b) => Effect.gen(function*() {
      const servers = [navidrome(a), jellyfin(b)]
      const [nd0, jf0] = [yield* counted("navidrome", "ok"), yield* counted("jellyfin", "ok")]
      for (let i = 0; i < 20; i++) {
        yield* scans.imported(servers, `/music/Album ${i % 4}`)
        yield* TestClock.adjust("3 seconds")
      }
      // the last import was 3 s ago; nothing before 60 s of quiet
      yield* TestClock.adjust("56 seconds")
      yield* realPause(100)
      expect([a.received.length, b.received.length]).toEqual([0, 0])
      yield* TestClock.adjust("1 second")
      yield* untilCounted("navidrome", "ok", nd0)
      yield* untilCounted("jellyfin", "ok", jf0)
      expect(a.received[0]!.path).toMatch(/^\/rest\/startScan\?/)
      expect(b.received[0]!.path).toBe("/Library/Refresh")
      yield* TestClock.adjust("10 minutes")
      yield* realPause(100)
      expect([a.received.length, b.received.length]).toEqual([1, 1])
    })))

  it.effect("imports 2 minutes apart give two scans", () =>
    withScans((scans, a) => Effect.gen(function*() {
      const ok0 = yield* counted("navidrome", "ok")
      yield* scans.imported([navidrome(a)], "/music/A")
      yield* TestClock.adjust("1 minute")
      yield* untilCounted("navidrome", "ok", ok0)
      yield* TestClock.adjust("1 minute")
      yield* scans.imported([navidrome(a)], "/music/B")
      yield* TestClock.adjust("1 minute")
      yield* untilCounted("navidrome", "ok", ok0, 2)
      yield* TestClock.adjust("10 minutes")
      yield* realPause(50)
      expect(a.received).toHaveLength(2)
    })))

  it.effect("one scan per server carries every folder of the burst (Lidarr: one command per folder)", () =>
    withScans((scans, a) => Effect.gen(function*() {
      const ok0 = yield* counted("lidarr", "ok")
      for (const f of ["/music/A", "/music/B", "/music/A", "/music/A/CD2"]) yield* scans.imported([lidarr(a)], f)
      yield* TestClock.adjust("1 minute")
      yield* untilCounted("lidarr", "ok", ok0)
      expect(a.received.map((q) => JSON.parse(q.body).path)).toEqual(["/music/A", "/music/B"])
    })))

  it.effect("the quiet delay is the notifications.scan_delay setting", () =>
    withScans((scans, a) => Effect.gen(function*() {
      yield* Effect.flatMap(Settings, (s) => s.update({ "notifications.scan_delay": "5s" }))
      yield* scans.imported([navidrome(a)], "/music/A")
      yield* TestClock.adjust("4 seconds")
      yield* realPause(50)
      expect(a.received).toHaveLength(0)
      yield* TestClock.adjust("1 second")
      yield* untilReceived(a, 1)
    })))

  it.effect("a hanging, then failing server is retried with backoff and never holds up the other server", () =>
    withScans((scans, a, b) => Effect.gen(function*() {
      const [ok0, retried0, failed0] = [yield* counted("navidrome", "ok"), yield* counted("navidrome", "attempt_failed"), yield* counted("navidrome", "failed")]
      a.answer({ hang: true }, { status: 500 })
      yield* scans.imported([navidrome(a), jellyfin(b)], "/music/A")
      yield* TestClock.adjust("1 minute")
      yield* untilReceived(a, 1)
      // Jellyfin is scanned while Navidrome hangs
      yield* untilReceived(b, 1)
      // 10 s timeout + 10 s backoff, then 500 + 20 s backoff, then ok
      const seconds = yield* advanceUntil(() => a.received.length === 3)
      expect(seconds).toBeGreaterThanOrEqual(40)
      yield* untilCounted("navidrome", "ok", ok0)
      yield* TestClock.adjust("1 hour")
      yield* realPause(50)
      expect([a.received.length, b.received.length]).toEqual([3, 1])
      expect([(yield* counted("navidrome", "ok")) - ok0, (yield* counted("navidrome", "attempt_failed")) - retried0, (yield* counted("navidrome", "failed")) - failed0])
        .toEqual([1, 2, 0])
    })))

  it.effect("a permanent failure (401) is not retried; a server that keeps failing is given up after 4 attempts", () =>
    withScans((scans, a, b) => Effect.gen(function*() {
      const [failed0, ndFailed0, ndAttempts0] = [yield* counted("jellyfin", "failed"), yield* counted("navidrome", "failed"), yield* counted("navidrome", "attempt_failed")]
      a.fallback({ status: 500 })
      b.answer({ status: 401 })
      yield* scans.imported([{ ...navidrome(a), id: "broken" }, jellyfin(b)], "/music/A")
      yield* TestClock.adjust("1 minute")
      yield* untilReceived(b, 1)
      yield* advanceUntil(() => a.received.length === 4)
      yield* untilCounted("navidrome", "failed", ndFailed0)
      yield* TestClock.adjust("1 hour")
      yield* realPause(50)
      expect([a.received.length, b.received.length]).toEqual([4, 1])
      expect((yield* counted("jellyfin", "failed")) - failed0).toBe(1)
      expect((yield* counted("navidrome", "attempt_failed")) - ndAttempts0).toBe(4)
    })))

  it.effect("one scan at a time per server: a burst ending while the last scan still retries waits for it", () =>
    withScans((scans, a) => Effect.gen(function*() {
      const failed0 = yield* counted("lidarr", "failed")
      a.fallback({ status: 503 })
      yield* scans.imported([lidarr(a)], "/music/A")
      yield* TestClock.adjust("1 minute")
      yield* untilReceived(a, 1)
      yield* scans.imported([lidarr(a)], "/music/B")
      yield* advanceUntil(() => a.received.length === 8)
      yield* untilCounted("lidarr", "failed", failed0, 2)
      expect(a.received.map((q) => JSON.parse(q.body).path)).toEqual([...Array(4).fill("/music/A"), ...Array(4).fill("/music/B")])
    })))

  it.effect("a restart within the delay keeps the folders: one scan with all of them when due, not two, not none", () =>
    Effect.gen(function*() {
      const db = tempDbFile()
      const onDb = MediaScansLive.pipe(Layer.provideMerge(Layer.merge(FetchHttpClient.layer, PersistenceTest(db))))
      const jf = yield* makeReceiver
      const li = yield* makeReceiver
      const [ok0, liOk0] = [yield* counted("jellyfin", "ok"), yield* counted("lidarr", "ok")]
      // first run: three imports 10 s apart, then the process stops 30 s before the scan
      yield* Effect.gen(function*() {
        const ids = yield* Effect.flatMap(NotificationStore, (s) => s.replaceTargets([
          { type: "jellyfin", url: jf.url, token: "t", enabled: true }, { type: "lidarr", url: li.url, api_key: "k", enabled: true }]))
        const stored = (yield* Effect.flatMap(NotificationStore, (s) => s.listTargets)).filter((t) => ids.includes(t.id))
        const servers = stored.map((t) => ({ id: t.id, target: t.target })) as ReadonlyArray<MediaServer>
        const scans = yield* MediaScans
        for (const f of ["/music/A", "/music/B", "/music/C"]) {
          yield* scans.imported(servers, f)
          yield* TestClock.adjust("10 seconds")
        }
      }).pipe(Effect.provide(onDb))
      yield* TestClock.adjust("20 seconds")
      // second run: the scan comes when it would have (60 s after the last import), once
      yield* Effect.gen(function*() {
        yield* MediaScans
        yield* TestClock.adjust("29 seconds")
        yield* realPause(50)
        expect([jf.received.length, li.received.length]).toEqual([0, 0])
        yield* TestClock.adjust("1 second")
        yield* untilCounted("jellyfin", "ok", ok0)
        yield* untilCounted("lidarr", "ok", liOk0)
        yield* TestClock.adjust("10 minutes")
        yield* realPause(50)
      }).pipe(Effect.provide(onDb))
      expect(jf.received).toHaveLength(1)
      expect(li.received.map((q) => JSON.parse(q.body).path)).toEqual(["/music/A", "/music/B", "/music/C"])
      // a third run has nothing left to scan
      yield* Effect.gen(function*() {
        yield* MediaScans
        yield* TestClock.adjust("10 minutes")
        yield* realPause(50)
      }).pipe(Effect.provide(onDb))
      expect([jf.received.length, li.received.length]).toEqual([1, 3])
    }).pipe(Effect.scoped))

  it.effect("disabled servers are left alone", () =>
    withScans((scans, a) => Effect.gen(function*() {
      yield* scans.imported([{ id: "off", target: { ...navidrome(a).target, enabled: false } }], "/music/A")
      yield* TestClock.adjust("5 minutes")
      yield* realPause(50)
      expect(a.received).toHaveLength(0)
    })))
})
