import { type Download, isActive, isTerminal, progressOf } from "../../domain/download.js"
import type { Candidate } from "../../domain/ports/DownloadRepository.js"
import { compactHtml, html, type SafeHtml } from "../html.js"
import { baseName, bytes, duration, speed, timeTag } from "./format.js"
import { importPanel } from "./import-panel.js"

const STATUS_WORDS: Record<Download["status"], string> = {
  WAITING: "Waiting", PENDING: "File chosen", QUEUED: "Queued", DOWNLOADING: "Downloading",
  COMPLETED: "Completed", FAILED: "Failed", CANCELLED: "Cancelled"
}

export const rowId = (d: Download) => `download-${d.id}`

/** Rows of one album are selected together: the same artist and album text. */
const albumKey = (d: Download) => d.track.album ? `${d.track.artist}\u0000${d.track.album}`.toLowerCase() : ""

/**
 * Pause or resume, and the priority steps: only while the download is active. Their answer is the
 * row, put in its place (hx-target comes from the <li>): kept short, a page holds 125 rows.
 */
const activeControls = (d: Download): SafeHtml => {
  const url = `/download-manager/downloads/${d.id}`
  return compactHtml`${d.paused === true
    ? html`<button type="button" hx-post="${url}/resume" hx-swap="outerHTML">Resume</button>`
    : html`<button type="button" hx-post="${url}/pause" hx-swap="outerHTML">Pause</button>`}
    <form class="prio" hx-post="${url}/priority" hx-swap="outerHTML"><span class="muted">priority <b class="prio-value">${d.priority}</b></span><button class="link" name="move" value="up" aria-label="Raise priority">▲</button><button class="link" name="move" value="down" aria-label="Lower priority">▼</button><button class="link" name="move" value="top" aria-label="Move to the top">Top</button></form>`
}

/** When a finished row finished: completed_at for a completed one, its last change for a failed or cancelled one. */
const finishedAt = (d: Download): SafeHtml | "" => {
  const at = d.status === "COMPLETED" ? d.completedAt ?? d.updatedAt : d.status === "FAILED" || d.status === "CANCELLED" ? d.updatedAt : null
  return at === null ? "" : html`<span class="finished-at">${STATUS_WORDS[d.status].toLowerCase()} ${timeTag(at, "relative")}</span>`
}

/**
 * One download: the fragment SSE sends and the page puts in place by its stable id. data-priority
 * and data-created are the list's sort key, so the page can insert a new row where it belongs.
 * The candidate panel keeps its content when the row is replaced (hx-preserve here, and
 * static/app.js for rows that arrive by SSE), so it stays open through live updates.
 */
export const downloadRow = (d: Download): SafeHtml => {
  const p = progressOf(d)
  const status = d.status.toLowerCase()
  const paused = d.paused === true
  return compactHtml`<li id="${rowId(d)}" class="row status-${status}${paused ? " paused" : ""}" data-status="${d.status}" data-priority="${d.priority}" data-created="${d.createdAt}" ${paused ? html` data-paused="true"` : ""} data-album="${albumKey(d)}" hx-target="#${rowId(d)}">
  <div class="row-main">
    <input type="checkbox" class="select-row" name="ids" value="${d.id}" aria-label="Select “${d.track.title}”">
    <div class="row-title"><strong>${d.track.title}</strong> <span class="muted">${d.track.artist}${d.track.album ? html` · ${d.track.album}` : ""}</span></div>
    <span class="badges">${paused ? html`<span class="badge badge-paused">Paused</span> ` : ""}<span class="badge badge-${status}" role="status">${STATUS_WORDS[d.status]}</span></span>
  </div>
  ${p ? html`<progress class="progress" role="progressbar" max="100" value="${Math.min(100, p.percent)}" aria-label="progress of ${d.track.title}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${p.percent}"></progress>
  <div class="row-figures"><span>${p.percent.toFixed(1)} %</span><span>${bytes(p.bytesTransferred)} / ${bytes(p.size)}</span><span>${speed(p.speedBps)}</span><span>ETA ${duration(p.etaSeconds)}</span></div>` : ""}
  <div class="row-meta muted">
    ${d.username ? html`<span title="${d.filename ?? ""}">from <b>${d.username}</b>: ${baseName(d.filename)}</span>` : ""}
    ${d.attempts > 0 ? html`<span>${d.attempts} failed attempt${d.attempts === 1 ? "" : "s"}</span>` : ""}
    ${d.nextAttemptAt && d.status === "WAITING" ? html`<span class="next-try">next try at ${timeTag(d.nextAttemptAt, "clock")}</span>` : ""}
    ${finishedAt(d)}
    ${d.priority !== 0 && !isActive(d.status) ? html`<span>priority ${d.priority}</span>` : ""}
    ${paused ? html`<span>paused: nothing runs until you resume it</span>` : ""}
    <span>profile ${d.qualityProfile}</span>
  </div>
  ${d.error ? html`<div class="row-error">${d.error}</div>` : ""}
  ${importPanel(d)}
<div class="row-actions">
<button type="button" class="link" hx-get="/download-manager/downloads/${d.id}/candidates" hx-target="next .why" hx-swap="innerHTML">Why this file?</button>
${isActive(d.status) ? activeControls(d) : ""}
${isActive(d.status) ? html`<button type="button" class="danger" hx-post="/download-manager/downloads/${d.id}/cancel" hx-swap="outerHTML" hx-confirm="Cancel “${d.track.title}”?">Cancel</button>` : ""}
${d.status === "FAILED" || d.status === "CANCELLED" ? html`<button type="button" hx-post="/download-manager/downloads/${d.id}/retry" hx-swap="outerHTML">Retry</button>` : ""}
${isTerminal(d.status) ? html`<button type="button" class="link" hx-post="/download-manager/downloads/${d.id}/remove" hx-swap="outerHTML" title="Remove from the lists (a file in the library stays)">Remove</button>` : ""}
${isActive(d.status) && d.track.album ? html`<button type="button" class="link" hx-post="/download-manager/downloads/${d.id}/album-first" hx-target="#list-message" hx-swap="innerHTML" title="Search this album first">Album to the front</button>` : ""}
${d.track.album ? html`<button type="button" class="link select-album">Select album</button>` : ""}
</div>
  <div id="why-${d.id}" class="why" hx-preserve></div>
</li>`
}

export const downloadList = (downloads: ReadonlyArray<Download>, empty: string): SafeHtml =>
  downloads.length === 0
    ? html`<li class="empty">${empty}</li>`
    : html`${downloads.map((d) => downloadRow(d))}`

/** The link to the next page of the active list: the same fragment URL with the cursor. */
export const activeListUrl = (f: { readonly cursor?: string | null; readonly q: string; readonly statuses: ReadonlyArray<string> }): string => {
  const params = new URLSearchParams()
  if (f.cursor) params.set("cursor", f.cursor)
  if (f.q !== "") params.set("q", f.q)
  if (f.statuses.length > 0) params.set("status", f.statuses.join(","))
  const query = params.toString()
  return `/api/downloads/manager/htmx/list${query === "" ? "" : `?${query}`}`
}

/** "Show more": replaced by the next page's rows (and the next "show more", if any). */
export const showMore = (f: { readonly cursor: string | null; readonly q: string; readonly statuses: ReadonlyArray<string> }): SafeHtml =>
  f.cursor === null ? html`` : html`<li class="more-row"><button type="button" class="more" hx-get="${activeListUrl(f)}" hx-target="closest li" hx-swap="outerHTML">Show more</button></li>`

/** The file a download has now, if any: its candidate row is marked and cannot be "used" again. */
const isCurrent = (d: Download, c: Candidate) => c.username === d.username && c.filename === d.filename

/**
 * The "why this file" view: every candidate with its score and the reasons behind it, and the
 * ways to change the file: "use this file" per candidate, "try the next candidate" for the whole.
 */
export const candidatesView = (d: Download, candidates: ReadonlyArray<Candidate>, note?: SafeHtml): SafeHtml => {
  const canChoose = d.status !== "COMPLETED"
  const target = `#why-${d.id}`
  return html`<div class="candidates">
  <h4>Candidates for “${d.track.title}”</h4>
  ${note ?? ""}
  ${candidates.length === 0 ? html`<p class="muted">No search results stored yet.</p>` : html`<table>
    <thead><tr><th scope="col">#</th><th scope="col">Peer and file</th><th scope="col">Score</th><th scope="col">Why</th>${canChoose ? html`<th scope="col"><span class="sr-only">Action</span></th>` : ""}</tr></thead>
    <tbody>${candidates.map((c) => html`<tr class="${c.accepted ? "accepted" : "rejected"}${isCurrent(d, c) ? " chosen" : ""}" data-rank="${c.rank}">
      <td>${c.rank}</td>
      <td><b>${c.username}</b><br><span class="path">${c.filename}</span><br><span class="muted">${bytes(c.size)}${c.outcome ? html` · ${c.outcome}` : ""}</span></td>
      <td>${c.accepted ? c.score.toFixed(2) : "rejected"}</td>
      <td><ul>${c.reasons.map((r) => html`<li>${r}</li>`)}</ul></td>
      ${canChoose ? html`<td>${isCurrent(d, c) && isActive(d.status)
        ? html`<span class="muted">current file</span>`
        : html`<button type="button" class="use-file" hx-post="/download-manager/downloads/${d.id}/candidates/${c.rank}/use" hx-target="${target}" hx-swap="innerHTML" aria-label="Use file #${c.rank} from ${c.username}">Use this file</button>`}</td>` : ""}
    </tr>`)}</tbody>
  </table>`}
  ${isActive(d.status) && d.username !== null ? html`<button type="button" class="next-candidate" hx-post="/download-manager/downloads/${d.id}/next-candidate" hx-target="${target}" hx-swap="innerHTML">Try the next candidate</button>` : ""}
  <button type="button" class="link close-why">Close</button>
</div>`
}
