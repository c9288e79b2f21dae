import { Clock, type Duration, Effect, Layer, Queue, Ref } from "effect"
import { DownloadProvider } from "../../domain/ports/DownloadProvider.js"
import { DownloadRepository } from "../../domain/ports/DownloadRepository.js"
import { ProviderCircuit } from "../../domain/ports/ProviderCircuit.js"
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

interface Paused {
  readonly since: number
  readonly reason: string
  /** WAITING rows the dispatcher set aside until slskd is back. */
  readonly waiting: ReadonlySet<string>
}

/**
 * Work paused by an slskd outage waits for slskd, not for a clock: the workers `pause` when slskd
 * is unreachable or logged out; `probe` (every sync tick) and any slskd call that works again
 * `resume` it, which makes the set-aside rows due and wakes the dispatcher and the download worker
 * at once. While the circuit is open the probe leaves the next try to the breaker's own timing.
 */
export class Outage extends Effect.Service<Outage>()("soulspot/Outage", {
  effect: Effect.gen(function*() {
    const wakeups = yield* Wakeups
    const provider = yield* DownloadProvider
    const repo = yield* DownloadRepository
    const circuit = yield* ProviderCircuit
    const paused = yield* Ref.make<Paused | null>(null)

    const pause = (reason: string, waitingId?: string) => Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const before = yield* Ref.getAndUpdate(paused, (p) => ({
        since: p?.since ?? now,
        reason,
        waiting: waitingId === undefined ? p?.waiting ?? new Set() : new Set([...(p?.waiting ?? []), waitingId])
      }))
      if (before === null) yield* Effect.logWarning(`slskd is out (${reason}); work waits until it is back`)
    })

    const resume = Effect.gen(function*() {
      const was = yield* Ref.getAndSet(paused, null)
      if (was === null) return
      const now = yield* Clock.currentTimeMillis
      // rows the dispatcher set aside become due now (a committed change; it wakes the dispatcher as well)
      if (was.waiting.size > 0) yield* repo.applyChanges([...was.waiting].map((id) => ({ id, patch: { nextAttemptAt: null } })))
      yield* Effect.logInfo(`slskd is back after ${Math.round((now - was.since) / 1000)} s; resuming paused work`)
      yield* wakeups.dispatcher.offer(undefined)
      yield* wakeups.downloader.offer(undefined)
      yield* wakeups.sync.offer(undefined)
    })

    const probe = Effect.gen(function*() {
      if ((yield* Ref.get(paused)) === null) return
      const breaker = yield* circuit.snapshot
      if (breaker.state === "OPEN" && (breaker.retryInSeconds ?? 0) > 0) return
      const health = yield* provider.health
      if (health.reachable && health.loggedIn !== false) yield* resume
    })

    const isPaused = Effect.map(Ref.get(paused), (p) => p !== null)
    /** For a worker about to call slskd: false while slskd is still out (checked once more first). */
    const ready = Effect.zipRight(probe, Effect.map(isPaused, (p) => !p))

    return { pause, resume, probe, ready, isPaused } as const
  })
}) {}

/** Turns committed changes into wake-ups: a new or retried request, or a chosen file, should not wait for the next tick. */
export const WakeOnEventsLive = Layer.scopedDiscard(Effect.gen(function*() {
  const events = yield* Events
  const wakeups = yield* Wakeups
  const outage = yield* Outage
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
    // while slskd is out, a changed row is no reason to knock again: recovery wakes everyone
    if (yield* outage.isPaused) return
    if (dispatch) yield* wakeups.dispatcher.offer(undefined)
    if (download) yield* wakeups.downloader.offer(undefined)
  })))
}))
