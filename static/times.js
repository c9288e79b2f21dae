// Times in the reader's own words: every <time data-time> the server rendered in UTC becomes the
// browser's local time, "relative" ones as "3 min ago" (exact local time on hover), "clock" ones as a
// local clock time. Rows arriving later (live updates, "show more") are caught by a MutationObserver,
// and relative times are refreshed every 30 s.
(() => {
  "use strict"
  const exact = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" })
  const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" })
  const dayAndClock = new Intl.DateTimeFormat(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit", second: "2-digit" })
  const sameDay = (a, b) => a.toDateString() === b.toDateString()

  const relative = (ms) => {
    const s = Math.round(Math.abs(ms) / 1000)
    const words = s < 45 ? null : s < 3600 ? `${Math.round(s / 60)} min` : s < 86400 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} d`
    if (words === null) return ms >= 0 ? "just now" : "in a moment"
    return ms >= 0 ? `${words} ago` : `in ${words}`
  }

  const render = (el, now) => {
    const at = new Date(el.getAttribute("datetime") || "")
    if (Number.isNaN(at.getTime())) return
    el.title = exact.format(at)
    const text = el.dataset.time === "clock"
      ? (sameDay(at, now) ? clock : dayAndClock).format(at)
      : relative(now.getTime() - at.getTime())
    if (el.textContent !== text) el.textContent = text
  }

  const renderIn = (root) => {
    const now = new Date()
    if (root.matches && root.matches("time[data-time]")) render(root, now)
    if (root.querySelectorAll) for (const el of root.querySelectorAll("time[data-time]")) render(el, now)
  }

  const start = () => {
    renderIn(document)
    new MutationObserver((changes) => {
      for (const c of changes) for (const n of c.addedNodes) if (n.nodeType === 1) renderIn(n)
    }).observe(document.body, { childList: true, subtree: true })
    setInterval(() => renderIn(document), 30_000)
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start)
  else start()
})()
