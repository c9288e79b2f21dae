import { type Duration, Effect, Layer, PubSub, Queue, type Scope } from "effect"
import { type DomainEvent, DomainEvents } from "../domain/events.js"

export interface Envelope {
  readonly id: number
  readonly event: DomainEvent
}

const REPLAY_CAPACITY = 2000

/**
 * The in-process event bus: numbers every committed change, keeps the last few for SSE
 * replay, and wakes subscribers. It never holds state that is not also in the database.
 */
export class Events extends Effect.Service<Events>()("soulspot/Events", {
  effect: Effect.gen(function*() {
    const pubsub = yield* PubSub.sliding<Envelope>(4096)
    const ring: Array<Envelope> = []
    let seq = 0

    const publish = (events: ReadonlyArray<DomainEvent>) => Effect.suspend(() => {
      const envelopes = events.map((event) => ({ id: ++seq, event }))
      ring.push(...envelopes)
      if (ring.length > REPLAY_CAPACITY) ring.splice(0, ring.length - REPLAY_CAPACITY)
      return PubSub.publishAll(pubsub, envelopes)
    }).pipe(Effect.asVoid)

    const subscribe: Effect.Effect<Queue.Dequeue<Envelope>, never, Scope.Scope> = PubSub.subscribe(pubsub)

    /**
     * Events after `lastId`, or undefined when the client must reload instead: some have left
     * the buffer, or the id is from before a restart (ids start again at 1 with the process).
     */
    const since = (lastId: number): ReadonlyArray<Envelope> | undefined => {
      if (lastId > seq) return undefined
      if (lastId === seq) return []
      const first = ring[0]
      if (!first || first.id > lastId + 1) return undefined
      return ring.filter((e) => e.id > lastId)
    }

    return { publish, subscribe, since, lastId: () => seq } as const
  })
}) {}

export const DomainEventsLive = Layer.effect(DomainEvents, Effect.map(Events, (e) => DomainEvents.of({ publish: e.publish })))

/**
 * Runs `f` in the background once per burst of events: woken by the first, then whatever else
 * arrived within `window` (a sync tick moving hundreds of rows is one call, not hundreds).
 */
export const forEachBurst = <E, R>(window: Duration.DurationInput, f: (burst: ReadonlyArray<Envelope>) => Effect.Effect<void, E, R>) =>
  Effect.gen(function*() {
    const sub = yield* Effect.flatMap(Events, (e) => e.subscribe)
    yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
      const first = yield* Queue.takeBetween(sub, 1, 4096)
      yield* Effect.sleep(window)
      const rest = yield* Queue.takeAll(sub)
      yield* f([...first, ...rest])
    })))
  })
