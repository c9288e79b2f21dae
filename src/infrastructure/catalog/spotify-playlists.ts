import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Duration, Effect, Either, Redacted, Schema } from "effect"
import { Setting } from "../../config.js"
import { CatalogRateLimited, CatalogUnavailable } from "../../domain/ports/AlbumSource.js"
import { Settings } from "../../domain/ports/Settings.js"
import {
  InvalidPlaylistReference, type ListRead, spotifyForbiddenMessage, SpotifyNotConnected, SpotifyPlaylistForbidden,
  SpotifyPlaylistUnavailable
} from "../../domain/ports/TrackListSource.js"
import type { SkippedEntry, TrackListEntry } from "../../domain/track-list.js"
import { SpotifyAccount, type UserToken } from "../spotify/account.js"
import { decodeBody, exchange, type Reply, retryAfterSeconds, withinApi } from "./http.js"
import { SpotifyAlbums } from "./spotify.js"
import { spotifyEntry } from "./spotify-entries.js"

/*
 * Spotify playlists and Liked Songs (rules since 2026): a playlist's entries come from
 * /playlists/{id}/items, which answers only to the token of a user who owns or collaborates on
 * it (403 otherwise, and always to a client-credentials token); Spotify's editorial playlists
 * answer 404. So the connected user's token is used when there is one, else the app's.
 * A known snapshot_id stops the read after the first request (a watched playlist that did not
 * change). 429 waits Retry-After (at most 3 times, 30 s each); 401 refreshes the user token once.
 */

const SERVICE = "Spotify"
const PAGE = 50
const MAX_PLAYLIST_PAGES = 220
const MAX_LIKED_PAGES = 2000
const MAX_RATE_LIMIT_RETRIES = 3
const MAX_RETRY_AFTER_SECONDS = 30

const PlaylistMeta = Schema.Struct({
  id: Schema.String,
  name: Schema.optional(Schema.NullOr(Schema.String)),
  snapshot_id: Schema.optional(Schema.NullOr(Schema.String))
})
const Page = Schema.Struct({
  items: Schema.Array(Schema.Unknown),
  next: Schema.optional(Schema.NullOr(Schema.String)),
  total: Schema.optional(Schema.NullOr(Schema.Number))
})
const UserPlaylists = Schema.Struct({
  items: Schema.Array(Schema.NullOr(Schema.Struct({
    id: Schema.String,
    name: Schema.optional(Schema.NullOr(Schema.String)),
    owner: Schema.optional(Schema.NullOr(Schema.Struct({ id: Schema.String, display_name: Schema.optional(Schema.NullOr(Schema.String)) }))),
    collaborative: Schema.optional(Schema.NullOr(Schema.Boolean)),
    snapshot_id: Schema.optional(Schema.NullOr(Schema.String))
  }))),
  next: Schema.optional(Schema.NullOr(Schema.String)),
  total: Schema.optional(Schema.Number)
})
const FirstAdded = Schema.Struct({ added_at: Schema.optional(Schema.NullOr(Schema.String)) })

export interface UserPlaylist {
  readonly id: string
  readonly name: string
  readonly owner: string
  readonly collaborative: boolean
  readonly snapshotId: string | null
  readonly readable: boolean
}

const notConnected = (t: UserToken) => new SpotifyNotConnected({
  message: t._tag === "Reconnect"
    ? "reconnect: Spotify no longer accepts the stored login; connect the Spotify account again in Settings"
    : "no Spotify account is connected; connect one in Settings (\"Connect Spotify\")"
})

type Bearer = { readonly kind: "user"; readonly token: Redacted.Redacted<string> } | { readonly kind: "app" }

export class SpotifyPlaylists extends Effect.Service<SpotifyPlaylists>()("soulspot/catalog/SpotifyPlaylists", {
  effect: Effect.gen(function*() {
    const settings = yield* Settings
    const client = yield* HttpClient.HttpClient
    const account = yield* SpotifyAccount
    const app = yield* SpotifyAlbums

    const send = (url: string, token: Redacted.Redacted<string>) =>
      exchange(HttpClientRequest.get(url).pipe(HttpClientRequest.bearerToken(Redacted.value(token)), HttpClientRequest.acceptJson))
        .pipe(Effect.provideService(HttpClient.HttpClient, client))

    /** GET with the user's token: 429 and 5xx retried (bounded), one refresh after a 401. */
    const userGet = (url: string, what: string, token: Redacted.Redacted<string>) => {
      const loop = (t: Redacted.Redacted<string>, limited: number, transient: number, refreshed: boolean): Effect.Effect<Reply, CatalogRateLimited | CatalogUnavailable | SpotifyNotConnected> =>
        Effect.flatMap(send(url, t), (reply) => {
          if (reply.status === 429) {
            const wait = retryAfterSeconds(reply.headers) ?? 1
            if (limited >= MAX_RATE_LIMIT_RETRIES || wait > MAX_RETRY_AFTER_SECONDS) {
              return Effect.fail(new CatalogRateLimited({ service: SERVICE, retryAfterSeconds: wait }))
            }
            return Effect.logWarning(`Spotify rate limit on ${what}: waiting ${wait} s as Retry-After asks`).pipe(
              Effect.zipRight(Effect.sleep(Duration.seconds(wait))), Effect.zipRight(loop(t, limited + 1, transient, refreshed)))
          }
          if (reply.status === 0 || reply.status >= 500) {
            const reason = `${what}: ${reply.status === 0 ? reply.problem ?? "no answer" : `HTTP ${reply.status}`}`
            return transient >= 2
              ? Effect.fail(new CatalogUnavailable({ service: SERVICE, reason }))
              : Effect.sleep(Duration.millis(500 * 2 ** transient)).pipe(Effect.zipRight(loop(t, limited, transient + 1, refreshed)))
          }
          if (reply.status === 401 && !refreshed) {
            return account.userToken(t).pipe(Effect.flatMap((next) => next._tag === "Connected"
              ? loop(next.token, limited, transient, true)
              : Effect.fail(notConnected(next))))
          }
          if (reply.status === 401) return Effect.fail(new CatalogUnavailable({ service: SERVICE, reason: `${what}: a fresh access token was refused` }))
          return Effect.succeed(reply)
        })
      return loop(token, 0, 0, false)
    }

    const get = (bearer: Bearer, url: string, what: string) =>
      bearer.kind === "user" ? userGet(url, what, bearer.token) : app.appGet(url, what)

    /** The connected user's token, else the app's. */
    const bearer = Effect.map(account.userToken(), (t): Bearer => t._tag === "Connected" ? { kind: "user", token: t.token } : { kind: "app" })

    const requireUser = Effect.flatMap(account.userToken(), (t) => t._tag === "Connected" ? Effect.succeed(t) : Effect.fail(notConnected(t)))

    const unexpected = (what: string, r: Reply) =>
      new CatalogUnavailable({ service: SERVICE, reason: `${what}: HTTP ${r.status === 0 ? r.problem ?? "no answer" : r.status}` })

    /** Entries of every page from `first` on, following `next` inside the API. */
    const readEntries = (b: Bearer, first: string, what: string, maxPages: number, firstPage?: typeof Page.Type) => Effect.gen(function*() {
      const apiUrl = yield* settings.get(Setting.spotifyApiUrl)
      const entries: Array<TrackListEntry> = []
      const skipped: Array<SkippedEntry> = []
      let url: string | undefined = first
      let page = firstPage
      let position = 0
      for (let n = 0; n < maxPages && (page !== undefined || url !== undefined); n++) {
        if (page === undefined) {
          const reply: Reply = yield* get(b, url!, what)
          if (reply.status !== 200) return { entries, skipped, status: reply.status, reply }
          page = yield* decodeBody(Page, reply.body, SERVICE, what)
        }
        for (const raw of page.items) {
          const outcome = spotifyEntry(raw, ++position)
          if (Either.isLeft(outcome)) skipped.push(outcome.left)
          else entries.push(outcome.right)
        }
        url = page.items.length === 0 ? undefined : withinApi(page.next, apiUrl)
        page = undefined
      }
      return { entries, skipped, status: 200, reply: null }
    })

    const playlist = (id: string, knownSnapshot: string | null) => Effect.gen(function*() {
      const apiUrl = yield* settings.get(Setting.spotifyApiUrl)
      const b = yield* bearer
      const forbidden = () => new SpotifyPlaylistForbidden({ message: spotifyForbiddenMessage(id, b.kind === "user") })
      const unavailable = () => new SpotifyPlaylistUnavailable({
        message: `Spotify answers "not found" for playlist ${id}: it hides its own editorial and algorithmic playlists ` +
          `(Discover Weekly, Release Radar, "Made For You", ids starting 37i9dQZF1) from apps like SoulSpot, or the playlist does not exist. ` +
          `Save its tracks to a playlist of your own, or export it with Exportify and upload the CSV file.`
      })
      const head = yield* get(b, `${apiUrl}/playlists/${encodeURIComponent(id)}`, "playlist lookup")
      if (head.status === 404) return yield* unavailable()
      if (head.status === 403) return yield* forbidden()
      if (head.status === 400) return yield* new InvalidPlaylistReference({ message: `playlist_id: Spotify says "${id}" is not a valid playlist id` })
      if (head.status !== 200) return yield* unexpected("playlist lookup", head)
      const meta = yield* decodeBody(PlaylistMeta, head.body, SERVICE, "playlist lookup")
      const snapshot = meta.snapshot_id ?? null
      if (snapshot !== null && snapshot === knownSnapshot) return { _tag: "Unchanged", snapshot } satisfies ListRead
      const read = yield* readEntries(b, `${apiUrl}/playlists/${encodeURIComponent(id)}/items?limit=${PAGE}&offset=0`, "playlist items", MAX_PLAYLIST_PAGES)
      if (read.status === 403) return yield* forbidden()
      if (read.status === 404) return yield* unavailable()
      if (read.reply) return yield* unexpected("playlist items", read.reply)
      yield* Effect.logInfo(`Spotify playlist ${id} read with the ${b.kind === "user" ? "user's" : "app's"} token: ${read.entries.length} tracks, ${read.skipped.length} entries skipped`)
      return {
        _tag: "List",
        list: { source: "spotify", sourceId: meta.id, title: meta.name?.trim() || `Spotify playlist ${id}`, snapshot, entries: read.entries, skipped: read.skipped }
      } satisfies ListRead
    }).pipe(Effect.withSpan("SpotifyPlaylists.playlist", { attributes: { id } }))

    /** Liked Songs; the snapshot is the count and the newest entry's date (one request when unchanged). */
    const liked = (knownSnapshot: string | null) => Effect.gen(function*() {
      const apiUrl = yield* settings.get(Setting.spotifyApiUrl)
      const user = yield* requireUser
      const b: Bearer = { kind: "user", token: user.token }
      const firstUrl = `${apiUrl}/me/tracks?limit=${PAGE}&offset=0`
      const head = yield* get(b, firstUrl, "liked songs")
      if (head.status !== 200) return yield* unexpected("liked songs", head)
      const first = yield* decodeBody(Page, head.body, SERVICE, "liked songs")
      const newest = first.items[0] === undefined ? null : Schema.decodeUnknownOption(FirstAdded)(first.items[0]).pipe((o) => o._tag === "Some" ? o.value.added_at ?? null : null)
      const snapshot = `${first.total ?? first.items.length}:${newest ?? ""}`
      if (snapshot === knownSnapshot) return { _tag: "Unchanged", snapshot } satisfies ListRead
      const read = yield* readEntries(b, firstUrl, "liked songs", MAX_LIKED_PAGES, first)
      if (read.reply) return yield* unexpected("liked songs", read.reply)
      return {
        _tag: "List",
        list: { source: "spotify", sourceId: `liked:${user.userId}`, title: "Liked Songs", snapshot, entries: read.entries, skipped: read.skipped }
      } satisfies ListRead
    }).pipe(Effect.withSpan("SpotifyPlaylists.liked"))

    /** One page of the user's playlists; readable = owned by the user or collaborative. */
    const userPlaylists = (offset: number, limit: number) => Effect.gen(function*() {
      const apiUrl = yield* settings.get(Setting.spotifyApiUrl)
      const user = yield* requireUser
      const reply = yield* get({ kind: "user", token: user.token }, `${apiUrl}/me/playlists?limit=${limit}&offset=${offset}`, "your playlists")
      if (reply.status !== 200) return yield* unexpected("your playlists", reply)
      const page = yield* decodeBody(UserPlaylists, reply.body, SERVICE, "your playlists")
      const playlists = page.items.flatMap((p): Array<UserPlaylist> => p === null ? [] : [{
        id: p.id, name: p.name ?? "", owner: p.owner?.display_name ?? p.owner?.id ?? "", collaborative: p.collaborative === true,
        snapshotId: p.snapshot_id ?? null, readable: p.owner?.id === user.userId || p.collaborative === true
      }])
      const total = page.total ?? offset + playlists.length
      return { playlists, total, nextOffset: page.next && offset + page.items.length < total ? offset + page.items.length : null }
    }).pipe(Effect.withSpan("SpotifyPlaylists.userPlaylists"))

    return { playlist, liked, userPlaylists } as const
  })
}) {}
