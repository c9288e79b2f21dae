import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Duration, Effect, Schema } from "effect"
import { Setting } from "../../config.js"
import { AlbumNotFound, type CatalogAlbum, CatalogRateLimited, CatalogUnavailable } from "../../domain/ports/AlbumSource.js"
import { Settings } from "../../domain/ports/Settings.js"
import type { TrackInput } from "../../domain/track.js"
import { byDiscAndTrack, decodeBody, exchange, type Reply, withinApi } from "./http.js"
import { retryReplies, TryAgain } from "./retry.js"

/*
 * Deezer public API. No key needed.
 *
 * - GET /album/{id} for the album's title, artist and date only: its embedded `tracks` list is
 *   truncated at 25 and lacks ISRC and positions, so it is never used.
 * - GET /album/{id}/tracks?limit=100, then `next` while present (the key is left out, not
 *   null, on the last page). limit=100 keeps a long album to few calls under the quota;
 *   `next` is what we trust, whatever page size Deezer actually applies.
 * - Errors come as HTTP 200 with {"error":{"type","message","code"}}: code 800 = not found;
 *   codes 4 (quota: 50 calls per 5 s per IP) and 700 (service busy) = pause 1 s, 2 s, 4 s and
 *   retry, then give up with CatalogRateLimited / CatalogUnavailable. Only `code` is read.
 * - Durations are whole seconds; we store milliseconds.
 */

const SERVICE = "Deezer"
// quota/busy: pauses of 1 s, 2 s, 4 s; transport errors and 5xx: 0.5 s, 1 s
const RETRY_BUDGETS = {
  busy: { times: 3, backoff: Duration.seconds(1) },
  transient: { times: 2, backoff: Duration.millis(500) }
} as const
const MAX_PAGES = 100
const PAGE_LIMIT = 100

const Id = Schema.Union(Schema.Number, Schema.String)
const ErrorBody = Schema.Struct({
  error: Schema.Struct({
    code: Schema.optional(Schema.Union(Schema.Number, Schema.NumberFromString)),
    type: Schema.optional(Schema.String),
    message: Schema.optional(Schema.String)
  })
})
const AlbumBody = Schema.Struct({
  id: Id,
  title: Schema.String,
  artist: Schema.optional(Schema.NullOr(Schema.Struct({ name: Schema.String }))),
  release_date: Schema.optional(Schema.NullOr(Schema.String)),
  cover_xl: Schema.optional(Schema.NullOr(Schema.String)),
  cover_big: Schema.optional(Schema.NullOr(Schema.String)),
  nb_tracks: Schema.optional(Schema.Number)
})
const TrackItem = Schema.Struct({
  id: Id,
  title: Schema.String,
  isrc: Schema.optional(Schema.NullOr(Schema.String)),
  duration: Schema.optional(Schema.NullOr(Schema.Number)),
  track_position: Schema.optional(Schema.NullOr(Schema.Number)),
  disk_number: Schema.optional(Schema.NullOr(Schema.Number)),
  artist: Schema.optional(Schema.NullOr(Schema.Struct({ name: Schema.String })))
})
type TrackItem = typeof TrackItem.Type
const TracksPage = Schema.Struct({
  data: Schema.Array(TrackItem),
  total: Schema.optional(Schema.Number),
  next: Schema.optional(Schema.NullOr(Schema.String))
})

type Answer = { readonly _tag: "Data"; readonly body: unknown } | { readonly _tag: "NoData" }

const isErrorBody = Schema.is(ErrorBody)

/** "0000-00-00" and other placeholders are no date. */
const releaseDate = (d: string | null | undefined): string | null =>
  d && /^\d{4}(-\d{2}){0,2}$/.test(d) && !d.startsWith("0000") ? d : null

export class DeezerAlbums extends Effect.Service<DeezerAlbums>()("soulspot/catalog/DeezerAlbums", {
  effect: Effect.gen(function*() {
    const settings = yield* Settings
    const client = yield* HttpClient.HttpClient

    const send = (url: string) =>
      exchange(HttpClientRequest.get(url).pipe(HttpClientRequest.acceptJson)).pipe(Effect.provideService(HttpClient.HttpClient, client))

    const describe = (what: string, r: Reply) => `${what}: ${r.status === 0 ? r.problem ?? "no answer" : `HTTP ${r.status}`}`

    /** GET that reads Deezer's 200-with-error envelope; retries quota/busy and transport errors, bounded. */
    const get = (url: string, what: string): Effect.Effect<Answer, CatalogRateLimited | CatalogUnavailable> =>
      retryReplies(Effect.flatMap(send(url), (reply): Effect.Effect<Answer, CatalogUnavailable | TryAgain<CatalogRateLimited | CatalogUnavailable>> => {
        if (reply.status === 0 || reply.status >= 500) {
          return Effect.fail(new TryAgain({
            budget: "transient", exhausted: new CatalogUnavailable({ service: SERVICE, reason: describe(what, reply) })
          }))
        }
        const code = reply.status === 429 ? 4 : isErrorBody(reply.body) ? reply.body.error.code ?? -1 : undefined
        if (code === 800) return Effect.succeed<Answer>({ _tag: "NoData" })
        if (code === 4 || code === 700) {
          return Effect.fail(new TryAgain({
            budget: "busy",
            exhausted: code === 4
              ? new CatalogRateLimited({ service: SERVICE, retryAfterSeconds: null })
              : new CatalogUnavailable({ service: SERVICE, reason: `${what}: Deezer is busy (error 700) and stayed busy` }),
            note: (pause) => `Deezer ${code === 4 ? "quota reached" : "busy"} on ${what}: pausing ${Duration.format(pause)}`
          }))
        }
        if (code !== undefined) {
          const e = (reply.body as typeof ErrorBody.Type).error
          return Effect.fail(new CatalogUnavailable({
            service: SERVICE, reason: `${what}: Deezer error ${code}${e.type ? ` ${e.type}` : ""}${e.message ? ` (${e.message})` : ""}`
          }))
        }
        if (reply.status !== 200) return Effect.fail(new CatalogUnavailable({ service: SERVICE, reason: describe(what, reply) }))
        return Effect.succeed<Answer>({ _tag: "Data", body: reply.body })
      }), RETRY_BUDGETS)

    const toTrack = (album: string, albumArtist: string) => (t: TrackItem, index: number): TrackInput => ({
      title: t.title,
      artist: t.artist?.name.trim() || albumArtist,
      album,
      durationMs: typeof t.duration === "number" ? Math.round(t.duration * 1000) : null,
      isrc: t.isrc?.trim() || null,
      trackNumber: t.track_position ?? index + 1,
      discNumber: t.disk_number ?? 1,
      deezerId: String(t.id)
    })

    const fetchAlbum = (id: string) => Effect.gen(function*() {
      const base = yield* settings.get(Setting.deezerApiUrl)
      const notFound = new AlbumNotFound({ source: "deezer", albumId: id })
      const head = yield* get(`${base}/album/${encodeURIComponent(id)}`, "album lookup")
      if (head._tag === "NoData") return yield* notFound
      const album = yield* decodeBody(AlbumBody, head.body, SERVICE, "album lookup")

      const items: Array<TrackItem> = []
      let url: string | undefined = `${base}/album/${encodeURIComponent(id)}/tracks?limit=${PAGE_LIMIT}`
      for (let n = 0; n < MAX_PAGES && url !== undefined; n++) {
        const answer: Answer = yield* get(url, "album tracks")
        if (answer._tag === "NoData") return yield* notFound
        const page: typeof TracksPage.Type = yield* decodeBody(TracksPage, answer.body, SERVICE, "album tracks")
        items.push(...page.data)
        url = page.data.length === 0 ? undefined : withinApi(page.next, base)
      }
      if (album.nb_tracks !== undefined && items.length < album.nb_tracks) {
        yield* Effect.logWarning(`Deezer album ${id}: ${items.length} of ${album.nb_tracks} tracks listed`)
      }

      const artist = album.artist?.name.trim() || "Unknown artist"
      const result: CatalogAlbum = {
        source: "deezer",
        sourceId: String(album.id),
        title: album.title,
        artist,
        releaseDate: releaseDate(album.release_date),
        coverUrl: album.cover_xl || album.cover_big || null,
        tracks: byDiscAndTrack(items.map(toTrack(album.title, artist))),
        libraryId: null
      }
      return result
    }).pipe(Effect.withSpan("DeezerAlbums.fetchAlbum", { attributes: { id } }))

    return { fetchAlbum } as const
  })
}) {}
