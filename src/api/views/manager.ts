import type { Download, DownloadStatus } from "../../domain/download.js"
import type { DownloadStats, Page } from "../../domain/ports/DownloadRepository.js"
import type { ProviderHealth } from "../../application/health.js"
import { html, type SafeHtml } from "../html.js"
import { count } from "./format.js"
import { layout } from "./layout.js"
import { healthPanel, statsBar } from "./panels.js"
import { playlistForms } from "./playlists.js"
import { downloadList, showMore } from "./rows.js"
import { importIsOn, type LibraryState } from "../../application/library/library-indexer.js"
import { libraryPanel } from "./library.js"
import type { AlbumGroup } from "../../domain/album-group.js"
import { groupedList } from "./album-groups.js"

const STATUSES: ReadonlyArray<DownloadStatus> = ["WAITING", "PENDING", "QUEUED", "DOWNLOADING", "COMPLETED", "FAILED", "CANCELLED"]

export const queueForms = (profiles: ReadonlyArray<string>): SafeHtml => html`<section class="card" aria-labelledby="queue-h">
  <h2 id="queue-h">Queue music</h2>
  <form class="queue" hx-post="/download-manager/queue" hx-target="#queue-result" hx-swap="innerHTML">
    <label>Title <input name="title" required maxlength="500" autocomplete="off"></label>
    <label>Artist <input name="artist" required maxlength="500" autocomplete="off"></label>
    <label>Album <span class="muted">(optional)</span> <input name="album" maxlength="500" autocomplete="off"></label>
    <label>Quality <select name="quality_profile">${profiles.map((p) => html`<option value="${p}">${p}</option>`)}</select></label>
    <button type="submit">Queue track</button>
  </form>
  <form class="queue" hx-post="/download-manager/queue-album" hx-target="#queue-result" hx-swap="innerHTML">
    <label class="wide">Spotify or Deezer album link <input name="album_url" required maxlength="300" placeholder="https://open.spotify.com/album/… or https://www.deezer.com/album/…"></label>
    <button type="submit">Queue album</button>
  </form>
  ${playlistForms()}
  <div id="queue-result" role="status" aria-live="polite"></div>
</section>`

const countOf = (s: DownloadStats, status: DownloadStatus): number => s[status.toLowerCase() as Lowercase<DownloadStatus>]

/**
 * Text and status filters. Typing or ticking swaps only the results (the field keeps focus),
 * through the same URL, which the address bar then shows.
 */
export const listFilters = (tab: "active" | "history", selected: ReadonlyArray<DownloadStatus>, q: string, stats: DownloadStats): SafeHtml => html`<form class="filters" role="search" hx-get="/download-manager" hx-target="#list-results" hx-select="#list-results" hx-swap="outerHTML" hx-trigger="change, input changed delay:300ms from:find input[name=q], submit" hx-push-url="true">
  <input type="hidden" name="tab" value="${tab}">
  <label class="wide">Find in this list <input type="search" name="q" value="${q}" maxlength="200" autocomplete="off" placeholder="words of a song, artist or album, e.g. radiohead ok computer"></label>
  <fieldset><legend>Show</legend>
  ${STATUSES.map((s) =>
    html`<label class="chip"><input type="checkbox" name="status" value="${s}"${selected.includes(s) ? html` checked` : ""}> ${s.toLowerCase()} <span class="muted">${count(countOf(stats, s))}</span></label>`)}
  </fieldset>
</form>`

/**
 * Actions on the ticked rows (static/app.js keeps the ticks through live updates and enables the
 * buttons), and the two whole-queue actions. Only destructive ones ask first: cancel, remove, clear.
 */
const selectionBar = (): SafeHtml => {
  const bulk = (action: string, label: string, confirm?: string) =>
    html`<button type="button" class="bulk-action${confirm ? " danger" : ""}" data-action="${action}" hx-post="/download-manager/bulk" hx-vals='{"action":"${action}"}' hx-include=".select-row:checked, #bulk-priority" hx-target="#list-message" hx-swap="innerHTML" disabled${confirm ? html` hx-confirm="${confirm}"` : ""}>${label}</button>`
  return html`<div id="selection-bar" class="selection-bar" role="toolbar" aria-label="Actions on selected downloads">
  <label class="chip"><input type="checkbox" id="select-all" aria-label="Select all shown"> Select all shown</label>
  <span id="selected-count" class="muted" aria-live="polite">0 selected</span>
  ${bulk("pause", "Pause")}${bulk("resume", "Resume")}${bulk("retry", "Retry")}
  <label class="bulk-priority">priority <input type="number" id="bulk-priority" name="priority" value="0" min="-1000" max="1000" step="1" inputmode="numeric"></label>
  ${bulk("priority", "Set priority")}
  ${bulk("cancel", "Cancel", "Cancel the selected downloads?")}${bulk("remove", "Remove", "Remove the selected finished downloads from the lists? Files in the library stay.")}
  <span class="queue-actions">
    <button type="button" id="retry-failed" hx-post="/download-manager/retry-failed" hx-target="#list-message" hx-swap="innerHTML">Retry all failed</button>
    <button type="button" id="clear-finished" class="danger" hx-post="/download-manager/clear-finished" hx-target="#list-message" hx-swap="innerHTML" hx-confirm="Remove every finished download (completed, failed, cancelled) from the lists? Files in the library stay.">Clear finished</button>
  </span>
</div>`
}

export interface ManagerPage {
  readonly tab: "active" | "history"
  readonly page: Page
  /** Active tab: downloads that finished in the last 10 minutes (matching the filters). */
  readonly recent: ReadonlyArray<Download>
  readonly statuses: ReadonlyArray<DownloadStatus>
  readonly q: string
  readonly stats: DownloadStats
  readonly health: ProviderHealth
  readonly profiles: ReadonlyArray<string>
  readonly now: number
  readonly offset: number
  readonly limit: number
  readonly library?: LibraryState
  /** The albums of the rows shown: their rows are grouped under them. */
  readonly groups: ReadonlyArray<AlbumGroup>
}

const historyHref = (p: ManagerPage, offset: number) => {
  const params = new URLSearchParams({ tab: "history", offset: String(offset) })
  if (p.q !== "") params.set("q", p.q)
  for (const s of p.statuses) params.append("status", s)
  return `/download-manager?${params.toString()}`
}

/**
 * The results: data-more says whether rows exist past the last one shown (a new row sorting after
 * it arrives with "show more"), data-filtered whether the page can tell if a new row matches,
 * data-since when the list was read (a row created later is new to it).
 */
const results = (p: ManagerPage): SafeHtml => {
  const { downloads, total, nextCursor } = p.page
  const active = p.tab === "active"
  return html`<div id="list-results">
  <p id="new-rows" class="new-rows" hidden><button type="button" class="link">0 new, show</button></p>
  <ul id="${active ? "active-list" : "history-list"}" class="rows" aria-live="polite" data-total="${total}" data-more="${nextCursor !== null ? "true" : "false"}" data-filtered="${p.q !== "" ? "true" : "false"}" data-statuses="${p.statuses.join(",")}" data-since="${new Date(p.now).toISOString()}">
    ${groupedList(downloads, p.groups, importIsOn(p.library), active
      ? (p.q !== "" || p.statuses.length > 0 ? "No active download matches." : "Nothing is downloading. Queue a track above.")
      : "No downloads match.")}
    ${active ? showMore({ cursor: nextCursor, q: p.q, statuses: p.statuses }) : ""}
  </ul>
  ${!active && p.offset + p.limit < total ? html`<a class="more" href="${historyHref(p, p.offset + p.limit)}">Older…</a>` : ""}
  ${active && p.recent.length > 0 ? html`<h3 class="recent-h">Finished in the last 10 minutes</h3>
  <ul id="recent-list" class="rows">${downloadList(p.recent, "")}</ul>` : ""}
</div>`
}

export const listSection = (p: ManagerPage): SafeHtml => html`<section id="list" class="card" aria-labelledby="list-h">
  <h2 id="list-h">${p.tab === "active" ? "Active" : "History"} <span class="muted" id="list-count">(${count(p.page.total)})</span></h2>
  ${listFilters(p.tab, p.statuses, p.q, p.stats)}
  ${selectionBar()}
  <div id="list-message" role="status" aria-live="polite"></div>
  ${results(p)}
</section>`

export const managerPage = (p: ManagerPage): SafeHtml => layout(p.tab === "active" ? "Downloads" : "History", html`
<div class="live" hx-ext="sse" sse-connect="/download-manager/events">
  <section id="stats" class="card" aria-label="Counts" sse-swap="stats-html" hx-swap="innerHTML">${statsBar(p.stats)}</section>
  <div class="grid">
    <div class="col-main">
      ${p.tab === "active" ? queueForms(p.profiles) : ""}
      ${listSection(p)}
      <div id="row-events" hidden sse-swap="row,refresh,album" hx-swap="none"></div>
    </div>
    <aside class="col-side">
      <section class="card" aria-labelledby="health-h">
        <h2 id="health-h">slskd</h2>
        <div id="provider-health" sse-swap="health-html" hx-swap="innerHTML" hx-get="/api/downloads/manager/htmx/provider-health" hx-trigger="every 10s">${healthPanel(p.health, p.now)}</div>
      </section>
      ${p.library ? libraryPanel(p.library) : ""}
    </aside>
  </div>
</div>`, p.tab === "active" ? "downloads" : "history")
