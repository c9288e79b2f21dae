/**
 * Media-server rescans after imports, batched per server: every import notes its folder and
 * restarts that server's quiet timer; when no import came for `notifications.scan_delay`, the
 * server is asked once to scan the folders collected. Scans run in their own fibers, so a slow
 * or hanging server never delays an import or another server. The folders wait in the database
 * until their scan has run, so a restart within the delay resumes the timer instead of losing them.
 */
import { HttpClient } from "@effect/platform"
import { Clock, Duration, Effect, FiberMap, FiberSet, Layer, Metric, Schedule } from "effect"
import { Setting } from "../../config.js"
import { isMediaServer, type MediaServerTarget } from "../../domain/notifications/targets.js"
import { type MediaServer, MediaScans } from "../../domain/ports/MediaScans.js"
import type { DeliveryError } from "../../domain/ports/NotificationSender.js"
import { Settings } from "../../domain/ports/Settings.js"
import { scanMediaServer } from "../../infrastructure/notifications/media-servers/dispatch.js"
import { NotificationStore } from "../../infrastructure/persistence/notification-repository.js"
import { mediaScans } from "../../metrics.js"

/** Attempts after the first failed one; waits double from the first (or wait what a 429 asks, if longer). */
export const SCAN_RETRIES = 3
export const SCAN_RETRY_BASE = Duration.seconds(10)
/** The longest a 429's Retry-After may hold a scan back. */
export const SCAN_MAX_WAIT = Duration.minutes(15)

/** The retry schedule of one scan: a permanent failure (bad token, unknown section) stops at once. */
export const scanRetrySchedule = Schedule.exponential(SCAN_RETRY_BASE).pipe(
  Schedule.intersect(Schedule.recurs(SCAN_RETRIES)),
  Schedule.intersect(Schedule.identity<DeliveryError>()),
  Schedule.whileInput((e: DeliveryError) => !e.permanent),
  Schedule.modifyDelay(([, e], delay) => e.retryAfterMillis === undefined
    ? delay
    : Duration.max(delay, Duration.min(Duration.millis(e.retryAfterMillis), SCAN_MAX_WAIT)))
)

const label = (id: string, target: MediaServerTarget) => `${target.name ?? target.type} (${target.type} ${id})`

const iso = (ms: number) => new Date(ms).toISOString()

export const MediaScansLive: Layer.Layer<MediaScans, never, HttpClient.HttpClient | Settings | NotificationStore> = Layer.scoped(MediaScans, Effect.gen(function*() {
  const http = yield* HttpClient.HttpClient
  const settings = yield* Settings
  const store = yield* NotificationStore
  const scan = scanMediaServer(http)
  /** Each server with folders waiting, as its last import (or, after a restart, the database) described it. */
  const lastSeen = new Map<string, MediaServerTarget>()
  const timers = yield* FiberMap.make<string>()
  const running = yield* FiberSet.make()
  // one scan at a time per server: a burst that ends while the last one is still retrying waits its turn
  const locks = new Map<string, Effect.Semaphore>()
  const lockOf = (id: string) => Effect.sync(() => {
    const known = locks.get(id)
    if (known !== undefined) return known
    const made = Effect.unsafeMakeSemaphore(1)
    locks.set(id, made)
    return made
  })

  const count = (target: MediaServerTarget, outcome: "ok" | "attempt_failed" | "failed") =>
    Metric.increment(Metric.tagged(Metric.tagged(mediaScans, "type", target.type), "outcome", outcome))

  const run = (id: string, target: MediaServerTarget, folders: ReadonlyArray<string>) => {
    const list = [...folders].sort()
    const who = label(id, target)
    return scan(target, list).pipe(
      Effect.tapError((e) => Effect.zipRight(count(target, "attempt_failed"),
        Effect.logWarning(`media scan ${who}: attempt failed: ${e.message}${e.permanent ? "" : " (retryable)"}`))),
      Effect.retry(scanRetrySchedule),
      Effect.matchEffect({
        onSuccess: (d) => Effect.zipRight(count(target, "ok"),
          Effect.logInfo(`media scan ${who}: asked to rescan after ${list.length} imported folder(s) (HTTP ${d.status})`)),
        onFailure: (e) => Effect.zipRight(count(target, "failed"),
          Effect.logError(`media scan ${who}: gave up (${e.permanent ? "a retry cannot help" : `after ${SCAN_RETRIES + 1} attempts`}): ${e.message}`))
      })
    )
  }

  /**
   * The quiet timer of one server. When it runs out, the folders whose quiet spell is over are
   * scanned in a fiber of its own and forgotten once the scan ran or was given up (a restart
   * during the scan asks again); imports meanwhile wait for their own timer.
   */
  const timer = (id: string, delay: Duration.Duration) =>
    Effect.sleep(delay).pipe(Effect.zipRight(Effect.uninterruptible(Effect.gen(function*() {
      const target = lastSeen.get(id)
      if (target === undefined) return
      const dueBy = iso(yield* Clock.currentTimeMillis)
      const lock = yield* lockOf(id)
      // the scan itself stays interruptible: its timeouts must be able to cut a hanging request
      yield* FiberSet.run(running, Effect.interruptible(lock.withPermits(1)(Effect.gen(function*() {
        const due = yield* store.dueScanFolders(id, dueBy)
        if (due.folders.length === 0) return
        yield* run(id, target, due.folders)
        yield* store.dropScanFolders(id, due.upTo, dueBy)
      }))))
    }))))

  /** After a restart: each server with folders waiting gets its timer back, running out when it would have. */
  const resume = Effect.gen(function*() {
    const pending = yield* store.pendingScans
    if (pending.length === 0) return
    const known = new Map((yield* store.listTargets).flatMap((s) => isMediaServer(s.target) && s.target.enabled ? [[s.id, s.target] as const] : []))
    const now = yield* Clock.currentTimeMillis
    for (const p of pending) {
      const target = known.get(p.targetId)
      if (target === undefined) {
        yield* store.dropScanFolders(p.targetId, p.upTo, p.dueAt)
        yield* Effect.logInfo(`media scan: forgot the folders waiting for ${p.targetId}, no longer an enabled media server`)
        continue
      }
      lastSeen.set(p.targetId, target)
      const delay = Duration.millis(Math.max(0, Date.parse(p.dueAt) - now))
      yield* FiberMap.run(timers, p.targetId, timer(p.targetId, delay))
      yield* Effect.logInfo(`media scan ${label(p.targetId, target)}: folders waiting from before the restart; scan in ${Duration.format(delay)}`)
    }
  })
  yield* resume

  return MediaScans.of({
    imported: Effect.fn("MediaScans.imported")(function*(servers: ReadonlyArray<MediaServer>, folder: string) {
      const enabled = servers.filter((s) => s.target.enabled)
      if (enabled.length === 0) return
      const delay = yield* settings.get(Setting.scanDelay)
      yield* store.addPendingScan(enabled.map((s) => s.id), folder, iso((yield* Clock.currentTimeMillis) + Duration.toMillis(delay)))
      for (const s of enabled) lastSeen.set(s.id, s.target)
      // a new timer replaces the running one: the scan waits for a quiet spell after the last import
      for (const s of enabled) yield* FiberMap.run(timers, s.id, timer(s.id, delay))
      yield* Effect.logDebug(`media scan: ${folder} noted for ${enabled.map((s) => label(s.id, s.target)).join(", ")}; scan after ${Duration.format(delay)} without imports`)
    })
  })
}))
