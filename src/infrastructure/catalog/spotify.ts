import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Array as Arr, Clock, Duration, Effect, Option, Redacted, Ref, Schema } from "effect"
import { createHash } from "node:crypto"
import { Setting } from "../../config.js"
import {
  AlbumNotFound, type CatalogAlbum, CatalogCredentialsError, CatalogRateLimited, CatalogUnavailable,
  InvalidAlbumReference
} from "../../domain/ports/AlbumSource.js"
import { Settings } from "../../domain/ports/Settings.js"
import type { TrackInput } from "../../domain/track.js"
import { byDiscAndTrack, decodeBody, exchange, type Reply, retryAfterSeconds, withinApi } from "./http.js"
import { retryReplies, TryAgain } from "./retry.js"

/*
 * Spotify Web API, client-credentials flow.
 *
 * - Token: POST <accounts>/api/token, form body grant_type=client_credentials, Basic auth.
 *   Cached until a minute before it expires; one token request at a time. A 401 from the API
 *   drops that token, fetches a new one and retries once; a second 401 means the credentials
 *   are not accepted.
 * - Album: GET /albums/{id} (first page of tracks embedded), then `tracks.next` until null.
 * - ISRC: simplified album tracks have none, so GET /tracks?ids= in chunks of 50; when that
 *   route answers 403 (removed for Development Mode apps in 2026) we remember it and use
 *   GET /tracks/{id} one by one. ISRCs are extra information: when their lookup fails the
 *   album is still returned, with isrc null (the Spotify id is what identifies the track).
 * - 429: wait Retry-After seconds (0 allowed, 1 when absent) at most 3 times per request,
 *   and never longer than 30 s per wait; otherwise CatalogRateLimited.
 * - No `market` parameter, on purpose: we do not play anything, we want the album's own track
 *   list. A market turns on track relinking, which swaps track ids depending on the market
 *   and would make the same album produce different request keys; without it the items carry
 *   their canonical ids (available_markets instead). Should a reply carry `linked_from`
 *   anyway, its id (the original track) is used.
 */

const SERVICE = "Spotify"
const MAX_RETRY_AFTER_SECONDS = 30
const RETRY_BUDGETS = {
  limited: { times: 3, backoff: Duration.zero },
  transient: { times: 2, backoff: Duration.millis(500) }
} as const
const TOKEN_MARGIN_MS = 60_000
const MULTI_GET_CHUNK = 50
const SINGLE_GET_CONCURRENCY = 4
const MAX_PAGES = 200

const Artist = Schema.Struct({ name: Schema.String })
const SimplifiedTrack = Schema.Struct({
  id: Schema.optional(Schema.NullOr(Schema.String)),
  name: Schema.String,
  artists: Schema.optional(Schema.Array(Artist)),
  duration_ms: Schema.optional(Schema.NullOr(Schema.Number)),
  track_number: Schema.optional(Schema.NullOr(Schema.Number)),
  disc_number: Schema.optional(Schema.NullOr(Schema.Number)),
  linked_from: Schema.optional(Schema.NullOr(Schema.Struct({ id: Schema.optional(Schema.NullOr(Schema.String)) })))
})
type SimplifiedTrack = typeof SimplifiedTrack.Type
const TracksPage = Schema.Struct({
  items: Schema.Array(SimplifiedTrack),
  next: Schema.optional(Schema.NullOr(Schema.String)),
  offset: Schema.optional(Schema.Number),
  total: Schema.optional(Schema.Number)
})
const AlbumBody = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  artists: Schema.optional(Schema.Array(Artist)),
  release_date: Schema.optional(Schema.NullOr(Schema.String)),
  // largest first
  images: Schema.optional(Schema.NullOr(Schema.Array(Schema.Struct({ url: Schema.String })))),
  total_tracks: Schema.optional(Schema.Number),
  tracks: TracksPage
})
const FullTrack = Schema.Struct({
  id: Schema.optional(Schema.NullOr(Schema.String)),
  external_ids: Schema.optional(Schema.NullOr(Schema.Struct({ isrc: Schema.optional(Schema.NullOr(Schema.String)) })))
})
const SeveralTracks = Schema.Struct({ tracks: Schema.Array(Schema.NullOr(FullTrack)) })
const TokenBody = Schema.Struct({
  access_token: Schema.String,
  expires_in: Schema.optional(Schema.Number)
})

interface Credentials {
  readonly clientId: string
  readonly secret: Redacted.Redacted<string>
  readonly accountsUrl: string
  /** Changes whenever any of the above changes, so a settings change drops the cached token. */
  readonly key: string
}

interface CachedToken {
  readonly key: string
  readonly value: string
  readonly refreshAt: number
}

interface Sent extends Reply {
  readonly token: string
}

const names = (artists: ReadonlyArray<{ readonly name: string }> | undefined) =>
  (artists ?? []).map((a) => a.name.trim()).filter((n) => n !== "").join(", ")

const missing = new CatalogCredentialsError({
  service: SERVICE, reason: "missing",
  detail: "set SOULSPOT_SPOTIFY_CLIENT_ID and SOULSPOT_SPOTIFY_CLIENT_SECRET (or the settings spotify.client_id and spotify.client_secret)"
})

const describeStatus = (what: string, r: Reply) =>
  `${what}: ${r.status === 0 ? r.problem ?? "no answer" : `HTTP ${r.status}${errorMessage(r.body)}`}`

const errorMessage = (body: unknown): string => {
  const e = (body as { error?: unknown } | undefined)?.error
  const m = typeof e === "object" && e !== null ? (e as { message?: unknown }).message : e
  return typeof m === "string" && m !== "" ? ` (${m})` : ""
}

export class SpotifyAlbums extends Effect.Service<SpotifyAlbums>()("soulspot/catalog/SpotifyAlbums", {
  effect: Effect.gen(function*() {
    const settings = yield* Settings
    const client = yield* HttpClient.HttpClient
    const tokenRef = yield* Ref.make(Option.none<CachedToken>())
    const tokenLock = yield* Effect.makeSemaphore(1)
    // apps (by credentials key) whose multi-get answered 403: go straight to single gets
    const multiGetRemoved = yield* Ref.make<ReadonlySet<string>>(new Set())

    const send = (request: HttpClientRequest.HttpClientRequest) =>
      exchange(request).pipe(Effect.provideService(HttpClient.HttpClient, client))

    /** Re-runs `attempt` on 429 (after Retry-After) and on transport errors / 5xx (short backoff), bounded. */
    const retrying = <R extends Reply, E>(what: string, attempt: Effect.Effect<R, E>) =>
      retryReplies(Effect.flatMap(attempt, (reply): Effect.Effect<R, CatalogRateLimited | TryAgain<CatalogRateLimited | CatalogUnavailable>> => {
        if (reply.status === 429) {
          const wait = retryAfterSeconds(reply.headers) ?? 1
          const limited = new CatalogRateLimited({ service: SERVICE, retryAfterSeconds: wait })
          return wait > MAX_RETRY_AFTER_SECONDS ? Effect.fail(limited) : Effect.fail(new TryAgain({
            budget: "limited", delay: Duration.seconds(wait), exhausted: limited,
            note: () => `Spotify rate limit on ${what}: waiting ${wait} s`
          }))
        }
        if (reply.status === 0 || reply.status >= 500) {
          return Effect.fail(new TryAgain({
            budget: "transient", exhausted: new CatalogUnavailable({ service: SERVICE, reason: describeStatus(what, reply) }),
            note: () => `Spotify ${describeStatus(what, reply)}; trying again`
          }))
        }
        return Effect.succeed(reply)
      }), RETRY_BUDGETS)

    const credentials = Effect.gen(function*() {
      const id = yield* settings.get(Setting.spotifyClientId)
      const secret = yield* settings.get(Setting.spotifyClientSecret)
      if (Option.isNone(id) || Option.isNone(secret)) return yield* missing
      const accountsUrl = yield* settings.get(Setting.spotifyAccountsUrl)
      const clientId = Redacted.value(id.value)
      const key = createHash("sha256").update(`${accountsUrl}\n${clientId}\n${Redacted.value(secret.value)}`).digest("hex")
      return { clientId, secret: secret.value, accountsUrl, key } satisfies Credentials
    })

    const requestToken = (creds: Credentials) => Effect.gen(function*() {
      const reply = yield* retrying("token request", send(HttpClientRequest.post(`${creds.accountsUrl}/api/token`).pipe(
        HttpClientRequest.basicAuth(creds.clientId, Redacted.value(creds.secret)),
        HttpClientRequest.bodyUrlParams({ grant_type: "client_credentials" }),
        HttpClientRequest.acceptJson)))
      if (reply.status === 400 || reply.status === 401 || reply.status === 403) {
        return yield* new CatalogCredentialsError({
          service: SERVICE, reason: "rejected",
          detail: `Spotify refused the client id and secret (HTTP ${reply.status}${oauthError(reply.body)})`
        })
      }
      if (reply.status !== 200) {
        return yield* new CatalogUnavailable({ service: SERVICE, reason: describeStatus("token request", reply) })
      }
      const body = yield* decodeBody(TokenBody, reply.body, SERVICE, "token request")
      const now = yield* Clock.currentTimeMillis
      const lifetime = (body.expires_in ?? 3600) * 1000
      yield* Effect.logDebug("Spotify access token obtained")
      return {
        key: creds.key,
        value: body.access_token,
        refreshAt: now + Math.max(lifetime - TOKEN_MARGIN_MS, lifetime / 2)
      } satisfies CachedToken
    })

    const token = (creds: Credentials) => tokenLock.withPermits(1)(Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const cached = yield* Ref.get(tokenRef)
      if (Option.isSome(cached) && cached.value.key === creds.key && cached.value.refreshAt > now) return cached.value.value
      const fresh = yield* requestToken(creds)
      yield* Ref.set(tokenRef, Option.some(fresh))
      return fresh.value
    }))

    const dropToken = (value: string) => Ref.update(tokenRef, Option.filter((t) => t.value !== value))

    /** GET with a bearer token: 429/5xx retried, one re-authentication on 401. */
    const get = (creds: Credentials, url: string, what: string) => {
      const attempt = Effect.flatMap(token(creds), (value) =>
        send(HttpClientRequest.get(url).pipe(HttpClientRequest.bearerToken(value), HttpClientRequest.acceptJson))
          .pipe(Effect.map((r): Sent => ({ ...r, token: value }))))
      return retrying(what, attempt).pipe(Effect.flatMap((first) => first.status !== 401
        ? Effect.succeed<Reply>(first)
        : Effect.logInfo("Spotify access token refused; authenticating again").pipe(
          Effect.zipRight(dropToken(first.token)),
          Effect.zipRight(retrying(what, attempt)),
          Effect.flatMap((second) => second.status !== 401
            ? Effect.succeed<Reply>(second)
            : Effect.fail(new CatalogCredentialsError({
              service: SERVICE, reason: "rejected", detail: "Spotify refused a freshly issued access token"
            }))))))
    }

    const expectOk = (reply: Reply, what: string): Effect.Effect<unknown, CatalogUnavailable> =>
      reply.status === 200
        ? Effect.succeed(reply.body)
        : Effect.fail(new CatalogUnavailable({ service: SERVICE, reason: describeStatus(what, reply) }))

    const toTrack = (album: string, albumArtist: string) => (t: SimplifiedTrack, index: number): TrackInput => ({
      title: t.name,
      artist: names(t.artists) || albumArtist,
      album,
      durationMs: t.duration_ms ?? null,
      trackNumber: t.track_number ?? index + 1,
      discNumber: t.disc_number ?? 1,
      spotifyId: t.linked_from?.id ?? t.id ?? null,
      isrc: null
    })

    const isrcsOneByOne = (creds: Credentials, apiUrl: string, ids: ReadonlyArray<string>) =>
      Effect.forEach(ids, (id) =>
        get(creds, `${apiUrl}/tracks/${encodeURIComponent(id)}`, "track lookup").pipe(Effect.flatMap((reply) =>
          reply.status === 404
            ? Effect.succeed([id, null] as const)
            : expectOk(reply, "track lookup").pipe(
              Effect.flatMap((body) => decodeBody(FullTrack, body, SERVICE, "track lookup")),
              Effect.map((t) => [id, t.external_ids?.isrc ?? null] as const)))),
      { concurrency: SINGLE_GET_CONCURRENCY })

    const isrcs = (creds: Credentials, apiUrl: string, ids: ReadonlyArray<string>) => Effect.gen(function*() {
      const found = new Map<string, string | null>()
      for (const chunk of Arr.chunksOf(ids, MULTI_GET_CHUNK)) {
        if ((yield* Ref.get(multiGetRemoved)).has(creds.key)) {
          for (const [id, isrc] of yield* isrcsOneByOne(creds, apiUrl, chunk)) found.set(id, isrc)
          continue
        }
        const reply = yield* get(creds, `${apiUrl}/tracks?ids=${chunk.map(encodeURIComponent).join(",")}`, "tracks lookup")
        if (reply.status === 403) {
          yield* Effect.logInfo("Spotify refused GET /tracks?ids= (403); looking tracks up one by one from now on")
          yield* Ref.update(multiGetRemoved, (s) => new Set([...s, creds.key]))
          for (const [id, isrc] of yield* isrcsOneByOne(creds, apiUrl, chunk)) found.set(id, isrc)
          continue
        }
        const body = yield* expectOk(reply, "tracks lookup").pipe(
          Effect.flatMap((b) => decodeBody(SeveralTracks, b, SERVICE, "tracks lookup")))
        // answers come in request order, with null for an id Spotify does not know
        chunk.forEach((id, i) => found.set(id, body.tracks[i]?.external_ids?.isrc ?? null))
      }
      return found
    })

    const fetchAlbum = (id: string) => Effect.gen(function*() {
      const creds = yield* credentials
      const apiUrl = yield* settings.get(Setting.spotifyApiUrl)
      const reply = yield* get(creds, `${apiUrl}/albums/${encodeURIComponent(id)}`, "album lookup")
      if (reply.status === 404) return yield* new AlbumNotFound({ source: "spotify", albumId: id })
      if (reply.status === 400) {
        return yield* new InvalidAlbumReference({
          source: "spotify", input: id, reason: `Spotify says "${id}" is not a valid album id${errorMessage(reply.body)}`
        })
      }
      const album = yield* expectOk(reply, "album lookup").pipe(Effect.flatMap((b) => decodeBody(AlbumBody, b, SERVICE, "album lookup")))

      const items: Array<SimplifiedTrack> = [...album.tracks.items]
      let page = album.tracks
      for (let n = 0; n < MAX_PAGES && page.next; n++) {
        const next = withinApi(page.next, apiUrl) ??
          `${apiUrl}/albums/${encodeURIComponent(id)}/tracks?offset=${items.length}&limit=50`
        const r = yield* get(creds, next, "album tracks")
        page = yield* expectOk(r, "album tracks").pipe(Effect.flatMap((b) => decodeBody(TracksPage, b, SERVICE, "album tracks")))
        if (page.items.length === 0) break
        items.push(...page.items)
      }

      const artist = names(album.artists) || "Unknown artist"
      const tracks = byDiscAndTrack(items.map(toTrack(album.name, artist)))
      const ids = [...new Set(tracks.flatMap((t) => (t.spotifyId ? [t.spotifyId] : [])))]
      const isrcById = yield* isrcs(creds, apiUrl, ids).pipe(
        Effect.catchAll((e) => Effect.logWarning(`Spotify ISRC lookup failed, album kept without ISRCs: ${e.message}`).pipe(
          Effect.as(new Map<string, string | null>()))))

      const result: CatalogAlbum = {
        source: "spotify",
        sourceId: album.id,
        title: album.name,
        artist,
        releaseDate: album.release_date ?? null,
        coverUrl: album.images?.[0]?.url ?? null,
        tracks: tracks.map((t) => ({ ...t, isrc: (t.spotifyId && isrcById.get(t.spotifyId)) || null })),
        libraryId: null
      }
      return result
    }).pipe(Effect.withSpan("SpotifyAlbums.fetchAlbum", { attributes: { id } }))

    /** A GET with the client-credentials token (same retries), for the playlist reader. */
    const appGet = (url: string, what: string) => Effect.flatMap(credentials, (creds) => get(creds, url, what))

    return { fetchAlbum, appGet } as const
  })
}) {}

const oauthError = (body: unknown): string => {
  const e = (body as { error?: unknown; error_description?: unknown } | undefined)
  const text = [e?.error, e?.error_description].filter((x) => typeof x === "string").join(": ")
  return text === "" ? "" : `, ${text}`
}
