import { describe, expect, it } from "@effect/vitest"
import { afterFailure, type FailureKind } from "../../src/domain/retry-policy.js"

const SETTINGS = { maxAttempts: 5, baseDelayMillis: 10_000 }

// Reads like README's "How a download moves": after this failure, with this many attempts so far, what happens.
const TABLE: ReadonlyArray<{
  readonly when: string
  readonly kind: FailureKind
  readonly attempts: number
  readonly next: "WAITING" | "FAILED" | "KEEP"
  readonly attemptsAfter: number
  readonly delay: number | null
  readonly spent: boolean
  readonly breaker: boolean
  readonly keepFile: boolean
}> = [
  { when: "the peer refused, was offline or unreachable: another file, first retry after the base delay", kind: "candidate", attempts: 0, next: "WAITING", attemptsAfter: 1, delay: 10_000, spent: true, breaker: false, keepFile: false },
  { when: "a transfer failed for the third time: the delay has doubled twice", kind: "candidate", attempts: 2, next: "WAITING", attemptsAfter: 3, delay: 40_000, spent: true, breaker: false, keepFile: false },
  { when: "the last allowed attempt failed: FAILED", kind: "candidate", attempts: 4, next: "FAILED", attemptsAfter: 5, delay: null, spent: true, breaker: false, keepFile: false },
  { when: "a search found nothing acceptable: search again later", kind: "no-file", attempts: 0, next: "WAITING", attemptsAfter: 1, delay: 10_000, spent: false, breaker: false, keepFile: false },
  { when: "nothing acceptable on the last attempt: FAILED", kind: "no-file", attempts: 4, next: "FAILED", attemptsAfter: 5, delay: null, spent: false, breaker: false, keepFile: false },
  { when: "slskd refused every query (400): FAILED at once, never re-run", kind: "unsearchable", attempts: 0, next: "FAILED", attemptsAfter: 1, delay: null, spent: false, breaker: false, keepFile: false },
  { when: "slskd unreachable or not logged in: no attempt spent, wait for slskd, keep the file", kind: "outage", attempts: 2, next: "KEEP", attemptsAfter: 2, delay: null, spent: false, breaker: true, keepFile: true },
  { when: "slskd busy (429): no attempt spent, a short pause", kind: "busy", attempts: 1, next: "KEEP", attemptsAfter: 1, delay: 2000, spent: false, breaker: false, keepFile: true },
  { when: "slskd restarted under the transfer: same user and file, slskd resumes it", kind: "restart", attempts: 3, next: "KEEP", attemptsAfter: 3, delay: null, spent: false, breaker: false, keepFile: true }
]

describe("retry policy", () => {
  it.each(TABLE)("$when", ({ kind, attempts, next, attemptsAfter, delay, spent, breaker, keepFile }) => {
    // random 0.5 = no jitter
    expect(afterFailure(kind, attempts, SETTINGS, 0.5)).toEqual({
      next, attempts: attemptsAfter, delayMillis: delay, candidateSpent: spent, countsForBreaker: breaker, keepFile
    })
  })

  it("a 429 with Retry-After waits that long", () => {
    expect(afterFailure("busy", 0, SETTINGS, 0.5, 7000).delayMillis).toBe(7000)
  })

  it("retry delays jitter by ±20 % and stop growing at one hour", () => {
    expect(afterFailure("candidate", 0, SETTINGS, 0).delayMillis).toBe(8000)
    expect(afterFailure("candidate", 0, SETTINGS, 1).delayMillis).toBe(12_000)
    expect(afterFailure("candidate", 30, { ...SETTINGS, maxAttempts: 100 }, 1).delayMillis).toBe(3_600_000)
  })
})
