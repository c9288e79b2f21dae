import type { Download, DownloadStatus } from "../../domain/download.js"
import type { DownloadStats } from "../../domain/ports/DownloadRepository.js"
import type { ProviderHealth } from "../../application/health.js"
import { html, type SafeHtml } from "../html.js"
import { layout } from "./layout.js"
import { healthPanel, statsBar } from "./panels.js"
import { playlistForms } from "./playlists.js"
import { downloadList } from "./rows.js"
import type { LibraryState } from "../../application/library/library-indexer.js"
import { libraryPanel } from "./library.js"

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

export const statusFilter = (tab: "active" | "history", selected: ReadonlyArray<DownloadStatus>): SafeHtml => html`<form class="filters" hx-get="/download-manager" hx-target="#list" hx-select="#list" hx-swap="outerHTML" hx-trigger="change" hx-push-url="true">
  <input type="hidden" name="tab" value="${tab}">
  <fieldset><legend>Show</legend>
  ${STATUSES.map((s) =>
    html`<label class="chip"><input type="checkbox" name="status" value="${s}"${selected.includes(s) ? html` checked` : ""}> ${s.toLowerCase()}</label>`)}
  </fieldset>
</form>`

export interface ManagerPage {
  readonly tab: "active" | "history"
  readonly downloads: ReadonlyArray<Download>
  readonly total: number
  readonly statuses: ReadonlyArray<DownloadStatus>
  readonly stats: DownloadStats
  readonly health: ProviderHealth
  readonly profiles: ReadonlyArray<string>
  readonly now: number
  readonly offset: number
  readonly limit: number
  readonly library?: LibraryState
}

export const listSection = (p: ManagerPage): SafeHtml => html`<section id="list" class="card" aria-labelledby="list-h">
  <h2 id="list-h">${p.tab === "active" ? "Active and recent" : "History"} <span class="muted" id="list-count">(${p.total})</span></h2>
  ${statusFilter(p.tab, p.statuses)}
  <ul id="${p.tab === "active" ? "active-list" : "history-list"}" class="rows" aria-live="polite">
    ${downloadList(p.downloads, p.tab === "active" ? "Nothing is downloading. Queue a track above." : "No downloads match.")}
  </ul>
  ${p.tab === "history" && p.offset + p.limit < p.total
    ? html`<a class="more" href="/download-manager?tab=history&offset=${p.offset + p.limit}${p.statuses.map((s) => html`&status=${s}`)}">Older…</a>` : ""}
</section>`

export const managerPage = (p: ManagerPage): SafeHtml => layout(p.tab === "active" ? "Downloads" : "History", html`
<div class="live" hx-ext="sse" sse-connect="/download-manager/events">
  <section id="stats" class="card" aria-label="Counts" sse-swap="stats-html" hx-swap="innerHTML">${statsBar(p.stats)}</section>
  <div class="grid">
    <div class="col-main">
      ${p.tab === "active" ? queueForms(p.profiles) : ""}
      ${listSection(p)}
      <div hidden sse-swap="row" hx-swap="none"></div>
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
