/**
 * The one answer to "what happens after this failure", for the dispatcher (searches), the
 * download worker (enqueues) and the status sync (transfers). Pure: the callers bring the
 * attempt count, the settings and a random number, and write what it says.
 */
import { backoffMillis } from "./retry.js"

export type FailureKind =
  /** The peer or the file failed: rejected, offline or unreachable peer, a failed, aborted, stalled or lost transfer, a queue wait past its limit. */
  | "candidate"
  /** A search found nothing acceptable. */
  | "no-file"
  /** slskd refused every query of the ladder (HTTP 400): running them again cannot help. */
  | "unsearchable"
  /** slskd unreachable, timed out, failing (5xx) or not logged in to Soulseek. */
  | "outage"
  /** slskd answered "too many requests" (429). */
  | "busy"
  /** The transfer ended because slskd itself restarted: slskd resumes it (see docs/slskd-notes.md). */
  | "restart"

export interface RetrySettings {
  readonly maxAttempts: number
  readonly baseDelayMillis: number
}

export interface RetryDecision {
  /** WAITING: try again later; FAILED: give up; KEEP: the row stays where it is, with its file. */
  readonly next: "WAITING" | "FAILED" | "KEEP"
  /** The download's attempt count after this failure. */
  readonly attempts: number
  /** How long until the next try; null = until slskd is back (outage, restart) or never (FAILED). */
  readonly delayMillis: number | null
  /** The chosen user+file is given up: the next try takes another candidate, another user first. */
  readonly candidateSpent: boolean
  /** Whether the failure counts towards opening the circuit breaker. */
  readonly countsForBreaker: boolean
  /** The row keeps its chosen user and file (the next try adopts or enqueues that same file). */
  readonly keepFile: boolean
}

/** What a 429 without Retry-After costs. */
export const BUSY_PAUSE_MS = 2000

export const afterFailure = (
  kind: FailureKind,
  attempts: number,
  settings: RetrySettings,
  random01: number,
  retryAfterMillis?: number
): RetryDecision => {
  const counted = attempts + 1
  switch (kind) {
    case "candidate":
    case "no-file": {
      const spent = kind === "candidate"
      if (counted >= settings.maxAttempts) {
        return { next: "FAILED", attempts: counted, delayMillis: null, candidateSpent: spent, countsForBreaker: false, keepFile: false }
      }
      return {
        next: "WAITING", attempts: counted, delayMillis: backoffMillis(counted, settings.baseDelayMillis, random01),
        candidateSpent: spent, countsForBreaker: false, keepFile: false
      }
    }
    case "unsearchable":
      return { next: "FAILED", attempts: counted, delayMillis: null, candidateSpent: false, countsForBreaker: false, keepFile: false }
    case "outage":
      return { next: "KEEP", attempts, delayMillis: null, candidateSpent: false, countsForBreaker: true, keepFile: true }
    case "busy":
      return {
        next: "KEEP", attempts, delayMillis: Math.max(retryAfterMillis ?? 0, BUSY_PAUSE_MS),
        candidateSpent: false, countsForBreaker: false, keepFile: true
      }
    case "restart":
      return { next: "KEEP", attempts, delayMillis: null, candidateSpent: false, countsForBreaker: false, keepFile: true }
  }
}
