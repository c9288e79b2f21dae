import { type AlbumGroup, groupCounts, groupRows } from "../../domain/album-group.js"
import type { Download } from "../../domain/download.js"
import { html, type SafeHtml } from "../html.js"
import { downloadRow } from "./rows.js"

/** Covers are served through our own route (the page loads nothing from other hosts), and only catalog https URLs. */
export const hasCover = (g: AlbumGroup): boolean => g.coverUrl !== null && g.coverUrl.startsWith("https://")
export const coverPath = (albumId: string): string => `/download-manager/albums/${encodeURIComponent(albumId)}/cover`

/**
 * An album's header: the fragment SSE sends (event `album`) when one of its downloads changes,
 * put in place by its stable id. data-order lists the album's downloads in disc and track order,
 * so the page can gather rows that arrive live into the group in that order.
 */
export const albumHead = (g: AlbumGroup, importOn: boolean): SafeHtml => {
  const counts = groupCounts(g, importOn)
  return html`<summary id="album-${g.albumId}" class="album-head" data-album-id="${g.albumId}" data-order="${g.members.map((m) => m.downloadId).join(" ")}">
  ${hasCover(g) ? html`<img class="cover" src="${coverPath(g.albumId)}" alt="" width="48" height="48" loading="lazy">` : html`<span class="cover cover-none" aria-hidden="true">♪</span>`}
  <span class="album-title"><strong>${g.title}</strong> <span class="muted">${g.artist}</span></span>
  <span class="album-counts">${counts.map((c, i) => html`${i > 0 ? " · " : ""}<span class="album-count">${c}</span>`)}</span>
  <progress class="album-progress" max="${g.totalTracks}" value="${g.done}" aria-label="${g.done} of ${g.totalTracks} tracks of ${g.title} done"></progress>
</summary>`
}

/**
 * The rows of one album under its header, collapsible without scripts. The group carries the
 * sort key of its first row, so a row arriving live is placed before or after it like a row.
 */
export const albumGroup = (g: AlbumGroup, downloads: ReadonlyArray<Download>, importOn: boolean, first: Download): SafeHtml =>
  html`<li id="album-group-${g.albumId}" class="album-group" data-album-id="${g.albumId}" data-priority="${first.priority}" data-created="${first.createdAt}">
<details open>
${albumHead(g, importOn)}
<ul class="rows album-rows">${downloads.map((d) => downloadRow(d))}</ul>
</details>
</li>`

/** A page of rows with each album's rows grouped (see groupRows for where a group goes). */
export const groupedList = (downloads: ReadonlyArray<Download>, groups: ReadonlyArray<AlbumGroup>, importOn: boolean, empty: string): SafeHtml =>
  downloads.length === 0
    ? html`<li class="empty">${empty}</li>`
    : html`${groupRows(downloads, groups).map((item) => item._tag === "Row"
      ? downloadRow(item.download)
      : albumGroup(item.group, item.downloads, importOn, item.first))}`
