import { Cause, Clock, Duration, Effect, Exit, Layer, Metric, Option, Ref } from "effect"
import { searchesMade, slskdLatency, slskdRequests } from "../../metrics.js"
import { Setting } from "../../config.js"
import { DomainEvents } from "../../domain/events.js"
import { countsAsFailure, DownloadProvider, ProviderError } from "../../domain/ports/DownloadProvider.js"
import { type CircuitSnapshot, type CircuitStateName, ProviderCircuit } from "../../domain/ports/ProviderCircuit.js"
import { Settings } from "../../domain/ports/Settings.js"

export type BreakerStateName = CircuitStateName

interface State {
  readonly name: BreakerStateName
  readonly failures: number
  /** OPEN: when the next probe may go through (epoch ms). */
  readonly openUntil: number
  /** HALF_OPEN: a probe is in flight, everyone else waits. */
  readonly probing: boolean
  readonly lastSuccess: number | null
  readonly lastFailure: number | null
  readonly lastError: string | null
}

export type BreakerSnapshot = CircuitSnapshot

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

const initial: State = {
  name: "CLOSED", failures: 0, openUntil: 0, probing: false, lastSuccess: null, lastFailure: null, lastError: null
}

/**
 * CLOSED → OPEN after N consecutive failures; OPEN skips calls until the recovery timeout,
 * then HALF_OPEN lets one probe through: success closes, failure re-opens. Only transport
 * errors, timeouts, 5xx and malformed replies count; 4xx answers only show in last_error;
 * an interrupted call counts as nothing.
 */
export class CircuitBreaker extends Effect.Service<CircuitBreaker>()("soulspot/CircuitBreaker", {
  effect: Effect.gen(function*() {
    const settings = yield* Settings
    const events = yield* DomainEvents
    const ref = yield* Ref.make(initial)

    // The UI shows state, failure count and last error: tell it when any of them moved.
    const notifyIf = (before: State, after: State) => Effect.gen(function*() {
      if (before.name !== after.name) {
        yield* Effect.logInfo(`slskd circuit ${before.name} → ${after.name}`).pipe(
          Effect.annotateLogs({ failures: after.failures, lastError: after.lastError ?? "" }))
      }
      if (before.name !== after.name || before.failures !== after.failures || before.lastError !== after.lastError) {
        yield* events.publish([{ _tag: "HealthChanged" }])
      }
    })

    const acquire = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      return yield* Ref.modify(ref, (s): [Exit.Exit<BreakerStateName, ProviderError>, State] => {
        if (s.name === "CLOSED") return [Exit.succeed(s.name), s]
        if (s.name === "OPEN" && now >= s.openUntil) return [Exit.succeed("HALF_OPEN"), { ...s, name: "HALF_OPEN", probing: true }]
        if (s.name === "HALF_OPEN" && !s.probing) return [Exit.succeed("HALF_OPEN"), { ...s, probing: true }]
        const wait = s.name === "OPEN" ? s.openUntil - now : 1000
        return [Exit.fail(new ProviderError({
          reason: "CircuitOpen",
          message: `slskd is unavailable (${s.lastError ?? "repeated failures"}); next try in ${Math.ceil(wait / 1000)} s`,
          retryAfterMillis: wait
        })), s]
      })
    }).pipe(Effect.flatten)

    const record = (exit: Exit.Exit<unknown, unknown>) => Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const threshold = yield* settings.get(Setting.breakerFailureThreshold)
      const recovery = Duration.toMillis(yield* settings.get(Setting.breakerRecoveryTimeout))
      const before = yield* Ref.get(ref)
      const after = yield* Ref.updateAndGet(ref, (s): State => {
        if (Exit.isSuccess(exit)) return { ...s, name: "CLOSED", failures: 0, probing: false, lastSuccess: now }
        if (Cause.isInterruptedOnly(exit.cause)) {
          return s.name === "HALF_OPEN" ? { ...s, name: "OPEN", openUntil: now, probing: false } : s
        }
        const error = Cause.failureOption(exit.cause)
        const failure = error._tag === "Some" && error.value instanceof ProviderError ? error.value : undefined
        const message = failure?.message ?? Cause.pretty(exit.cause).split("\n")[0] ?? "unknown error"
        if (failure && !countsAsFailure(failure)) {
          // slskd answered: it is reachable, so a probe that gets an answer closes the circuit
          return s.name === "HALF_OPEN"
            ? { ...s, name: "CLOSED", failures: 0, probing: false, lastError: message }
            : { ...s, lastError: message }
        }
        const failures = s.failures + 1
        const open = s.name === "HALF_OPEN" || failures >= threshold
        return {
          ...s, failures, lastFailure: now, lastError: message, probing: false,
          name: open ? "OPEN" : s.name, openUntil: open ? now + recovery : s.openUntil
        }
      })
      yield* notifyIf(before, after)
    })

    const protect = <A, R>(self: Effect.Effect<A, ProviderError, R>): Effect.Effect<A, ProviderError, R> =>
      Effect.zipRight(acquire, Effect.onExit(self, record))

    const snapshot = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const s = yield* Ref.get(ref)
      return {
        state: s.name,
        failureCount: s.failures,
        lastSuccess: iso(s.lastSuccess),
        lastFailure: iso(s.lastFailure),
        lastError: s.lastError,
        retryInSeconds: s.name === "OPEN" ? Math.max(0, Math.ceil((s.openUntil - now) / 1000)) : null
      } satisfies BreakerSnapshot
    })

    return { protect, snapshot } as const
  })
}) {}

/** Latency and outcome of every slskd call, by operation, for /metrics. */
const measured = <A, R>(op: string, self: Effect.Effect<A, ProviderError, R>) =>
  self.pipe(
    Metric.trackDuration(Metric.tagged(slskdLatency, "operation", op).pipe(Metric.mapInput((d: Duration.Duration) => Duration.toMillis(d) / 1000))),
    Effect.onExit((exit) => Metric.increment(Metric.tagged(Metric.tagged(slskdRequests, "operation", op), "outcome",
      Exit.isSuccess(exit) ? "ok" : Cause.isInterruptedOnly(exit.cause) ? "interrupted"
        : Option.match(Cause.failureOption(exit.cause), { onNone: () => "defect", onSome: (e) => e.reason })))))

/** The provider every worker sees: each slskd call goes through the breaker. */
export const ProtectedProviderLive = Layer.effect(DownloadProvider, Effect.gen(function*() {
  const raw = yield* DownloadProvider
  const breaker = yield* CircuitBreaker
  return DownloadProvider.of({
    search: (q) => breaker.protect(measured("search", raw.search(q))).pipe(Effect.tap(() => Metric.increment(searchesMade))),
    download: (r) => breaker.protect(measured("enqueue", raw.download(r))),
    getStatus: breaker.protect(measured("list_transfers", raw.getStatus)),
    cancel: (t) => breaker.protect(measured("cancel", raw.cancel(t))),
    lookup: (t) => breaker.protect(measured("lookup", raw.lookup(t))),
    forget: (t) => breaker.protect(measured("remove", raw.forget(t))),
    health: raw.health
  })
}))

/** The breaker's state as the rest of the application reads it. */
export const ProviderCircuitLive = Layer.effect(ProviderCircuit, Effect.map(CircuitBreaker, (b) => ProviderCircuit.of({ snapshot: b.snapshot })))
