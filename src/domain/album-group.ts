import type { Download } from "./download.js"

/** One download of an album's track, at its place in the album. */
export interface AlbumMember {
  readonly downloadId: string
  readonly discNumber: number
  readonly trackNumber: number
}

/**
 * What the page shows above an album's rows. Counts are over the album's tracks (a track counts
 * once whatever its downloads): done = a completed download, inLibrary = an imported one.
 */
export interface AlbumGroup {
  readonly albumId: string
  readonly title: string
  readonly artist: string
  readonly coverUrl: string | null
  /** The catalog's track count, or the stored tracks when that is larger. */
  readonly totalTracks: number
  readonly done: number
  readonly failed: number
  readonly inLibrary: number
  /** The downloads shown in this group, in disc, then track order (a track in several albums is shown in the album stored last). */
  readonly members: ReadonlyArray<AlbumMember>
}

export type ListItem =
  /** albumId: a row of an album with no other row in the list, shown on its own. */
  | { readonly _tag: "Row"; readonly download: Download; readonly albumId?: string }
  /** `first`: the group's first row in the page's order, whose place the group takes. */
  | { readonly _tag: "Group"; readonly group: AlbumGroup; readonly downloads: ReadonlyArray<Download>; readonly first: Download }

/**
 * The rows of a page as the list shows them: two or more rows of one album form one group, placed
 * where its first row is in the page's order; inside, disc then track order. A lone row of an
 * album stays a row (a header for one row would cost more page than it tells), as do the others.
 */
export const groupRows = (downloads: ReadonlyArray<Download>, groups: ReadonlyArray<AlbumGroup>): ReadonlyArray<ListItem> => {
  const groupOf = new Map<string, AlbumGroup>()
  const position = new Map<string, number>()
  for (const g of groups) {
    g.members.forEach((m, i) => {
      groupOf.set(m.downloadId, g)
      position.set(m.downloadId, i)
    })
  }
  const items: Array<ListItem> = []
  const open = new Map<string, Array<Download>>()
  for (const d of downloads) {
    const g = groupOf.get(d.id)
    if (g === undefined) {
      items.push({ _tag: "Row", download: d })
      continue
    }
    const rows = open.get(g.albumId)
    if (rows) {
      rows.push(d)
      continue
    }
    const fresh = [d]
    open.set(g.albumId, fresh)
    items.push({ _tag: "Group", group: g, downloads: fresh, first: d })
  }
  for (const rows of open.values()) rows.sort((a, b) => position.get(a.id)! - position.get(b.id)!)
  return items.map((item) => item._tag === "Group" && item.downloads.length === 1
    ? { _tag: "Row", download: item.first, albumId: item.group.albumId }
    : item)
}

/** "9/12 done", with failures and the library when there is something to say. */
export const groupCounts = (g: AlbumGroup, importOn: boolean): ReadonlyArray<string> => [
  `${g.done}/${g.totalTracks} done`,
  ...(g.failed > 0 ? [`${g.failed} failed`] : []),
  ...(importOn ? [`${g.inLibrary}/${g.totalTracks} in library`] : [])
]
