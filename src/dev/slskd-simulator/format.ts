/** slskd's wire formats: timestamps with up to 7 fractional digits (with or without `Z`), TimeSpans. */
import { formatTimeSpan } from "../../infrastructure/slskd/schema.js"

/**
 * `2026-10-04T12:17:50.7811023Z`: milliseconds plus four deterministic sub-millisecond digits,
 * trailing zeros trimmed (no fraction at all when it is zero), `Z` only where slskd writes one.
 */
export const timestamp = (ms: number, withZ: boolean, subTicks = 0): string => {
  const iso = new Date(Math.floor(ms)).toISOString() // 2026-10-04T12:17:50.781Z
  const base = iso.slice(0, 19)
  const fraction = `${iso.slice(20, 23)}${String(subTicks % 10_000).padStart(4, "0")}`.replace(/0+$/, "")
  return `${base}${fraction === "" ? "" : `.${fraction}`}${withZ ? "Z" : ""}`
}

export const timeSpan = (millis: number): string => formatTimeSpan(Math.max(0, millis) / 1000)
