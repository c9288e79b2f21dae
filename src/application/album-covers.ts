import { Cache, Data, Duration, Effect, Exit, Option } from "effect"
import { AlbumGroups } from "../domain/ports/AlbumGroups.js"
import type { CoverImage } from "../infrastructure/library/audio-file.js"
import { fetchCover } from "../infrastructure/library/cover-art.js"

/** What the page can show for an album: its cover, none (no https cover stored), or not now (the fetch failed). */
export type PageCover = Data.TaggedEnum<{
  Cover: { readonly image: CoverImage }
  NoCover: {}
  Unavailable: {}
}>
const PageCover = Data.taggedEnum<PageCover>()

/** A cover for the page is a thumbnail: larger images are not kept (catalog covers are 0.1-0.3 MB). */
const MAX_PAGE_COVER_BYTES = 2 * 1024 * 1024

/**
 * Album covers for the page, fetched by the server from the catalog's https URL and kept in a
 * small cache, so the page itself loads images only from its own origin. A cover that cannot be
 * had is remembered for a minute, so a page of broken covers does not refetch them every time.
 */
export class AlbumCovers extends Effect.Service<AlbumCovers>()("soulspot/AlbumCovers", {
  effect: Effect.gen(function*() {
    const groups = yield* AlbumGroups
    const cache = yield* Cache.makeWith({
      capacity: 64,
      lookup: (albumId: string) => Effect.gen(function*() {
        const url = yield* groups.coverUrl(albumId)
        if (Option.isNone(url) || !url.value.startsWith("https://")) return PageCover.NoCover()
        const got = yield* Effect.promise(() => fetchCover(url.value))
        const problem = "error" in got ? got.error : got.data.length > MAX_PAGE_COVER_BYTES ? `the cover is ${got.data.length} bytes` : undefined
        if (problem !== undefined) {
          yield* Effect.logInfo(`album cover not shown: ${problem}`).pipe(Effect.annotateLogs({ album: albumId }))
          return PageCover.Unavailable()
        }
        return PageCover.Cover({ image: got as CoverImage })
      }),
      timeToLive: (exit) => Exit.isSuccess(exit) && exit.value._tag === "Cover" ? Duration.hours(6) : Duration.minutes(1)
    })
    return { get: Effect.fn("AlbumCovers.get")((albumId: string) => cache.get(albumId)) } as const
  })
}) {}
