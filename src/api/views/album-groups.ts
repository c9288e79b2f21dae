import { type AlbumGroup, groupCounts, groupRows } from "../../domain/album-group.js"
import { type Download, isActive } from "../../domain/download.js"
import { compactHtml, html, type SafeHtml } from "../html.js"
import { albumFirst, downloadRow } from "./rows.js"

/** Covers are served through our own route (the page loads nothing from other hosts), and only catalog https URLs. */
export const hasCover = (g: AlbumGroup): boolean => g.coverUrl !== null && g.coverUrl.startsWith("https://")
export const coverPath = (albumId: string): string => `/download-manager/albums/${encodeURIComponent(albumId)}/cover`

/**
 * An album's header: the fragment SSE sends (event `album`) when some of its downloads changed,
 * put in place by its stable id. On the stream, data-rows names the album's downloads, so the
 * page gathers those it shows into the group (in disc and track order, from the rows' data-disc
 * and data-track). Kept short: a first page may hold one for every two rows.
 */
export const albumHead = (g: AlbumGroup, importOn: boolean, rows?: ReadonlyArray<string>): SafeHtml =>
  html`<summary id="album-${g.albumId}" class="album-head"${rows ? html` data-rows="${rows.join(" ")}"` : ""}>${hasCover(g)
    ? html`<img class="cover" src="${coverPath(g.albumId)}" alt="" loading="lazy">`
    : html`<span class="cover" aria-hidden="true">♪</span>`}<span class="album-title"><strong>${g.title}</strong> <span class="muted">${g.artist}</span></span> <span class="album-counts">${groupCounts(g, importOn).join(" · ")}</span></summary>`

/**
 * The rows of one album under its header, collapsible without scripts, with the album's own
 * actions. static/app.js gives the group the sort key of its first row (not sent: page bytes),
 * so a row arriving live is placed before or after it like a row.
 */
export const albumGroup = (g: AlbumGroup, downloads: ReadonlyArray<Download>, importOn: boolean): SafeHtml => {
  const active = downloads.find((d) => isActive(d.status))
  return compactHtml`<li id="album-group-${g.albumId}" class="album-group"><details open>${albumHead(g, importOn)}
<div class="album-actions"><button type="button" class="link select-album">Select album</button>${active ? albumFirst(active.id) : ""}</div>
<ul class="rows album-rows">${downloads.map((d) => downloadRow(d, { grouped: true }))}</ul></details></li>`
}

/** A page of rows with each album's rows grouped (see groupRows for where a group goes). */
export const groupedList = (downloads: ReadonlyArray<Download>, groups: ReadonlyArray<AlbumGroup>, importOn: boolean, empty: string): SafeHtml =>
  downloads.length === 0
    ? html`<li class="empty">${empty}</li>`
    : html`${groupRows(downloads, groups).map((item) => item._tag === "Row"
      ? downloadRow(item.download, { albumId: item.albumId })
      : albumGroup(item.group, item.downloads, importOn))}`
