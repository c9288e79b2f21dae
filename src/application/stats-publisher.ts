import { Effect, Layer } from "effect"
import { DownloadManager } from "./download-manager.js"
import { Events, forEachBurst } from "./events.js"

/**
 * After download changes, publishes fresh counts once per burst (a sync tick can move
 * hundreds of rows; the page needs one stats event for them, not hundreds), and the health
 * panel with them, so the counters and "last sync" shown come from the same committed rows.
 */
export const StatsPublisherLive = Layer.scopedDiscard(Effect.gen(function*() {
  const events = yield* Events
  const manager = yield* DownloadManager
  yield* forEachBurst("250 millis", (burst) => Effect.gen(function*() {
    if (!burst.some((e) => e.event._tag === "DownloadChanged")) return
    const stats = yield* manager.stats
    yield* events.publish([{ _tag: "StatsChanged", stats }, { _tag: "HealthChanged" }])
  }))
}))
