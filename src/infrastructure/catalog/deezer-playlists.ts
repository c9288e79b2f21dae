import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Duration, Effect, Schema } from "effect"
import { Setting } from "../../config.js"
import { CatalogRateLimited, CatalogUnavailable } from "../../domain/ports/AlbumSource.js"
import { Settings } from "../../domain/ports/Settings.js"
import { DeezerPlaylistPrivate, type ListRead, PlaylistNotFound } from "../../domain/ports/TrackListSource.js"
import type { SkippedEntry, TrackListEntry } from "../../domain/track-list.js"
import { decodeBody, exchange, withinApi } from "./http.js"

/*
 * Deezer public playlists: GET /playlist/{id} (title, `checksum`, which changes with the
 * content), then /playlist/{id}/tracks following `next` until it is absent. The embedded list of
 * /playlist/{id} is cut short on long playlists, and a page may hold fewer entries than asked
 * while more follow, so only `next` is trusted. Errors come as HTTP 200 bodies: code 800 = no
 * such playlist, 200/300 (permission, token) = a private playlist, which the public API cannot
 * read; 4 (quota) and 700 (busy) pause 1, 2, 4 s and retry. `readable: false` tracks are kept:
 * their metadata still serves a Soulseek search.
 */

const SERVICE = "Deezer"
const PAUSES = [Duration.seconds(1), Duration.seconds(2), Duration.seconds(4)]
const MAX_PAGES = 200

const ErrorBody = Schema.Struct({ error: Schema.Struct({ code: Schema.optional(Schema.Union(Schema.Number, Schema.NumberFromString)) }) })
const isError = Schema.is(ErrorBody)
const Id = Schema.Union(Schema.Number, Schema.String)
const PlaylistBody = Schema.Struct({
  id: Id,
  title: Schema.optional(Schema.NullOr(Schema.String)),
  checksum: Schema.optional(Schema.NullOr(Schema.String)),
  public: Schema.optional(Schema.NullOr(Schema.Boolean))
})
const Entry = Schema.Struct({
  id: Id,
  title: Schema.optional(Schema.NullOr(Schema.String)),
  duration: Schema.optional(Schema.NullOr(Schema.Number)),
  artist: Schema.optional(Schema.NullOr(Schema.Struct({ name: Schema.optional(Schema.NullOr(Schema.String)) }))),
  album: Schema.optional(Schema.NullOr(Schema.Struct({ id: Schema.optional(Id), title: Schema.optional(Schema.NullOr(Schema.String)) }))),
  type: Schema.optional(Schema.NullOr(Schema.String))
})
const Page = Schema.Struct({ data: Schema.Array(Schema.Unknown), next: Schema.optional(Schema.NullOr(Schema.String)) })
const decodeEntry = Schema.decodeUnknownOption(Entry)

type Answer = { readonly _tag: "Data"; readonly body: unknown } | { readonly _tag: "Error"; readonly code: number }

/** One Deezer playlist entry to a track, or why not. */
export const deezerEntry = (raw: unknown, position: number): { entry: TrackListEntry } | { skip: SkippedEntry } => {
  const decoded = decodeEntry(raw)
  if (decoded._tag === "None") return { skip: { trackId: null, line: null, reason: `entry ${position}: Deezer sent something that is not a track` } }
  const t = decoded.value
  const title = (t.title ?? "").trim()
  const artist = (t.artist?.name ?? "").trim()
  if (title === "" || artist === "") {
    return { skip: { trackId: String(t.id), line: null, reason: `entry ${position}: a track without ${title === "" ? "title" : "artist"}` } }
  }
  const albumTitle = (t.album?.title ?? "").trim() || null
  return {
    entry: {
      track: { title, artist, album: albumTitle, durationMs: typeof t.duration === "number" ? Math.round(t.duration * 1000) : null, deezerId: String(t.id) },
      album: t.album?.id !== undefined && albumTitle
        ? { source: "deezer", sourceId: String(t.album.id), title: albumTitle, artist, totalTracks: null, releaseDate: null }
        : null
    }
  }
}

export class DeezerPlaylists extends Effect.Service<DeezerPlaylists>()("soulspot/catalog/DeezerPlaylists", {
  effect: Effect.gen(function*() {
    const settings = yield* Settings
    const client = yield* HttpClient.HttpClient

    const get = (url: string, what: string) => {
      const loop = (pause: number, transient: number): Effect.Effect<Answer, CatalogRateLimited | CatalogUnavailable> =>
        exchange(HttpClientRequest.get(url).pipe(HttpClientRequest.acceptJson)).pipe(
          Effect.provideService(HttpClient.HttpClient, client),
          Effect.flatMap((reply) => {
            if (reply.status === 0 || reply.status >= 500) {
              const reason = `${what}: ${reply.status === 0 ? reply.problem ?? "no answer" : `HTTP ${reply.status}`}`
              return transient >= 2
                ? Effect.fail(new CatalogUnavailable({ service: SERVICE, reason }))
                : Effect.sleep(Duration.millis(500 * 2 ** transient)).pipe(Effect.zipRight(loop(pause, transient + 1)))
            }
            const code = reply.status === 429 ? 4 : isError(reply.body) ? reply.body.error.code ?? -1 : undefined
            if (code === 4 || code === 700) {
              const wait = PAUSES[pause]
              if (wait === undefined) {
                return Effect.fail(code === 4 ? new CatalogRateLimited({ service: SERVICE, retryAfterSeconds: null })
                  : new CatalogUnavailable({ service: SERVICE, reason: `${what}: Deezer stayed busy` }))
              }
              return Effect.logWarning(`Deezer ${code === 4 ? "quota reached" : "busy"} on ${what}: pausing ${Duration.format(wait)}`).pipe(
                Effect.zipRight(Effect.sleep(wait)), Effect.zipRight(loop(pause + 1, transient)))
            }
            if (code !== undefined) return Effect.succeed<Answer>({ _tag: "Error", code })
            if (reply.status !== 200) return Effect.fail(new CatalogUnavailable({ service: SERVICE, reason: `${what}: HTTP ${reply.status}` }))
            return Effect.succeed<Answer>({ _tag: "Data", body: reply.body })
          }))
      return loop(0, 0)
    }

    const refused = (id: string, code: number) => {
      if (code === 800) return new PlaylistNotFound({ message: `Deezer has no playlist ${id}` })
      if (code === 200 || code === 300) {
        return new DeezerPlaylistPrivate({
          message: `Deezer playlist ${id} is private: Deezer's public API reads only public playlists, and Deezer no longer registers ` +
            `the apps that could read private ones. Make the playlist public in Deezer, or export it to a CSV file and upload that.`
        })
      }
      return new CatalogUnavailable({ service: SERVICE, reason: `playlist ${id}: Deezer error ${code}` })
    }

    const playlist = (id: string, knownSnapshot: string | null) => Effect.gen(function*() {
      const base = yield* settings.get(Setting.deezerApiUrl)
      const head = yield* get(`${base}/playlist/${encodeURIComponent(id)}`, "playlist lookup")
      if (head._tag === "Error") return yield* refused(id, head.code)
      const meta = yield* decodeBody(PlaylistBody, head.body, SERVICE, "playlist lookup")
      if (meta.public === false) return yield* refused(id, 200)
      const snapshot = meta.checksum ?? null
      if (snapshot !== null && snapshot === knownSnapshot) return { _tag: "Unchanged", snapshot } satisfies ListRead
      const entries: Array<TrackListEntry> = []
      const skipped: Array<SkippedEntry> = []
      let url: string | undefined = `${base}/playlist/${encodeURIComponent(id)}/tracks?limit=100`
      let position = 0
      for (let n = 0; n < MAX_PAGES && url !== undefined; n++) {
        const answer: Answer = yield* get(url, "playlist tracks")
        if (answer._tag === "Error") return yield* refused(id, answer.code)
        const page: typeof Page.Type = yield* decodeBody(Page, answer.body, SERVICE, "playlist tracks")
        for (const raw of page.data) {
          const outcome = deezerEntry(raw, ++position)
          if ("skip" in outcome) skipped.push(outcome.skip)
          else entries.push(outcome.entry)
        }
        url = withinApi(page.next, base)
      }
      yield* Effect.logInfo(`Deezer playlist ${id} read: ${entries.length} tracks, ${skipped.length} entries skipped`)
      return {
        _tag: "List",
        list: { source: "deezer", sourceId: String(meta.id), title: meta.title?.trim() || `Deezer playlist ${id}`, snapshot, entries, skipped }
      } satisfies ListRead
    }).pipe(Effect.withSpan("DeezerPlaylists.playlist", { attributes: { id } }))

    return { playlist } as const
  })
}) {}
