import { html, type SafeHtml } from "../html.js"

/** Human-readable figures for the page. */
export const bytes = (n: number | null): string => {
  if (n === null || !Number.isFinite(n)) return "—"
  const units = ["B", "KB", "MB", "GB", "TB"]
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`
}

export const speed = (bps: number): string => (bps > 0 ? `${bytes(bps)}/s` : "—")

export const duration = (seconds: number | null): string => {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return "—"
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`
}

export const ago = (iso: string | null, now: number): string => {
  if (iso === null) return "never"
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  return s < 5 ? "just now" : `${duration(s)} ago`
}

/** The file name without its folders, for a compact row. */
export const baseName = (path: string | null): string => (path === null ? "" : path.split(/[\\/]/).pop() ?? path)

/** 90000 → "90,000": counts a person reads at a glance. */
export const count = (n: number): string => n.toLocaleString("en")

/** "2026-12-03T14:05:09.123Z" → "2026-12-03 14:05 UTC": the text a page without scripts shows. */
export const utcText = (iso: string, seconds = false): string =>
  `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)} UTC`

/**
 * A moment as a `<time>` (UTC text without scripts): static/times.js turns it into the browser's local time, either relative
 * ("3 min ago", the exact local time on hover) or as a clock time ("next try at 23:05:09").
 */
export const timeTag = (iso: string, kind: "relative" | "clock"): SafeHtml =>
  html`<time datetime="${iso}" data-time="${kind}">${utcText(iso, kind === "clock")}</time>`
