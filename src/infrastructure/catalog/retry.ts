import { Data, Duration, Effect, Schedule } from "effect"

/**
 * A reply worth asking again for. `budget` names the allowance it draws on (rate limits and
 * transport errors are counted apart); `delay` is the wait the upstream asked for (Retry-After,
 * 0 allowed), else the budget's exponential backoff; `exhausted` is the error once the
 * budget is spent.
 */
export class TryAgain<E> extends Data.TaggedError("TryAgain")<{
  readonly budget: string
  readonly delay?: Duration.Duration | undefined
  /** Logged as a warning before waiting. */
  readonly note?: ((wait: Duration.Duration) => string) | undefined
  readonly exhausted: E
}> {}

/** Per budget: how many retries, and the first backoff (doubled on each retry) when the reply sets no delay. */
export type RetryBudgets = Readonly<Record<string, { readonly times: number; readonly backoff: Duration.Duration }>>

const isTryAgain = (e: unknown): e is TryAgain<unknown> => e instanceof TryAgain

/** Retries counted per budget so far (before this failure), paired with this failure. */
const counted = <E>() => Schedule.intersect(
  Schedule.identity<E>().pipe(Schedule.reduce({} as Readonly<Record<string, number>>, (used, e) =>
    isTryAgain(e) ? { ...used, [e.budget]: (used[e.budget] ?? 0) + 1 } : used)),
  Schedule.identity<E>()
)

const waitFor = (budgets: RetryBudgets, used: Readonly<Record<string, number>>, t: TryAgain<unknown>): Duration.Duration =>
  t.delay ?? Duration.times(budgets[t.budget]?.backoff ?? Duration.zero, 2 ** (used[t.budget] ?? 0))

/**
 * Runs `attempt` again while it fails with TryAgain and that budget has retries left, waiting
 * as the failure says; a spent budget fails with its `exhausted` error. Other errors end at once.
 */
export const retryReplies = <A, E, G, R>(
  attempt: Effect.Effect<A, E | TryAgain<G>, R>,
  budgets: RetryBudgets
): Effect.Effect<A, E | G, R> => {
  const schedule = counted<E | TryAgain<G>>().pipe(
    Schedule.checkEffect((_, [used, e]) => {
      if (!isTryAgain(e) || (used[e.budget] ?? 0) >= (budgets[e.budget]?.times ?? 0)) return Effect.succeed(false)
      return e.note === undefined ? Effect.succeed(true) : Effect.logWarning(e.note(waitFor(budgets, used, e))).pipe(Effect.as(true))
    }),
    Schedule.addDelay(([used, e]) => isTryAgain(e) ? waitFor(budgets, used, e) : Duration.zero)
  )
  return attempt.pipe(
    Effect.retry(schedule),
    Effect.catchIf((e): e is TryAgain<G> => isTryAgain(e), (t) => Effect.fail(t.exhausted))
  )
}
