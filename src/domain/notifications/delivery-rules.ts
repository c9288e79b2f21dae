/**
 * When a failed delivery is tried again: the wait doubles from RETRY_BASE up to RETRY_CAP, drawn
 * from its upper half (jitter, so targets that failed together do not retry together), never
 * shorter than a 429's Retry-After. A permanent failure (a 4xx other than 408/429), or a next try
 * that would fall after the give-up time (counted from the first attempt), gives up.
 */
export const RETRY_BASE_MILLIS = 15_000
export const RETRY_CAP_MILLIS = 3_600_000

export interface FailedAttempt {
  /** Attempts made, this one included. */
  readonly attempts: number
  readonly firstAttemptMillis: number
  readonly nowMillis: number
  readonly permanent: boolean
  readonly retryAfterMillis?: number | undefined
  readonly giveUpAfterMillis: number
  /** A draw in [0, 1). */
  readonly random: number
}

export type RetryDecision =
  | { readonly _tag: "Retry"; readonly atMillis: number; readonly waitMillis: number }
  | { readonly _tag: "GiveUp"; readonly why: string }

export const backoffMillis = (attempts: number, random: number): number => {
  const full = Math.min(RETRY_CAP_MILLIS, RETRY_BASE_MILLIS * 2 ** Math.max(0, attempts - 1))
  return Math.round(full / 2 + (full / 2) * random)
}

export const decideRetry = (a: FailedAttempt): RetryDecision => {
  if (a.permanent) return { _tag: "GiveUp", why: "a retry cannot help" }
  const wait = Math.max(backoffMillis(a.attempts, a.random), a.retryAfterMillis ?? 0)
  const at = a.nowMillis + wait
  if (at > a.firstAttemptMillis + a.giveUpAfterMillis) {
    return { _tag: "GiveUp", why: `still failing after ${a.attempts} attempt${a.attempts === 1 ? "" : "s"}; the next try would fall after the give-up time` }
  }
  return { _tag: "Retry", atMillis: at, waitMillis: wait }
}
