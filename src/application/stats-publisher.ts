import { Effect, Layer, Queue } from "effect"
import { DownloadManager } from "./download-manager.js"
import { Events } from "./events.js"

/**
 * After download changes, publishes fresh counts once per burst (a sync tick can move
 * hundreds of rows; the page needs one stats event for them, not hundreds), and the health
 * panel with them, so the counters and "last sync" shown come from the same committed rows.
 */
export const StatsPublisherLive = Layer.scopedDiscard(Effect.gen(function*() {
  const events = yield* Events
  const manager = yield* DownloadManager
  const sub = yield* events.subscribe
  yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
    const first = yield* Queue.takeBetween(sub, 1, 4096)
    yield* Effect.sleep("250 millis")
    const rest = yield* Queue.takeAll(sub)
    if (![...first, ...rest].some((e) => e.event._tag === "DownloadChanged")) return
    const stats = yield* manager.stats
    yield* events.publish([{ _tag: "StatsChanged", stats }, { _tag: "HealthChanged" }])
  })))
}))
