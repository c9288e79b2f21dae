/**
 * The delivery worker against a recording receiver on 127.0.0.1, on real SQLite and the test
 * clock: payloads and signatures, auth headers per target type, retries as a 429 asks, giving
 * up with the error kept, a restart that delivers what is left exactly once, and a hanging
 * target that holds up nobody else.
 */
import { FetchHttpClient } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option, Redacted, TestClock } from "effect"
import { createHmac } from "node:crypto"
import { envWebhookTarget, NotificationDelivery } from "../../../src/application/notifications/delivery.js"
import { MediaScansLive } from "../../../src/application/notifications/scans.js"
import type { NotificationTarget } from "../../../src/domain/notifications/targets.js"
import { Settings } from "../../../src/domain/ports/Settings.js"
import { type DeliverySummary, NotificationStore } from "../../../src/infrastructure/persistence/notification-repository.js"
import { PersistenceTest, tempDbFile } from "../../support/db.js"
import { makeReceiver, type Receiver, untilReceived } from "../../support/receiver.js"

const realPause = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/** The worker (without its loop: the test ticks) on the given database file: a second call on the same file is a restart. */
const worker = (db: string) =>
  NotificationDelivery.Default.pipe(Layer.provideMerge(MediaScansLive), Layer.provide(FetchHttpClient.layer), Layer.provideMerge(PersistenceTest(db)))

const FAILED = {
  download: { id: "d1", status: "FAILED", username: "peer", track: { title: "Song", artist: "Band", album: "Record" } },
  reason: "no peer has it"
}

const addFailed = (n = 1) => Effect.gen(function*() {
  const store = yield* NotificationStore
  for (let i = 0; i < n; i++) {
    yield* store.addEvent("download.failed", { ...FAILED, download: { ...FAILED.download, id: `d${i + 1}` } }, new Date(1000 + i).toISOString())
  }
})

/** Real time until the target's deliveries look as asked (the attempt runs in a fiber of its own). */
const untilSummary = (id: string, ok: (s: DeliverySummary) => boolean) => Effect.gen(function*() {
  const store = yield* NotificationStore
  const started = Date.now()
  while (true) {
    const s = (yield* store.summaries).get(id)
    if (s !== undefined && ok(s)) return s
    if (Date.now() - started > 5000) return yield* Effect.dieMessage(`deliveries of ${id} never reached the state: ${JSON.stringify(s)}`)
    yield* realPause(5)
  }
})

const targets = (...ts: ReadonlyArray<NotificationTarget>) => Effect.flatMap(NotificationStore, (s) => s.replaceTargets(ts))
const tick = Effect.flatMap(NotificationDelivery, (d) => d.tick)
const bodies = (r: Receiver) => r.received.map((x) => JSON.parse(x.body) as Record<string, any>)

describe("notification delivery", () => {
  it.effect("a webhook gets the versioned JSON, signed with the secret, with its own headers and a delivery id", () =>
    Effect.gen(function*() {
      const r = yield* makeReceiver
      const [id] = yield* targets({ type: "webhook", url: `${r.url}/hook`, secret: "s3cret", headers: { "X-Custom": "yes", "Content-Type": "text/plain", "X-SoulSpot-Signature": "forged" }, enabled: true })
      yield* addFailed()
      yield* tick
      yield* untilReceived(r, 1)
      const got = r.received[0]!
      expect(got).toMatchObject({ method: "POST", path: "/hook" })
      expect(got.headers["content-type"]).toContain("application/json")
      expect(got.headers["x-custom"]).toBe("yes")
      const expected = `sha256=${createHmac("sha256", "s3cret").update(got.body).digest("hex")}`
      expect(got.headers["x-soulspot-signature"]).toBe(expected)
      expect(got.headers["x-soulspot-delivery"]).toMatch(/^[0-9a-f]{32}$/)
      const body = JSON.parse(got.body) as Record<string, any>
      expect(body).toMatchObject({
        version: 1, event: "download.failed", at: new Date(1000).toISOString(), reason: "no peer has it",
        title: "Failed: Band – Song (Record)", download: { id: "d1", status: "FAILED", track: { title: "Song" } }
      })
      expect(body.id).toMatch(/^[0-9a-f]{32}$/)
      yield* untilSummary(id!, (s) => s.delivered === 1 && s.pending === 0)
    }).pipe(Effect.scoped, Effect.provide(worker(tempDbFile()))))

  it.effect("without a secret there is no signature header", () =>
    Effect.gen(function*() {
      const r = yield* makeReceiver
      yield* targets({ type: "webhook", url: r.url, enabled: true })
      yield* addFailed()
      yield* tick
      yield* untilReceived(r, 1)
      expect(r.received[0]!.headers["x-soulspot-signature"]).toBeUndefined()
    }).pipe(Effect.scoped, Effect.provide(worker(tempDbFile()))))

  it.effect("each target type is sent its own request with its own credentials", () =>
    Effect.gen(function*() {
      const r = yield* makeReceiver
      yield* targets(
        { type: "ntfy", url: `${r.url}/alerts`, token: "tk_ntfy", priority: 4, enabled: true },
        { type: "gotify", url: `${r.url}/gotify/`, token: "gotify-app-token", enabled: true },
        { type: "discord", url: `${r.url}/api/webhooks/1/secret`, enabled: true },
        { type: "apprise", url: `${r.url}/notify`, urls: "tgram://bot/chat", enabled: true }
      )
      yield* addFailed()
      yield* tick
      yield* untilReceived(r, 4)
      const by = (path: string) => r.received.find((x) => x.path === path)!
      expect(by("/").headers.authorization).toBe("Bearer tk_ntfy")
      expect(JSON.parse(by("/").body)).toMatchObject({ topic: "alerts", title: "Failed: Band – Song (Record)", priority: 4 })
      expect(by("/gotify/message").headers["x-gotify-key"]).toBe("gotify-app-token")
      expect(JSON.parse(by("/api/webhooks/1/secret?wait=true").body).embeds[0].title).toBe("Failed: Band – Song (Record)")
      expect(JSON.parse(by("/notify").body)).toMatchObject({ urls: "tgram://bot/chat", type: "failure" })
      // one delivery id per target, never shared
      expect(new Set(r.received.map((x) => x.headers["x-soulspot-delivery"])).size).toBe(4)
    }).pipe(Effect.scoped, Effect.provide(worker(tempDbFile()))))

  it.effect("a 429 with Retry-After waits as long as asked, then delivers with the same delivery id", () =>
    Effect.gen(function*() {
      const r = yield* makeReceiver
      r.answer({ status: 429, retryAfter: "120" })
      const [id] = yield* targets({ type: "webhook", url: r.url, enabled: true })
      yield* addFailed()
      yield* tick
      yield* untilReceived(r, 1)
      yield* untilSummary(id!, (s) => s.pending === 1 && s.lastError !== null)
      const store = yield* NotificationStore
      expect((yield* store.summaries).get(id!)!.lastError).toMatchObject({ event: "download.failed", gaveUp: false })
      expect((yield* store.summaries).get(id!)!.lastError!.message).toContain("429")
      yield* TestClock.adjust("119 seconds")
      yield* tick
      yield* realPause(50)
      expect(r.received).toHaveLength(1)
      yield* TestClock.adjust("1 second")
      yield* tick
      yield* untilReceived(r, 2)
      yield* untilSummary(id!, (s) => s.delivered === 1)
      expect(r.received[1]!.headers["x-soulspot-delivery"]).toBe(r.received[0]!.headers["x-soulspot-delivery"])
      expect(bodies(r)[1]!.id).toBe(bodies(r)[0]!.id)
    }).pipe(Effect.scoped, Effect.provide(worker(tempDbFile()))))

  it.effect("a target resting after a 429 still rests after a restart; the success that ends the rest clears it", () =>
    Effect.gen(function*() {
      const r = yield* makeReceiver
      const db = tempDbFile()
      const ids = () => r.received.map((x) => x.headers["x-soulspot-delivery"])
      r.answer({ status: 429, retryAfter: "120" })
      // first run: two messages; the first is answered 429 Retry-After 120, the second waits behind it
      const id = yield* Effect.gen(function*() {
        const [id] = yield* targets({ type: "webhook", url: r.url, enabled: true })
        yield* addFailed(2)
        yield* tick
        yield* untilReceived(r, 1)
        yield* untilSummary(id!, (s) => s.pending === 2 && s.lastError !== null)
        return id!
      }).pipe(Effect.provide(worker(db)))
      // restarted 10 s later: neither message goes out before the 120 s are up
      yield* TestClock.adjust("10 seconds")
      yield* Effect.gen(function*() {
        yield* tick
        yield* realPause(50)
        yield* TestClock.adjust("109 seconds")
        yield* tick
        yield* realPause(50)
        expect(r.received).toHaveLength(1)
        yield* TestClock.adjust("1 second")
        yield* tick
        yield* untilReceived(r, 3)
        yield* untilSummary(id, (s) => s.delivered === 2 && s.pending === 0)
      }).pipe(Effect.provide(worker(db)))
      expect(bodies(r).map((b) => b.download.id)).toEqual(["d1", "d1", "d2"])
      expect(ids()[1]).toBe(ids()[0])
      // after the success the target is not resting, in this run or the next
      yield* Effect.gen(function*() {
        yield* addFailed(1)
        yield* tick
        yield* untilReceived(r, 4)
      }).pipe(Effect.provide(worker(db)))
      expect(new Set(ids()).size).toBe(3)
    }).pipe(Effect.scoped))

  it.effect("a target that keeps failing is given up after the give-up time, the error kept; a 401 at once", () =>
    Effect.gen(function*() {
      const failing = yield* makeReceiver
      const refusing = yield* makeReceiver
      failing.fallback({ status: 500, body: "{\"error\":\"boom\"}" })
      refusing.fallback({ status: 401 })
      yield* Effect.flatMap(Settings, (s) => s.update({ "notifications.give_up_after": "10 minutes" }))
      const [a, b] = yield* targets({ type: "webhook", url: failing.url, enabled: true }, { type: "gotify", url: refusing.url, token: "wrong", enabled: true })
      yield* addFailed()
      for (let i = 0; i < 60; i++) {
        yield* tick
        yield* realPause(20)
        const s = (yield* Effect.flatMap(NotificationStore, (st) => st.summaries)).get(a!)
        if (s?.gaveUp === 1) break
        yield* TestClock.adjust("30 seconds")
      }
      const summaries = yield* Effect.flatMap(NotificationStore, (st) => st.summaries)
      expect(summaries.get(a!)).toMatchObject({ gaveUp: 1, pending: 0, delivered: 0 })
      expect(summaries.get(a!)!.lastError).toMatchObject({ event: "download.failed", gaveUp: true })
      expect(summaries.get(a!)!.lastError!.message).toMatch(/HTTP 500.*boom.*gave up/)
      // doubling waits from 15 s (jittered): a handful of tries in 10 minutes, not one per tick
      expect(failing.received.length).toBeGreaterThanOrEqual(3)
      expect(failing.received.length).toBeLessThanOrEqual(7)
      expect(refusing.received).toHaveLength(1)
      expect(summaries.get(b!)!.lastError!.message).toMatch(/HTTP 401 \(check the token/)
    }).pipe(Effect.scoped, Effect.provide(worker(tempDbFile()))))

  it.effect("after a restart, undelivered messages are delivered, each exactly once", () =>
    Effect.gen(function*() {
      const r = yield* makeReceiver
      const db = tempDbFile()
      // first run: three events; the first is delivered, the second answered 500, then the process stops
      r.answer({ status: 204 }, { status: 500 })
      yield* Effect.gen(function*() {
        const [id] = yield* targets({ type: "webhook", url: r.url, enabled: true })
        yield* addFailed(3)
        yield* tick
        yield* untilReceived(r, 2)
        yield* untilSummary(id!, (s) => s.delivered === 1 && s.pending === 2 && s.lastError !== null)
      }).pipe(Effect.provide(worker(db)))
      // second run on the same file, once the retry is due
      yield* TestClock.adjust("1 hour")
      yield* Effect.gen(function*() {
        const [id] = (yield* Effect.flatMap(NotificationStore, (s) => s.listTargets)).map((t) => t.id)
        yield* tick
        yield* untilReceived(r, 4)
        yield* untilSummary(id!, (s) => s.delivered === 3 && s.pending === 0)
        yield* TestClock.adjust("1 hour")
        yield* tick
        yield* realPause(50)
      }).pipe(Effect.provide(worker(db)))
      const answered = r.received.filter((_, i) => i !== 1) // the one that got the 500
      expect(answered.map((x) => (JSON.parse(x.body) as { download: { id: string } }).download.id)).toEqual(["d1", "d2", "d3"])
      expect(r.received).toHaveLength(4)
      expect(new Set(answered.map((x) => x.headers["x-soulspot-delivery"])).size).toBe(3)
    }).pipe(Effect.scoped))

  it.effect("a hanging target holds up only itself: the others get every message meanwhile", () =>
    Effect.gen(function*() {
      const hanging = yield* makeReceiver
      const fine = yield* makeReceiver
      hanging.fallback({ hang: true })
      yield* targets({ type: "webhook", url: hanging.url, enabled: true }, { type: "ntfy", url: `${fine.url}/topic`, enabled: true })
      yield* addFailed()
      yield* tick
      yield* untilReceived(fine, 1)
      yield* untilReceived(hanging, 1)
      yield* addFailed(1)
      yield* tick
      yield* untilReceived(fine, 2)
      expect(hanging.received).toHaveLength(1)
    }).pipe(Effect.scoped, Effect.provide(worker(tempDbFile()))))

  it.effect("download.imported asks the media servers to rescan once, after the burst of 20 imports", () =>
    Effect.gen(function*() {
      const jf = yield* makeReceiver
      const hook = yield* makeReceiver
      yield* targets({ type: "jellyfin", url: jf.url, token: "jf-token", enabled: true }, { type: "webhook", url: hook.url, enabled: true })
      const store = yield* NotificationStore
      for (let i = 1; i <= 20; i++) {
        yield* store.addEvent("download.imported", { download: { id: `d${i}`, import: { path: `/music/Band/Record/${i}.flac` } } }, new Date(i).toISOString())
        yield* tick
        yield* TestClock.adjust("2 seconds")
      }
      yield* untilReceived(hook, 20)
      expect(jf.received).toHaveLength(0)
      yield* TestClock.adjust("60 seconds")
      yield* untilReceived(jf, 1)
      yield* realPause(50)
      expect(jf.received).toHaveLength(1)
      expect(jf.received[0]!.path).toBe("/Library/Refresh")
    }).pipe(Effect.scoped, Effect.provide(worker(tempDbFile()))))

  it.effect("delivered messages are dropped after 30 days; album.completed is kept so an album is never announced twice", () =>
    Effect.gen(function*() {
      const r = yield* makeReceiver
      const [id] = yield* targets({ type: "webhook", url: r.url, enabled: true })
      const sql = yield* SqlClient.SqlClient
      yield* addFailed()
      yield* sql`INSERT INTO notification_outbox (type, payload, dedupe, created_at) VALUES ('album.completed', '{}', 'album.completed:a1', ${new Date(2000).toISOString()})`
      yield* tick
      yield* untilSummary(id!, (s) => s.delivered === 2)
      yield* TestClock.adjust("29 days")
      yield* tick
      expect((yield* sql<{ n: number }>`SELECT count(*) AS n FROM notification_outbox`)[0]!.n).toBe(2)
      yield* TestClock.adjust("2 days")
      yield* tick
      expect(yield* sql<{ type: string }>`SELECT type FROM notification_outbox`).toEqual([{ type: "album.completed" }])
    }).pipe(Effect.scoped, Effect.provide(worker(tempDbFile()))))

  it.effect("SOULSPOT_WEBHOOK_URL is written as the env target, replaced when it changes, removed when unset or not a URL", () =>
    Effect.gen(function*() {
      const delivery = yield* NotificationDelivery
      const store = yield* NotificationStore
      const withEnv = (env: Record<string, string>) =>
        delivery.configureEnvTarget.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
      yield* withEnv({ SOULSPOT_WEBHOOK_URL: "http://hooks.example/a", SOULSPOT_WEBHOOK_SECRET: "s" })
      expect((yield* store.listTargets).map((t) => [t.origin, t.target])).toEqual([["env", expect.objectContaining({ url: "http://hooks.example/a", secret: "s" })]])
      yield* withEnv({ SOULSPOT_WEBHOOK_URL: "http://hooks.example/b" })
      expect((yield* store.listTargets).map((t) => (t.target as { url: string; secret?: string }))).toEqual([expect.objectContaining({ url: "http://hooks.example/b" })])
      expect((yield* store.listTargets)[0]!.target).not.toHaveProperty("secret")
      yield* withEnv({ SOULSPOT_WEBHOOK_URL: "hooks.example/c" })
      expect(yield* store.listTargets).toEqual([])
      yield* withEnv({ SOULSPOT_WEBHOOK_URL: "http://hooks.example/a" })
      yield* withEnv({})
      expect(yield* store.listTargets).toEqual([])
    }).pipe(Effect.provide(worker(tempDbFile()))))

  it.effect("SOULSPOT_WEBHOOK_URL becomes a webhook target for every event, its secret kept redacted elsewhere", () =>
    Effect.sync(() => {
      expect(envWebhookTarget(Option.none(), Option.none())).toEqual(Option.none())
      expect(envWebhookTarget(Option.some(""), Option.none())).toEqual(Option.none())
      expect(Option.getOrThrow(envWebhookTarget(Option.some("http://hooks/x"), Option.some(Redacted.make("k"))))).toMatchObject({
        type: "webhook", url: "http://hooks/x", secret: "k", enabled: true
      })
    }))
})
