import { type Duration, Effect, Layer, Queue } from "effect"
import { Events } from "../events.js"

/**
 * A worker's life: run a tick, then sleep until the interval passes or someone wakes it.
 * A failing tick is logged and the loop goes on; the interval is read each time so a
 * settings change applies at the next sleep.
 */
export const workerLoop = <R>(
  name: string,
  tick: Effect.Effect<void, never, R>,
  interval: Effect.Effect<Duration.DurationInput>,
  wake?: Queue.Dequeue<void>
) =>
  Effect.gen(function*() {
    while (true) {
      yield* tick.pipe(
        Effect.catchAllCause((cause) => Effect.logError(`${name}: tick failed`, cause)),
        Effect.withSpan(`${name}.tick`)
      )
      const sleep = Effect.flatMap(interval, Effect.sleep)
      yield* wake ? Effect.race(sleep, Queue.take(wake).pipe(Effect.zipRight(Queue.takeAll(wake)))) : sleep
    }
  }).pipe(Effect.annotateLogs("worker", name))

/** Wake-up signals: in-memory only, they carry no state (the rows do). */
export class Wakeups extends Effect.Service<Wakeups>()("soulspot/Wakeups", {
  effect: Effect.gen(function*() {
    const dispatcher = yield* Queue.sliding<void>(1)
    const downloader = yield* Queue.sliding<void>(1)
    const sync = yield* Queue.sliding<void>(1)
    return { dispatcher, downloader, sync } as const
  })
}) {}

/** Turns committed changes into wake-ups: a new or retried request, or a chosen file, should not wait for the next tick. */
export const WakeOnEventsLive = Layer.scopedDiscard(Effect.gen(function*() {
  const events = yield* Events
  const wakeups = yield* Wakeups
  const sub = yield* events.subscribe
  yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
    const batch = yield* Queue.takeBetween(sub, 1, 256)
    let dispatch = false
    let download = false
    for (const { event } of batch) {
      if (event._tag !== "DownloadChanged") continue
      if (event.download.status === "WAITING" && event.download.nextAttemptAt === null) dispatch = true
      if (event.download.status === "PENDING") download = true
    }
    if (dispatch) yield* wakeups.dispatcher.offer(undefined)
    if (download) yield* wakeups.downloader.offer(undefined)
  })))
}))
