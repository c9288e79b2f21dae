/** Exponential backoff for automatic retries: base · 2^(attempt-1), ±20 % jitter, capped at one hour. */
export const MAX_BACKOFF_MS = 60 * 60 * 1000

export const backoffMillis = (attempt: number, baseMillis: number, random01: number): number => {
  const exp = baseMillis * 2 ** Math.max(0, attempt - 1)
  const jitter = 1 + (random01 * 0.4 - 0.2)
  return Math.round(Math.min(MAX_BACKOFF_MS, exp * jitter))
}
