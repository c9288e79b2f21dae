import { Effect, Layer } from "effect"
import type { AlbumGroup } from "../domain/album-group.js"
import type { DownloadStatus } from "../domain/download.js"
import { AlbumGroups } from "../domain/ports/AlbumGroups.js"
import { Events, forEachBurst } from "./events.js"
import { importIsOn, LibraryIndexer } from "./library/library-indexer.js"

/**
 * A download moving through these changes nothing a header says (done, failed, in library), and
 * its row is grouped already (it was WAITING first): progress of a sync tick costs no query.
 */
const IN_FLIGHT: ReadonlySet<DownloadStatus> = new Set(["PENDING", "QUEUED", "DOWNLOADING"])

/** More rows than this of one album are not all named in its event: those that changed are. */
export const NAMED_ROWS = 200

/**
 * The album's downloads the page should gather into its group: all of them (a row shown before
 * its album was stored joins too), or for a very large album the ones that changed first.
 */
const rowsToName = (group: AlbumGroup, changed: ReadonlySet<string>): ReadonlyArray<string> => {
  const ids = group.members.map((m) => m.downloadId)
  if (ids.length <= NAMED_ROWS) return ids
  return [...ids.filter((id) => changed.has(id)), ...ids.filter((id) => !changed.has(id))].slice(0, Math.max(NAMED_ROWS, changed.size))
}

/**
 * After download changes (a new row, a finish, a retry, an import finishing), publishes the
 * counts of the albums they belong to, once per burst: 12 tracks of an album finishing in one
 * sync tick are one query and one event for that album, not 12.
 */
export const AlbumPublisherLive = Layer.scopedDiscard(Effect.gen(function*() {
  const events = yield* Events
  const groups = yield* AlbumGroups
  const library = yield* LibraryIndexer
  yield* forEachBurst("250 millis", (burst) => Effect.gen(function*() {
    const tracks = new Set<string>()
    const downloads = new Set<string>()
    for (const e of burst) {
      if (e.event._tag !== "DownloadChanged" || IN_FLIGHT.has(e.event.download.status)) continue
      tracks.add(e.event.download.trackId)
      downloads.add(e.event.download.id)
    }
    if (tracks.size === 0) return
    const albums = yield* groups.ofTracks([...tracks])
    if (albums.length === 0) return
    const libraryImport = importIsOn(yield* library.state)
    yield* events.publish(albums.map((group) => ({ _tag: "AlbumChanged" as const, group, libraryImport, rows: rowsToName(group, downloads) })))
  }))
}))
