/**
 * The notification worker: delivers the outbox. Each target is worked off in a fiber of its own
 * (oldest event first), so a slow or hanging target only ever holds itself up; every request is
 * bounded by the sender's timeout. An attempt's outcome is written at once, so a restart resumes
 * with what is still pending; a message whose answer was lost to a crash is sent again with the
 * same X-SoulSpot-Delivery id, for the receiver to drop.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Chunk, Clock, Duration, Effect, Either, FiberMap, Layer, Metric, Option, Queue, Random, Redacted, Schema } from "effect"
import { dirname } from "node:path"
import { ImportSetting, Setting, WebhookEnvConfig } from "../../config.js"
import { decideRetry } from "../../domain/notifications/delivery-rules.js"
import { type EventPayload, eventMessage } from "../../domain/notifications/messages.js"
import { isMediaServer, type MessageTarget, NotificationTarget } from "../../domain/notifications/targets.js"
import { MediaScans } from "../../domain/ports/MediaScans.js"
import { Settings } from "../../domain/ports/Settings.js"
import { sendMessage } from "../../infrastructure/notifications/senders/registry.js"
import { type DueDelivery, NotificationStore, type StoredTarget } from "../../infrastructure/persistence/notification-repository.js"
import { notificationDeliveries } from "../../metrics.js"
import { Events } from "../events.js"
import { workerLoop } from "../workers/loop.js"

/** How often due deliveries are looked for when nothing wakes the worker. */
export const DELIVERY_INTERVAL = Duration.seconds(5)
const BATCH = 20
/** Delivered and given-up messages are kept this long (the counts in Settings cover this span). */
export const KEEP_DELIVERED = Duration.days(30)
const PRUNE_EVERY = Duration.hours(1)

const iso = (ms: number) => new Date(ms).toISOString()
const label = (s: StoredTarget) => `${s.target.name ?? s.target.type} (${s.target.type} ${s.id})`

const validTarget = Schema.decodeUnknownEither(NotificationTarget)

/** The target SOULSPOT_WEBHOOK_URL and SOULSPOT_WEBHOOK_SECRET describe: every event. */
export const envWebhookTarget = (url: Option.Option<string>, secret: Option.Option<Redacted.Redacted<string>>): Option.Option<NotificationTarget> =>
  Option.map(Option.filter(url, (u) => u !== ""), (u) => ({
    type: "webhook", url: u, name: "SOULSPOT_WEBHOOK_URL", enabled: true,
    ...(Option.isSome(secret) && Redacted.value(secret.value) !== "" ? { secret: Redacted.value(secret.value) } : {})
  }))

export class NotificationDelivery extends Effect.Service<NotificationDelivery>()("soulspot/NotificationDelivery", {
  scoped: Effect.gen(function*() {
    const store = yield* NotificationStore
    const http = yield* HttpClient.HttpClient
    const settings = yield* Settings
    const scans = yield* MediaScans
    const running = yield* FiberMap.make<string>()
    let prunedAt = Number.NEGATIVE_INFINITY

    const count = (type: string, outcome: "delivered" | "retry" | "gave_up") =>
      Metric.increment(Metric.tagged(Metric.tagged(notificationDeliveries, "type", type), "outcome", outcome))

    /** One attempt of one delivery; true when the target should be left alone for now. */
    const attempt = (stored: StoredTarget & { readonly target: MessageTarget }, d: DueDelivery) => Effect.gen(function*() {
      const message = eventMessage(d.outboxId, d.type, d.createdAt, JSON.parse(d.payload) as EventPayload)
      const client = HttpClient.mapRequest(http, HttpClientRequest.setHeader("X-SoulSpot-Delivery", d.id))
      const result = yield* Effect.either(sendMessage(client)(stored.target, message))
      const now = yield* Clock.currentTimeMillis
      const attempts = d.attempts + 1
      const first = d.firstAttemptAt ?? iso(now)
      const who = label(stored)
      if (result._tag === "Right") {
        yield* store.recordAttempt(d.id, { state: "delivered", attempts, firstAttemptAt: first, nextAttemptAt: null, error: null, status: result.right.status, now: iso(now) })
        yield* count(stored.target.type, "delivered")
        yield* Effect.logInfo(`notification ${d.type} ${d.outboxId} → ${who}: delivered (HTTP ${result.right.status}, attempt ${attempts})`)
        return false
      }
      const e = result.left
      const decision = decideRetry({
        attempts, firstAttemptMillis: Date.parse(first), nowMillis: now, permanent: e.permanent, retryAfterMillis: e.retryAfterMillis,
        giveUpAfterMillis: Duration.toMillis(yield* settings.get(Setting.notifyGiveUpAfter)), random: yield* Random.next
      })
      if (decision._tag === "GiveUp") {
        yield* store.recordAttempt(d.id, { state: "gave_up", attempts, firstAttemptAt: first, nextAttemptAt: null, error: `${e.message} (gave up: ${decision.why})`, status: e.status ?? null, now: iso(now) })
        yield* count(stored.target.type, "gave_up")
        yield* Effect.logError(`notification ${d.type} ${d.outboxId} → ${who}: gave up after ${attempts} attempt(s), ${decision.why}: ${e.message}`)
        // a permanent answer is about this message or this target; the next message may still go through
        return !e.permanent
      }
      yield* store.recordAttempt(d.id, { state: "pending", attempts, firstAttemptAt: first, nextAttemptAt: iso(decision.atMillis), error: e.message, status: e.status ?? null, now: iso(now) })
      yield* count(stored.target.type, "retry")
      yield* Effect.logWarning(`notification ${d.type} ${d.outboxId} → ${who}: attempt ${attempts} failed (${e.message}); next try in ${Duration.format(Duration.millis(decision.waitMillis))}`)
      return true
    })

    /** A target's due deliveries in order, until none is left or the target fails. */
    const workOff = (targetId: string): Effect.Effect<void> => Effect.gen(function*() {
      const stored = yield* store.findTarget(targetId)
      while (true) {
        const now = yield* Clock.currentTimeMillis
        const due = yield* store.dueFor(targetId, iso(now), BATCH)
        if (due.length === 0) return
        for (const d of due) {
          if (Option.isNone(stored) || !stored.value.target.enabled || isMediaServer(stored.value.target)) {
            // switched off while the message waited: it is not sent later by surprise
            yield* store.recordAttempt(d.id, { state: "gave_up", attempts: d.attempts, firstAttemptAt: d.firstAttemptAt ?? iso(now), nextAttemptAt: null, error: "the target was switched off", status: null, now: iso(now) })
            continue
          }
          const rest = yield* attempt(stored.value as StoredTarget & { readonly target: MessageTarget }, d)
          if (rest) return
        }
      }
    })

    /**
     * download.imported asks the media servers to rescan the imported file's folder (batched by
     * MediaScans). The folder is stored before the event is marked handled: a crash in between
     * notes the same folder again, which the scan's folder set absorbs.
     */
    const sideEffects = Effect.gen(function*() {
      const events = yield* store.unhandled(200)
      if (events.length === 0) return
      const servers = (yield* store.listTargets).flatMap((s) => isMediaServer(s.target) && s.target.enabled ? [{ id: s.id, target: s.target }] : [])
      for (const e of events) {
        if (e.type !== "download.imported" || servers.length === 0) continue
        const path = (JSON.parse(e.payload) as EventPayload).download?.import?.path
        if (typeof path === "string" && path !== "") yield* scans.imported(servers, dirname(path))
      }
      yield* store.markHandled(events.map((e) => e.seq))
    })

    const importOn = Effect.gen(function*() {
      const downloads = yield* settings.get(ImportSetting.slskdDownloadsDir)
      const library = yield* settings.get(ImportSetting.libraryDir)
      return Option.isSome(downloads) && Option.isSome(library)
    })

    const tick = Effect.gen(function*() {
      // album.completed waits for the imports while the import is on (see migrations/0015_notifications.sql)
      yield* store.setImportOn(yield* importOn)
      yield* sideEffects
      const now = yield* Clock.currentTimeMillis
      if (now - prunedAt >= Duration.toMillis(PRUNE_EVERY)) {
        yield* store.prune(iso(now - Duration.toMillis(KEEP_DELIVERED)))
        prunedAt = now
      }
      for (const id of yield* store.dueTargets(iso(now))) {
        yield* FiberMap.run(running, id, workOff(id).pipe(
          Effect.catchAllCause((cause) => Effect.logError(`notifications: delivering to ${id} crashed`, cause))), { onlyIfMissing: true })
      }
    })

    /** Writes (or removes) the SOULSPOT_WEBHOOK_URL target. */
    const configureEnvTarget = Effect.gen(function*() {
      const env = yield* WebhookEnvConfig.pipe(Effect.orElseSucceed(() => ({ url: Option.none<string>(), secret: Option.none<Redacted.Redacted<string>>() })))
      const target = Option.filter(envWebhookTarget(env.url, env.secret), (t) => Either.isRight(validTarget(t)))
      if (Option.isSome(env.url) && env.url.value !== "" && Option.isNone(target)) {
        yield* Effect.logError(`notifications: SOULSPOT_WEBHOOK_URL is not an http(s) URL; no webhook target from the environment`)
      }
      yield* store.setEnvTarget(target)
      if (Option.isSome(target)) yield* Effect.logInfo("notifications: SOULSPOT_WEBHOOK_URL receives every event")
    })

    return { tick, configureEnvTarget, importOn } as const
  })
}) {}

/** Starts the worker: every DELIVERY_INTERVAL, and at once when a download finished or failed. */
export const NotificationWorkerLive = Layer.scopedDiscard(Effect.gen(function*() {
  const delivery = yield* NotificationDelivery
  const events = yield* Events
  const wake = yield* Queue.sliding<void>(1)
  yield* delivery.configureEnvTarget
  const sub = yield* events.subscribe
  yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
    const batch = yield* Queue.takeBetween(sub, 1, 256)
    // a download that finished or failed (or whose import moved on) may have written an event
    if (Chunk.some(batch, ({ event }) => event._tag === "DownloadChanged" && (event.download.status === "COMPLETED" || event.download.status === "FAILED"))) {
      yield* wake.offer(undefined)
    }
  })))
  yield* Effect.forkScoped(workerLoop("notifications", delivery.tick, Effect.succeed(DELIVERY_INTERVAL), wake))
}))
