import { HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Context, Effect, Layer } from "effect"
import { createHash, randomBytes } from "node:crypto"
import { createServer } from "node:http"
import { Settings } from "../../src/domain/ports/Settings.js"

/*
 * A Spotify Web API + accounts service on 127.0.0.1, port 0, following catalog-apis.md
 * section 1: client-credentials tokens (form body + Basic auth), GET /v1/albums/{id} with the
 * first 50 tracks embedded, /v1/albums/{id}/tracks paging by offset/limit with full `next`
 * URLs, simplified tracks without ISRC, /v1/tracks?ids= (max 50, null for unknown ids) and
 * /v1/tracks/{id} with external_ids.isrc, error bodies {"error":{"status","message"}}.
 * Faults are scripted per route through the control object.
 *
 * The user side follows catalog-apis.md section 5 (the 2026 rules): /authorize shows a consent
 * page whose Agree/Cancel redirect to redirect_uri with code or error=access_denied and the
 * state; the token route verifies PKCE (S256 of code_verifier), single-use codes, and rotates
 * refresh tokens (revocable: invalid_grant). /v1/me, /v1/me/playlists (no `tracks` counts),
 * /v1/me/tracks ({added_at, track}), /v1/playlists/{id} (entries only for the owner or a
 * collaborator), /v1/playlists/{id}/items (403 for anyone else and for app tokens; entries under
 * `item`, `track` or both), /v1/playlists/{id}/tracks always 403, editorial playlists 404.
 */

export type SpotifyRoute =
  | "token" | "album" | "album-tracks" | "several-tracks" | "track" | "unknown"
  | "authorize" | "me" | "me-playlists" | "me-tracks" | "playlist" | "playlist-items" | "playlist-tracks"

/** One entry of a fixture playlist: a catalog track, a local file, an episode, or removed content (null). */
export type FixtureEntry =
  | { readonly kind: "track"; readonly trackId: string; readonly playable?: boolean }
  | { readonly kind: "local"; readonly artist: string; readonly album: string; readonly title: string; readonly seconds: number }
  | { readonly kind: "episode"; readonly name: string }
  | { readonly kind: "removed" }

export interface FixturePlaylist {
  readonly id: string
  readonly name: string
  readonly ownerId: string
  readonly collaborative?: boolean
  /** Users who may read the items besides the owner (collaborators). */
  readonly collaborators?: ReadonlyArray<string>
  /** Spotify-owned editorial/algorithmic playlist: 404 for apps since Nov 2024. */
  readonly editorial?: boolean
  /** Which key the entries put the track under: 2026 "item", older "track", or both. */
  readonly shape?: "item" | "track" | "both"
  readonly entries: ReadonlyArray<FixtureEntry>
}

export interface FixtureUser {
  readonly id: string
  readonly displayName: string
}

export interface FixtureTrack {
  readonly id: string
  readonly name: string
  readonly artists: ReadonlyArray<string>
  readonly durationMs: number
  readonly discNumber: number
  readonly trackNumber: number
  /** null: the full track object has no ISRC (external_ids is {}). */
  readonly isrc: string | null
  readonly explicit?: boolean
}

export interface FixtureAlbum {
  readonly id: string
  readonly name: string
  readonly artists: ReadonlyArray<string>
  readonly releaseDate: string
  readonly releaseDatePrecision: "year" | "month" | "day"
  readonly label: string
  readonly upc: string
  readonly tracks: ReadonlyArray<FixtureTrack>
}

export type SpotifyFault =
  | { readonly status: 429; readonly retryAfter: number | null }
  | { readonly status: 401 | 403 | 500 | 502 | 503 }

export interface SpotifyRequest {
  readonly route: SpotifyRoute
  readonly method: string
  readonly path: string
  readonly query: string
  readonly status: number
}

/** The control API tests use. */
export interface FakeSpotifyControl {
  /** http://127.0.0.1:<port> */
  readonly url: string
  /** For SOULSPOT_SPOTIFY_API_URL / spotify.api_url */
  readonly apiUrl: string
  /** For SOULSPOT_SPOTIFY_ACCOUNTS_URL / spotify.accounts_url */
  readonly accountsUrl: string
  readonly clientId: string
  readonly clientSecret: string
  /** Adds or replaces an album; `shuffled` serves its tracks out of disc/track order. */
  readonly addAlbum: (album: FixtureAlbum, options?: { readonly shuffled?: boolean }) => void
  /** Requests that reached a route (faults included), in arrival order. */
  readonly requests: () => ReadonlyArray<SpotifyRequest>
  readonly count: (route: SpotifyRoute) => number
  readonly resetCounts: () => void
  /** Each fault answers one future request on that route, in order, before normal handling. */
  readonly fail: (route: SpotifyRoute, ...faults: ReadonlyArray<SpotifyFault>) => void
  /** Every token issued so far answers 401 "The access token expired" from now on. */
  readonly expireTokens: () => void
  /** After `n` more successful API answers, every token issued so far expires (mid-album expiry). */
  readonly expireTokensAfter: (n: number) => void
  /** While on, no token is accepted, not even a fresh one. */
  readonly refuseAllTokens: (on: boolean) => void
  /** While on, GET /v1/tracks?ids= answers 403 "Forbidden", as for 2026 Development Mode apps. */
  readonly removeMultiGet: (on: boolean) => void
  /** expires_in of tokens issued from now on (seconds). */
  readonly setTokenLifetime: (seconds: number) => void
  // ---- user login (Authorization Code with PKCE) and user data
  readonly addUser: (user: FixtureUser) => void
  /** The user who "logs in" at /authorize from now on. */
  readonly loginAs: (userId: string) => void
  readonly addPlaylist: (playlist: FixturePlaylist) => void
  /** Appends entries and changes the snapshot_id, as an edit in Spotify does. */
  readonly appendToPlaylist: (id: string, entries: ReadonlyArray<FixtureEntry>) => void
  readonly setLiked: (userId: string, trackIds: ReadonlyArray<string>) => void
  /** Every refresh token issued so far is revoked (the user removed the app's access). */
  readonly revokeRefreshTokens: () => void
  /** Whether a refresh hands out a new refresh token (rotation, default on). */
  readonly rotateRefreshTokens: (on: boolean) => void
  /** Every access and refresh token handed out so far (for "never leaks" checks). */
  readonly issuedSecrets: () => ReadonlyArray<string>
  /** The authorize requests received (their query parameters). */
  readonly authorizeRequests: () => ReadonlyArray<URLSearchParams>
}

export class FakeSpotify extends Context.Tag("test/FakeSpotify")<FakeSpotify, FakeSpotifyControl>() {}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/** A deterministic, well-formed 22-character Spotify id for a fixture. */
export const spotifyId = (seed: string): string => {
  const bytes = createHash("sha256").update(seed).digest()
  let out = ""
  for (let i = 0; i < 22; i++) out += BASE62[bytes[i]! % 62]
  return out
}

const MARKETS = ["AR", "AU", "BR", "CA", "DE", "ES", "FR", "GB", "IT", "JP", "MX", "NL", "SE", "US"]

class State implements FakeSpotifyControl {
  url = ""
  get apiUrl() {
    return `${this.url}/v1`
  }
  get accountsUrl() {
    return this.url
  }
  readonly clientId = "fake-client-id-4f0c2a"
  readonly clientSecret = "fake-client-secret-9b71d3"
  readonly albums = new Map<string, { album: FixtureAlbum; order: ReadonlyArray<FixtureTrack> }>()
  readonly tracks = new Map<string, { track: FixtureTrack; album: FixtureAlbum }>()
  readonly log: Array<SpotifyRequest> = []
  readonly faults = new Map<SpotifyRoute, Array<SpotifyFault>>()
  readonly validTokens = new Set<string>()
  readonly expiredTokens = new Set<string>()
  expireAfter: number | null = null
  refuseTokens = false
  multiGetRemoved = false
  tokenLifetime = 3600
  readonly users = new Map<string, FixtureUser>()
  loginUser: string | null = null
  readonly playlists = new Map<string, { playlist: FixturePlaylist; snapshot: number }>()
  readonly liked = new Map<string, ReadonlyArray<string>>()
  /** authorization codes: single use */
  readonly codes = new Map<string, { challenge: string; redirectUri: string; clientId: string; userId: string; scope: string }>()
  readonly userTokens = new Map<string, string>()
  readonly refreshTokens = new Map<string, string>()
  rotate = true
  readonly secrets: Array<string> = []
  readonly authorizeLog: Array<URLSearchParams> = []

  addUser = (user: FixtureUser) => {
    this.users.set(user.id, user)
    if (this.loginUser === null) this.loginUser = user.id
  }
  loginAs = (userId: string) => {
    this.loginUser = userId
  }
  addPlaylist = (playlist: FixturePlaylist) => {
    this.playlists.set(playlist.id, { playlist, snapshot: 1 })
  }
  appendToPlaylist = (id: string, entries: ReadonlyArray<FixtureEntry>) => {
    const p = this.playlists.get(id)!
    this.playlists.set(id, { playlist: { ...p.playlist, entries: [...p.playlist.entries, ...entries] }, snapshot: p.snapshot + 1 })
  }
  setLiked = (userId: string, trackIds: ReadonlyArray<string>) => {
    this.liked.set(userId, trackIds)
  }
  revokeRefreshTokens = () => {
    this.refreshTokens.clear()
  }
  rotateRefreshTokens = (on: boolean) => {
    this.rotate = on
  }
  issuedSecrets = () => [...this.secrets]
  authorizeRequests = () => [...this.authorizeLog]

  issueAccess = (userId: string) => {
    const access = `BQU${randomBytes(24).toString("base64url")}`
    this.validTokens.add(access)
    this.userTokens.set(access, userId)
    this.secrets.push(access)
    return access
  }
  issueRefresh = (userId: string) => {
    const refresh = `AQR${randomBytes(32).toString("base64url")}`
    this.refreshTokens.set(refresh, userId)
    this.secrets.push(refresh)
    return refresh
  }
  snapshotOf = (id: string) => {
    const p = this.playlists.get(id)!
    return spotifyId(`snapshot:${id}:${p.snapshot}`) + "AAAAAAAA"
  }
  canRead = (p: FixturePlaylist, userId: string | undefined) =>
    userId !== undefined && (p.ownerId === userId || (p.collaborators ?? []).includes(userId))
  entryJson = (e: FixtureEntry, shape: "item" | "track" | "both") => {
    let inner: unknown
    let local = false
    switch (e.kind) {
      case "removed": inner = null; break
      case "episode":
        inner = { type: "episode", id: spotifyId(`episode:${e.name}`), name: e.name, uri: `spotify:episode:${spotifyId(`episode:${e.name}`)}`, duration_ms: 1_800_000 }
        break
      case "local": {
        local = true
        const enc = (x: string) => encodeURIComponent(x).replace(/%20/g, "+")
        inner = {
          id: null, name: e.title, type: "track", is_local: true, duration_ms: e.seconds * 1000,
          uri: `spotify:local:${enc(e.artist)}:${enc(e.album)}:${enc(e.title)}:${e.seconds}`,
          artists: [{ name: e.artist, id: null, type: "artist", uri: null }],
          album: { name: e.album, id: null, type: "album", uri: null, artists: [], images: [] },
          external_ids: {}, disc_number: 0, track_number: 0
        }
        break
      }
      case "track": {
        const found = this.tracks.get(e.trackId)!
        inner = { ...this.fullTrack(found.track, found.album, null), ...(e.playable === false ? { is_playable: false } : {}) }
      }
    }
    const base = { added_at: "2026-03-01T10:00:00Z", added_by: { id: "someone", type: "user" }, is_local: local, primary_color: null }
    return shape === "item" ? { ...base, item: inner } : shape === "track" ? { ...base, track: inner } : { ...base, item: inner, track: inner }
  }
  playlistJson = (p: FixturePlaylist) => ({
    collaborative: p.collaborative ?? false,
    description: "",
    external_urls: { spotify: `https://open.spotify.com/playlist/${p.id}` },
    href: `${this.apiUrl}/playlists/${p.id}`,
    id: p.id,
    images: [],
    name: p.name,
    owner: { id: p.ownerId, display_name: this.users.get(p.ownerId)?.displayName ?? p.ownerId, type: "user", uri: `spotify:user:${p.ownerId}` },
    public: true,
    snapshot_id: this.snapshotOf(p.id),
    type: "playlist",
    uri: `spotify:playlist:${p.id}`
  })
  entriesPage = (path: string, all: ReadonlyArray<unknown>, offset: number, limit: number) => {
    const link = (o: number) => `${this.apiUrl}${path}?offset=${o}&limit=${limit}`
    return {
      href: link(offset), items: all.slice(offset, offset + limit), limit,
      next: offset + limit < all.length ? link(offset + limit) : null, offset,
      previous: offset > 0 ? link(Math.max(0, offset - limit)) : null, total: all.length
    }
  }

  addAlbum = (album: FixtureAlbum, options?: { readonly shuffled?: boolean }) => {
    const order = options?.shuffled
      ? [...album.tracks].sort((a, b) => spotifyId(`order${a.id}`).localeCompare(spotifyId(`order${b.id}`)))
      : [...album.tracks].sort((a, b) => a.discNumber - b.discNumber || a.trackNumber - b.trackNumber)
    this.albums.set(album.id, { album, order })
    for (const track of album.tracks) this.tracks.set(track.id, { track, album })
  }
  requests = () => [...this.log]
  count = (route: SpotifyRoute) => this.log.filter((r) => r.route === route).length
  resetCounts = () => {
    this.log.length = 0
  }
  fail = (route: SpotifyRoute, ...faults: ReadonlyArray<SpotifyFault>) => {
    this.faults.set(route, [...(this.faults.get(route) ?? []), ...faults])
  }
  expireTokens = () => {
    for (const t of this.validTokens) this.expiredTokens.add(t)
    this.validTokens.clear()
  }
  expireTokensAfter = (n: number) => {
    this.expireAfter = n
  }
  refuseAllTokens = (on: boolean) => {
    this.refuseTokens = on
  }
  removeMultiGet = (on: boolean) => {
    this.multiGetRemoved = on
  }
  setTokenLifetime = (seconds: number) => {
    this.tokenLifetime = seconds
  }

  // ---- JSON shapes ----
  artistJson = (name: string) => {
    const id = spotifyId(`artist:${name}`)
    return {
      external_urls: { spotify: `https://open.spotify.com/artist/${id}` },
      href: `${this.apiUrl}/artists/${id}`, id, name, type: "artist", uri: `spotify:artist:${id}`
    }
  }
  simplifiedTrack = (t: FixtureTrack, market: string | null) => ({
    artists: t.artists.map(this.artistJson),
    ...(market === null ? { available_markets: MARKETS } : { is_playable: true }),
    disc_number: t.discNumber,
    duration_ms: t.durationMs,
    explicit: t.explicit ?? false,
    external_urls: { spotify: `https://open.spotify.com/track/${t.id}` },
    href: `${this.apiUrl}/tracks/${t.id}`,
    id: t.id,
    is_local: false,
    name: t.name,
    preview_url: null,
    track_number: t.trackNumber,
    type: "track",
    uri: `spotify:track:${t.id}`
  })
  simplifiedAlbum = (a: FixtureAlbum, market: string | null) => ({
    album_type: "album",
    total_tracks: a.tracks.length,
    ...(market === null ? { available_markets: MARKETS } : { is_playable: true }),
    external_urls: { spotify: `https://open.spotify.com/album/${a.id}` },
    href: `${this.apiUrl}/albums/${a.id}`,
    id: a.id,
    images: [640, 300, 64].map((size) => ({
      url: `https://i.scdn.co/image/ab67616d0000${size === 640 ? "b273" : size === 300 ? "1e02" : "4851"}${spotifyId(a.id).slice(0, 16)}`,
      height: size, width: size
    })),
    name: a.name,
    release_date: a.releaseDate,
    release_date_precision: a.releaseDatePrecision,
    type: "album",
    uri: `spotify:album:${a.id}`,
    artists: a.artists.map(this.artistJson)
  })
  fullTrack = (t: FixtureTrack, a: FixtureAlbum, market: string | null) => ({
    ...this.simplifiedTrack(t, market),
    album: this.simplifiedAlbum(a, market),
    external_ids: t.isrc === null ? {} : { isrc: t.isrc },
    popularity: 40 + (t.trackNumber % 50)
  })
  page = (albumId: string, offset: number, limit: number, market: string | null) => {
    const entry = this.albums.get(albumId)!
    const items = entry.order.slice(offset, offset + limit).map((t) => this.simplifiedTrack(t, market))
    const total = entry.order.length
    const link = (o: number) => `${this.apiUrl}/albums/${albumId}/tracks?offset=${o}&limit=${limit}&locale=*${market ? `&market=${market}` : ""}`
    return {
      href: link(offset),
      items,
      limit,
      next: offset + limit < total ? link(offset + limit) : null,
      offset,
      previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
      total
    }
  }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  HttpServerResponse.text(JSON.stringify(body), { status, contentType: "application/json; charset=utf-8", headers })

const apiError = (status: number, message: string, headers: Record<string, string> = {}) =>
  json(status, { error: { status, message } }, headers)

const ID = /^[0-9A-Za-z]{22}$/

const routeOf = (method: string, path: string): SpotifyRoute => {
  if (method === "POST" && path === "/api/token") return "token"
  if (path === "/authorize") return "authorize"
  if (method !== "GET") return "unknown"
  if (path === "/v1/me") return "me"
  if (path === "/v1/me/playlists") return "me-playlists"
  if (path === "/v1/me/tracks") return "me-tracks"
  if (/^\/v1\/playlists\/[^/]+$/.test(path)) return "playlist"
  if (/^\/v1\/playlists\/[^/]+\/items$/.test(path)) return "playlist-items"
  if (/^\/v1\/playlists\/[^/]+\/tracks$/.test(path)) return "playlist-tracks"
  if (/^\/v1\/albums\/[^/]+$/.test(path)) return "album"
  if (/^\/v1\/albums\/[^/]+\/tracks$/.test(path)) return "album-tracks"
  if (path === "/v1/tracks") return "several-tracks"
  if (/^\/v1\/tracks\/[^/]+$/.test(path)) return "track"
  return "unknown"
}

const faultResponse = (fault: SpotifyFault) => {
  switch (fault.status) {
    case 429:
      return apiError(429, "API rate limit exceeded", fault.retryAfter === null ? {} : { "retry-after": String(fault.retryAfter) })
    case 401:
      return apiError(401, "The access token expired")
    case 403:
      return apiError(403, "Forbidden")
    default:
      return apiError(fault.status, fault.status === 500 ? "Server error" : "Service unavailable")
  }
}

const handle = (s: State) => (req: HttpServerRequest.HttpServerRequest) => Effect.gen(function*() {
  const url = new URL(req.url, s.url)
  const route = routeOf(req.method, url.pathname)
  const respond = (res: HttpServerResponse.HttpServerResponse) => {
    s.log.push({ route, method: req.method, path: url.pathname, query: url.search, status: res.status })
    return res
  }
  const fault = s.faults.get(route)?.shift()
  if (fault) return respond(faultResponse(fault))

  if (route === "authorize") return respond(authorize(s, url, req.method === "POST" ? new URLSearchParams(yield* Effect.orDie(req.text)) : null))

  if (route === "token") {
    const form = new URLSearchParams(yield* Effect.orDie(req.text))
    const contentType = req.headers["content-type"] ?? ""
    if (contentType.startsWith("application/x-www-form-urlencoded") && form.get("grant_type") === "authorization_code") {
      const code = s.codes.get(form.get("code") ?? "")
      s.codes.delete(form.get("code") ?? "")
      const verifier = form.get("code_verifier") ?? ""
      if (!code || code.redirectUri !== form.get("redirect_uri") || code.clientId !== form.get("client_id") ||
        !/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) ||
        createHash("sha256").update(verifier).digest("base64url") !== code.challenge) {
        return respond(json(400, { error: "invalid_grant", error_description: "Invalid authorization code" }))
      }
      return respond(json(200, {
        access_token: s.issueAccess(code.userId), token_type: "Bearer", scope: code.scope, expires_in: s.tokenLifetime,
        refresh_token: s.issueRefresh(code.userId)
      }))
    }
    if (contentType.startsWith("application/x-www-form-urlencoded") && form.get("grant_type") === "refresh_token") {
      const old = form.get("refresh_token") ?? ""
      const userId = s.refreshTokens.get(old)
      if (userId === undefined || form.get("client_id") !== s.clientId) {
        return respond(json(400, { error: "invalid_grant", error_description: "Refresh token revoked" }))
      }
      const access = s.issueAccess(userId)
      // rotation: the answer holds a new refresh token and the old one stops working
      if (s.rotate) s.refreshTokens.delete(old)
      return respond(json(200, {
        access_token: access, token_type: "Bearer", scope: "playlist-read-private playlist-read-collaborative user-library-read",
        expires_in: s.tokenLifetime, ...(s.rotate ? { refresh_token: s.issueRefresh(userId) } : {})
      }))
    }
    const expected = `Basic ${Buffer.from(`${s.clientId}:${s.clientSecret}`).toString("base64")}`
    if (!contentType.startsWith("application/x-www-form-urlencoded") || form.get("grant_type") !== "client_credentials") {
      return respond(json(400, { error: "unsupported_grant_type", error_description: "grant_type parameter is missing" }))
    }
    if (req.headers["authorization"] !== expected) {
      return respond(json(400, { error: "invalid_client", error_description: "Invalid client" }))
    }
    const token = `BQ${randomBytes(24).toString("base64url")}`
    s.validTokens.add(token)
    return respond(json(200, { access_token: token, token_type: "Bearer", expires_in: s.tokenLifetime }))
  }

  if (route === "unknown") return respond(apiError(404, "Service not found"))

  const auth = req.headers["authorization"] ?? ""
  const token = auth.startsWith("Bearer ") ? auth.slice(7) : ""
  if (token === "") return respond(apiError(401, "No token provided"))
  if (s.refuseTokens || !s.validTokens.has(token)) {
    return respond(apiError(401, s.expiredTokens.has(token) ? "The access token expired" : "Invalid access token"))
  }

  const answered = (res: HttpServerResponse.HttpServerResponse) => {
    if (res.status === 200 && s.expireAfter !== null && --s.expireAfter <= 0) {
      s.expireAfter = null
      s.expireTokens()
    }
    return respond(res)
  }
  const market = url.searchParams.get("market")
  const segments = url.pathname.split("/")
  const userId = s.userTokens.get(token)
  const pageParams = (dflt: number) => {
    const limit = Number(url.searchParams.get("limit") ?? String(dflt))
    const offset = Number(url.searchParams.get("offset") ?? "0")
    return Number.isInteger(limit) && limit >= 1 && limit <= 50 && Number.isInteger(offset) && offset >= 0 ? { limit, offset } : null
  }

  if (route === "me" || route === "me-playlists" || route === "me-tracks") {
    if (userId === undefined) return respond(apiError(401, "Only valid bearer authentication supported"))
    const user = s.users.get(userId)!
    if (route === "me") return answered(json(200, { id: user.id, display_name: user.displayName, type: "user", uri: `spotify:user:${user.id}` }))
    const p = pageParams(20)
    if (p === null) return respond(apiError(400, "Invalid limit"))
    if (route === "me-playlists") {
      // 2026: the items no longer carry a `tracks` {href, total} count
      const mine = [...s.playlists.values()].filter((e) => !e.playlist.editorial).map((e) => s.playlistJson(e.playlist))
      return answered(json(200, s.entriesPage("/me/playlists", mine, p.offset, p.limit)))
    }
    const liked = (s.liked.get(userId) ?? []).map((id) => {
      const found = s.tracks.get(id)!
      return { added_at: "2026-04-01T09:00:00Z", track: s.fullTrack(found.track, found.album, null) }
    })
    return answered(json(200, s.entriesPage("/me/tracks", liked, p.offset, p.limit)))
  }

  if (route === "playlist-tracks") return respond(apiError(403, "Forbidden"))
  if (route === "playlist" || route === "playlist-items") {
    const id = segments[3]!
    if (!ID.test(id)) return respond(apiError(400, "Invalid base62 id"))
    const entry = s.playlists.get(id)
    if (!entry || entry.playlist.editorial) return respond(apiError(404, "Resource not found"))
    const readable = s.canRead(entry.playlist, userId)
    const shape = entry.playlist.shape ?? "item"
    const all = entry.playlist.entries.map((e) => s.entryJson(e, shape))
    if (route === "playlist") {
      // other people's playlists: metadata only
      return answered(json(200, { ...s.playlistJson(entry.playlist), ...(readable ? { items: s.entriesPage(`/playlists/${id}/items`, all, 0, 50) } : {}) }))
    }
    if (!readable) return respond(apiError(403, "Forbidden"))
    const p = pageParams(20)
    if (p === null) return respond(apiError(400, "Invalid limit"))
    return answered(json(200, s.entriesPage(`/playlists/${id}/items`, all, p.offset, p.limit)))
  }

  if (route === "album" || route === "album-tracks") {
    const id = segments[3]!
    if (!ID.test(id)) return respond(apiError(400, "Invalid base62 id"))
    const entry = s.albums.get(id)
    if (!entry) return respond(apiError(404, "non existing id"))
    if (route === "album") {
      return answered(json(200, {
        ...s.simplifiedAlbum(entry.album, market),
        tracks: s.page(id, 0, 50, market),
        copyrights: [
          { text: `© ${entry.album.releaseDate.slice(0, 4)} ${entry.album.label}`, type: "C" },
          { text: `℗ ${entry.album.releaseDate.slice(0, 4)} ${entry.album.label}`, type: "P" }
        ],
        external_ids: { upc: entry.album.upc },
        genres: [],
        label: entry.album.label,
        popularity: 61
      }))
    }
    const limit = Number(url.searchParams.get("limit") ?? "20")
    const offset = Number(url.searchParams.get("offset") ?? "0")
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) return respond(apiError(400, "Invalid limit"))
    if (!Number.isInteger(offset) || offset < 0) return respond(apiError(400, "Invalid offset"))
    return answered(json(200, s.page(id, offset, limit, market)))
  }

  if (route === "several-tracks") {
    if (s.multiGetRemoved) return respond(apiError(403, "Forbidden"))
    const ids = (url.searchParams.get("ids") ?? "").split(",").filter((x) => x !== "")
    if (ids.length === 0) return respond(apiError(400, "invalid id"))
    if (ids.length > 50) return respond(apiError(400, "Too many ids requested"))
    if (ids.some((id) => !ID.test(id))) return respond(apiError(400, "invalid id"))
    return answered(json(200, {
      tracks: ids.map((id) => {
        const e = s.tracks.get(id)
        return e ? s.fullTrack(e.track, e.album, market) : null
      })
    }))
  }

  // route === "track"
  const id = segments[3]!
  if (!ID.test(id)) return respond(apiError(400, "invalid id"))
  const e = s.tracks.get(id)
  if (!e) return respond(apiError(404, "non existing id"))
  return answered(json(200, s.fullTrack(e.track, e.album, market)))
})

const escapeHtml = (x: string) => x.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * The consent page: GET shows who logs in and what is asked, with Agree and Cancel; the POST of
 * that form redirects to redirect_uri with a code (or error=access_denied) and the state.
 */
const authorize = (s: State, url: URL, form: URLSearchParams | null) => {
  const q = form ?? url.searchParams
  if (form === null) s.authorizeLog.push(new URLSearchParams(url.searchParams))
  const redirectUri = q.get("redirect_uri") ?? ""
  if (q.get("client_id") !== s.clientId) return HttpServerResponse.text("INVALID_CLIENT: Invalid client", { status: 400 })
  if (q.get("response_type") !== "code") return HttpServerResponse.text("unsupported_response_type", { status: 400 })
  if (!/^(https:\/\/|http:\/\/127\.0\.0\.1[:/]|http:\/\/\[::1\][:/])/.test(redirectUri)) {
    return HttpServerResponse.text("INVALID_CLIENT: Insecure redirect URI", { status: 400 })
  }
  if (q.get("code_challenge_method") !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(q.get("code_challenge") ?? "")) {
    return HttpServerResponse.text("invalid_request: code_challenge", { status: 400 })
  }
  const state = q.get("state")
  const back = (params: Record<string, string>) => {
    const target = new URL(redirectUri)
    for (const [k, v] of Object.entries({ ...params, ...(state ? { state } : {}) })) target.searchParams.set(k, v)
    return HttpServerResponse.redirect(target.toString(), { status: 303 })
  }
  if (form === null) {
    const user = s.users.get(s.loginUser ?? "")
    const hidden = [...q.entries()].map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join("")
    return HttpServerResponse.text(`<!doctype html><title>Spotify</title><h1>Log in as ${escapeHtml(user?.displayName ?? "?")}</h1>
      <p>SoulSpot asks for: ${escapeHtml(q.get("scope") ?? "")}</p>
      <form method="post" action="/authorize">${hidden}<button name="decision" value="agree">Agree</button>
      <button name="decision" value="cancel">Cancel</button></form>`, { contentType: "text/html; charset=utf-8" })
  }
  if (q.get("decision") !== "agree") return back({ error: "access_denied" })
  const code = `AQC${randomBytes(24).toString("base64url")}`
  s.codes.set(code, { challenge: q.get("code_challenge")!, redirectUri, clientId: s.clientId, userId: s.loginUser ?? "", scope: q.get("scope") ?? "" })
  return back({ code })
}

/** The fake, listening on 127.0.0.1 and a free port for as long as the layer lives. */
export const FakeSpotifyLive: Layer.Layer<FakeSpotify> = Layer.unwrapEffect(Effect.sync(() => {
  const state = new State()
  // a plain HttpApp, not HttpLayerRouter: its router service would be shared by every fake in one layer graph
  const server = HttpServer.serve(Effect.flatMap(HttpServerRequest.HttpServerRequest, handle(state))).pipe(
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })))
  const control = Layer.effect(FakeSpotify, HttpServer.addressFormattedWith((url) => Effect.sync(() => {
    state.url = url
    return state as FakeSpotifyControl
  })))
  return control.pipe(Layer.provide(server))
})).pipe(Layer.orDie)

/** Points the running settings (database rows, as a user would via PUT /api/settings) at the fake. */
export const useFakeSpotify = Effect.gen(function*() {
  const fake = yield* FakeSpotify
  const settings = yield* Settings
  yield* Effect.orDie(settings.update({
    "spotify.api_url": fake.apiUrl,
    "spotify.accounts_url": fake.accountsUrl,
    "spotify.client_id": fake.clientId,
    "spotify.client_secret": fake.clientSecret
  }))
  return fake
})

// ---------------------------------------------------------------- fixtures

const track = (albumSeed: string, artists: ReadonlyArray<string>) =>
  (name: string, durationMs: number, trackNumber: number, discNumber: number, isrc: string | null): FixtureTrack => ({
    id: spotifyId(`${albumSeed}:${discNumber}:${trackNumber}`), name, artists, durationMs, discNumber, trackNumber, isrc
  })

const OK_COMPUTER_TRACKS: ReadonlyArray<readonly [string, number]> = [
  ["Airbag", 284386], ["Paranoid Android", 383493], ["Subterranean Homesick Alien", 267266],
  ["Exit Music (For A Film)", 264613], ["Let Down", 299146], ["Karma Police", 264066],
  ["Fitter Happier", 117266], ["Electioneering", 230773], ["Climbing Up the Walls", 285106],
  ["No Surprises", 229120], ["Lucky", 259200], ["The Tourist", 324400]
]

/** 12 tracks on one page; "Fitter Happier" has no ISRC. */
export const okComputer: FixtureAlbum = (() => {
  const t = track("ok-computer", ["Radiohead"])
  return {
    id: "6dVIqQ8qmQ5GBnJ9shOYGE",
    name: "OK Computer",
    artists: ["Radiohead"],
    releaseDate: "1997-05-21",
    releaseDatePrecision: "day",
    label: "XL Recordings",
    upc: "634904078164",
    tracks: OK_COMPUTER_TRACKS.map(([name, ms], i) =>
      t(name, ms, i + 1, 1, name === "Fitter Happier" ? null : `GBAYE97${String(i + 1).padStart(5, "0")}`))
  }
})()

const LOVE_SONG_TITLES = [
  "Absolutely Cuckoo", "I Don't Believe in the Sun", "All My Little Words", "A Chicken with Its Head Cut Off",
  "Reno Dakota", "I Don't Want to Get Over You", "Come Back from San Francisco", "The Luckiest Guy on the Lower East Side",
  "Let's Pretend We're Bunny Rabbits", "The Cactus Where Your Heart Should Be", "I Think I Need a New Heart",
  "The Book of Love", "Fido, Your Leash Is Too Long", "Love Is Like Jazz", "The One You Really Love",
  "Punk Love", "Parades Go By", "Boa Constrictor", "A Pretty Girl Is Like...", "My Sentimental Melody",
  "Nothing Matters When We're Dancing", "Sweet-Lovin' Man", "The Things We Did and Didn't Do"
]

/** 69 tracks on 3 discs of 23: two pages of album tracks (50 + 19), two multi-get chunks. */
export const sixtyNineLoveSongs: FixtureAlbum = (() => {
  const t = track("69-love-songs", ["The Magnetic Fields"])
  const tracks: Array<FixtureTrack> = []
  for (let disc = 1; disc <= 3; disc++) {
    for (let n = 1; n <= 23; n++) {
      const title = disc === 1 ? LOVE_SONG_TITLES[n - 1]! : `Love Song ${(disc - 1) * 23 + n}`
      tracks.push(t(title, 90_000 + ((disc * 37 + n * 53) % 150) * 1000, n, disc, `USMRG99${String((disc - 1) * 23 + n).padStart(5, "0")}`))
    }
  }
  return {
    id: spotifyId("album:69-love-songs"),
    name: "69 Love Songs",
    artists: ["The Magnetic Fields"],
    releaseDate: "1999-09-07",
    releaseDatePrecision: "day",
    label: "Merge Records",
    upc: "036172946529",
    tracks
  }
})()

/** A small album whose release date only has a year; two artists on one track. */
export const blueLines: FixtureAlbum = (() => {
  const t = track("blue-lines", ["Massive Attack"])
  return {
    id: spotifyId("album:blue-lines"),
    name: "Blue Lines",
    artists: ["Massive Attack"],
    releaseDate: "1991",
    releaseDatePrecision: "year",
    label: "Circa",
    upc: "724386359925",
    tracks: [
      t("Safe from Harm", 318_000, 1, 1, "GBAAA9100001"),
      { ...t("One Love", 288_000, 2, 1, "GBAAA9100002"), artists: ["Massive Attack", "Horace Andy"] },
      t("Blue Lines", 261_000, 3, 1, "GBAAA9100003")
    ]
  }
})()
