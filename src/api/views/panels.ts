import type { DownloadStats } from "../../domain/ports/DownloadRepository.js"
import type { ProviderHealth } from "../../application/health.js"
import { html, type SafeHtml } from "../html.js"
import { WINDOW_LIMIT, WINDOW_MS } from "../../infrastructure/slskd/search-gate.js"
import { ago, count, duration } from "./format.js"

/**
 * Seconds until every waiting download has had its first search, at the search budget's pace.
 * An upper bound: one album search can cover several tracks.
 */
export const queueEtaSeconds = (waiting: number): number => Math.ceil((waiting * WINDOW_MS) / WINDOW_LIMIT / 1000)

export const statsBar = (s: DownloadStats): SafeHtml => html`<dl class="stats">
  ${([["Waiting", s.waiting], ["Pending", s.pending], ["Queued", s.queued], ["Downloading", s.downloading],
    ["Completed today", s.completedToday], ["Failed today", s.failedToday]] as const).map(([label, n]) =>
    html`<div class="stat"><dt>${label}</dt><dd>${n}</dd></div>`)}
</dl>
${s.waiting > 0 ? html`<p class="eta muted" id="queue-eta">Searching all ${count(s.waiting)} waiting downloads takes about ${duration(queueEtaSeconds(s.waiting))} at ${WINDOW_LIMIT} searches per ${WINDOW_MS / 1000} s (less when one album search finds several tracks).</p>` : ""}`

const BREAKER_WORDS: Record<ProviderHealth["state"], string> = {
  CLOSED: "Working normally",
  OPEN: "Paused: slskd is not answering",
  HALF_OPEN: "Checking whether slskd is back"
}

/** What the panel can honestly say about slskd: the breaker alone says CLOSED before any call. */
export type SlskdVerdict = "never-reached" | "unreachable" | "not-logged-in" | "ok"

export const slskdVerdict = (h: ProviderHealth): SlskdVerdict =>
  !h.slskd.reachable ? (h.lastSuccess === null ? "never-reached" : "unreachable")
    : h.slskd.loggedIn === false ? "not-logged-in" : "ok"

const headline = (h: ProviderHealth, verdict: SlskdVerdict): SafeHtml => {
  if (h.state !== "CLOSED" || verdict === "ok") return html`<strong>${BREAKER_WORDS[h.state]}</strong>`
  if (verdict === "never-reached") return html`<strong>slskd never reached</strong> <a href="/download-manager/settings">check slskd's URL and API key in Settings</a>`
  if (verdict === "unreachable") return html`<strong>slskd is not answering</strong>`
  return html`<strong>slskd is not logged in to Soulseek</strong>`
}

/** Last sync as the rows know it: nothing to follow, the time of the last committed sync, or why it is failing. */
const syncLine = (h: ProviderHealth, now: number): SafeHtml =>
  h.syncIdle ? html`Last sync: nothing queued or downloading in slskd to follow${h.lastSync ? html` (last one ${ago(h.lastSync, now)})` : ""}`
    : h.syncSkipped ? html`Last sync ${ago(h.lastSync, now)}; <b>slskd's transfers could not be read</b>: ${h.syncSkipped}`
    : html`Last sync ${ago(h.lastSync, now)}`

export const healthPanel = (h: ProviderHealth, now: number): SafeHtml => {
  const verdict = slskdVerdict(h)
  const look = h.state === "CLOSED" && verdict !== "ok" ? "half_open" : h.state.toLowerCase()
  return html`<div class="health health-${look}" data-state="${h.state}" data-slskd="${verdict}">
  <p class="health-state"><span class="dot" aria-hidden="true"></span> ${headline(h, verdict)} <span class="muted">(circuit ${h.state})</span></p>
  <ul>
    <li>slskd ${h.slskd.reachable ? html`reachable${h.slskd.version ? html`, version ${h.slskd.version}` : ""}` : verdict === "never-reached" ? "never reached" : "unreachable"}; ${h.slskd.loggedIn === null ? "login unknown" : h.slskd.loggedIn ? "logged in to Soulseek" : html`<b>not logged in to Soulseek</b>`}</li>
    <li id="last-sync">${syncLine(h, now)}</li>
    <li>Consecutive failures: ${h.failureCount}</li>
    ${h.retryInSeconds !== null ? html`<li>Next try in ${h.retryInSeconds} s</li>` : ""}
    <li id="next-search">Next search ${h.nextSearchInSeconds > 0 ? html`in ${h.nextSearchInSeconds} s` : "now"}</li>
    ${h.lastError ? (h.state === "CLOSED" && h.failureCount === 0
      ? html`<li class="muted">Earlier problem (since recovered): ${h.lastError}</li>`
      : html`<li class="row-error">Last error: ${h.lastError}</li>`) : ""}
  </ul>
</div>`
}
