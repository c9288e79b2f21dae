/**
 * Failed sign-ins (a wrong X-API-Key, a wrong key in the login form) per client address:
 * after MAX_FAILURES inside WINDOW, that address is refused (429, Retry-After) until the
 * oldest failure leaves the window. In memory: a restart forgets, which costs an attacker a
 * restart per ten guesses.
 */
import { Clock, Effect } from "effect"

export const MAX_FAILURES = 10
export const WINDOW_MS = 60_000
/** Addresses remembered at most; the oldest are forgotten first. */
const MAX_ADDRESSES = 10_000

/** Milliseconds until this address may try again (0 = now), given its failure times. */
export const blockedFor = (failures: ReadonlyArray<number>, now: number, max = MAX_FAILURES, window = WINDOW_MS): number => {
  const recent = failures.filter((t) => t > now - window)
  return recent.length < max ? 0 : recent[recent.length - max]! + window - now
}

export class SignInLimiter extends Effect.Service<SignInLimiter>()("soulspot/SignInLimiter", {
  sync: () => {
    const failures = new Map<string, Array<number>>()
    return {
      /** Seconds to wait before this address may try again, or 0. */
      retryAfter: (address: string) => Effect.map(Clock.currentTimeMillis, (now) =>
        Math.ceil(blockedFor(failures.get(address) ?? [], now) / 1000)),
      failed: (address: string) => Effect.map(Clock.currentTimeMillis, (now) => {
        const recent = (failures.get(address) ?? []).filter((t) => t > now - WINDOW_MS)
        failures.delete(address)
        failures.set(address, [...recent, now].slice(-MAX_FAILURES))
        if (failures.size > MAX_ADDRESSES) failures.delete(failures.keys().next().value!)
      })
    } as const
  }
}) {}
