/**
 * Media-server rescans after imports, batched per server: every import notes its folder and
 * restarts that server's quiet timer; when no import came for `notifications.scan_delay`, the
 * server is asked once to scan the folders collected. Scans run in their own fibers, so a slow
 * or hanging server never delays an import or another server.
 */
import { HttpClient } from "@effect/platform"
import { Duration, Effect, FiberMap, FiberSet, Layer, Metric, Ref, Schedule } from "effect"
import { Setting } from "../../config.js"
import type { MediaServerTarget } from "../../domain/notifications/targets.js"
import { type MediaServer, MediaScans } from "../../domain/ports/MediaScans.js"
import type { DeliveryError } from "../../domain/ports/NotificationSender.js"
import { Settings } from "../../domain/ports/Settings.js"
import { scanMediaServer } from "../../infrastructure/notifications/media-servers/dispatch.js"
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

/** A server's folders waiting for its quiet timer, with the target as last seen. */
interface Batch {
  readonly target: MediaServerTarget
  readonly folders: ReadonlySet<string>
}

const label = (id: string, target: MediaServerTarget) => `${target.name ?? target.type} (${target.type} ${id})`

export const MediaScansLive: Layer.Layer<MediaScans, never, HttpClient.HttpClient | Settings> = Layer.scoped(MediaScans, Effect.gen(function*() {
  const http = yield* HttpClient.HttpClient
  const settings = yield* Settings
  const scan = scanMediaServer(http)
  const batches = yield* Ref.make(new Map<string, Batch>())
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

  const run = (id: string, { target, folders }: Batch) => {
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

  /** The quiet timer of one server: when it runs out, its batch is taken and scanned in a fiber of its own. */
  const timer = (id: string, delay: Duration.Duration) =>
    Effect.sleep(delay).pipe(Effect.zipRight(Effect.uninterruptible(Effect.gen(function*() {
      const batch = yield* Ref.modify(batches, (m) => {
        const b = m.get(id)
        const rest = new Map(m)
        rest.delete(id)
        return [b, rest] as const
      })
      // the scan itself stays interruptible: its timeouts must be able to cut a hanging request
      if (batch === undefined || batch.folders.size === 0) return
      const lock = yield* lockOf(id)
      yield* FiberSet.run(running, Effect.interruptible(lock.withPermits(1)(run(id, batch))))
    }))))

  return MediaScans.of({
    imported: Effect.fn("MediaScans.imported")(function*(servers: ReadonlyArray<MediaServer>, folder: string) {
      const enabled = servers.filter((s) => s.target.enabled)
      if (enabled.length === 0) return
      const delay = yield* settings.get(Setting.scanDelay)
      yield* Ref.update(batches, (m) => {
        const next = new Map(m)
        for (const s of enabled) next.set(s.id, { target: s.target, folders: new Set([...(m.get(s.id)?.folders ?? []), folder]) })
        return next
      })
      // a new timer replaces the running one: the scan waits for a quiet spell after the last import
      for (const s of enabled) yield* FiberMap.run(timers, s.id, timer(s.id, delay))
      yield* Effect.logDebug(`media scan: ${folder} noted for ${enabled.map((s) => label(s.id, s.target)).join(", ")}; scan after ${Duration.format(delay)} without imports`)
    })
  })
}))
