import { HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Context, Effect, Layer } from "effect"
import { createHash } from "node:crypto"
import { createServer } from "node:http"
import { Settings } from "../../src/domain/ports/Settings.js"

/*
 * The Deezer public API on 127.0.0.1, port 0, following catalog-apis.md section 2:
 * GET /album/{id} embeds at most 25 tracks without isrc/track_position/disk_number;
 * GET /album/{id}/tracks pages by index/limit with `next`/`prev` keys LEFT OUT when there is
 * no such page; errors are HTTP 200 bodies {"error":{"type","message","code"}}; slashes are
 * escaped as \/ like the real service. Quota errors (code 4) and other codes are scriptable.
 * Playlists (catalog-apis.md section 5.4): /playlist/{id} with `checksum` and an embedded list
 * cut at 400; /playlist/{id}/tracks pages by index/limit, entries without isrc and positions,
 * optionally short pages while `next` is still there; a private playlist answers the
 * OAuthException (code 200) the public API gives without the owner's token.
 */

export type DeezerRoute = "album" | "album-tracks" | "playlist" | "playlist-tracks" | "unknown"

/** A playlist of tracks taken from added albums: (album id, track id) pairs. */
export interface DeezerFixturePlaylist {
  readonly id: number
  readonly title: string
  readonly public: boolean
  readonly creator: string
  readonly tracks: ReadonlyArray<{ readonly albumId: number; readonly trackId: number; readonly readable?: boolean }>
}

export interface DeezerFixtureTrack {
  readonly id: number
  readonly title: string
  readonly titleVersion?: string
  readonly artist: string
  readonly durationSeconds: number
  readonly trackPosition: number
  readonly diskNumber: number
  /** "" when Deezer has no ISRC for the track. */
  readonly isrc: string
}

export interface DeezerFixtureAlbum {
  readonly id: number
  readonly title: string
  readonly artist: { readonly id: number; readonly name: string }
  readonly releaseDate: string
  readonly label: string
  readonly upc: string
  readonly recordType: "album" | "single" | "ep" | "compile"
  readonly tracks: ReadonlyArray<DeezerFixtureTrack>
}

export interface DeezerRequest {
  readonly route: DeezerRoute
  readonly path: string
  readonly query: string
  /** The error code answered (in a 200 body), if any. */
  readonly errorCode: number | null
  readonly status: number
}

export interface FakeDeezerControl {
  /** http://127.0.0.1:<port>, for SOULSPOT_DEEZER_API_URL / deezer.api_url */
  readonly url: string
  readonly addAlbum: (album: DeezerFixtureAlbum, options?: { readonly shuffled?: boolean }) => void
  readonly requests: () => ReadonlyArray<DeezerRequest>
  readonly count: (route: DeezerRoute) => number
  readonly resetCounts: () => void
  /** Each code answers one future request on that route (200 + error body), in order. */
  readonly failWithCode: (route: DeezerRoute, ...codes: ReadonlyArray<number>) => void
  /** Each status answers one future request on that route with a bare HTTP error. */
  readonly failWithStatus: (route: DeezerRoute, ...statuses: ReadonlyArray<number>) => void
  /**
   * After `after` more requests (any route) are answered normally, the next `times`
   * requests get the quota error (code 4, "Quota limit exceeded").
   */
  readonly quotaAfter: (after: number, times: number) => void
  /** Largest page /album/{id}/tracks serves whatever `limit` asks (default 25). */
  readonly setMaxPageSize: (n: number) => void
  readonly addPlaylist: (playlist: DeezerFixturePlaylist) => void
  /** Replaces the playlist's tracks; the checksum changes with them. */
  readonly setPlaylistTracks: (id: number, tracks: DeezerFixturePlaylist["tracks"]) => void
  /** Pages of /playlist/{id}/tracks drop this many entries (unreadable tracks) while `next` still points on. */
  readonly shortPages: (dropPerPage: number) => void
}

export class FakeDeezer extends Context.Tag("test/FakeDeezer")<FakeDeezer, FakeDeezerControl>() {}

const ERRORS: Record<number, { type: string; message: string }> = {
  4: { type: "Exception", message: "Quota limit exceeded" },
  100: { type: "Exception", message: "Items limit exceeded" },
  200: { type: "OAuthException", message: "Permission denied" },
  300: { type: "OAuthException", message: "Invalid OAuth access token." },
  500: { type: "ParameterException", message: "Wrong parameter" },
  600: { type: "InvalidQueryException", message: "Invalid query" },
  700: { type: "Exception", message: "Service busy" },
  800: { type: "DataException", message: "no data" }
}

const md5 = (s: string) => createHash("md5").update(s).digest("hex")

class State implements FakeDeezerControl {
  url = ""
  readonly albums = new Map<number, { album: DeezerFixtureAlbum; order: ReadonlyArray<DeezerFixtureTrack> }>()
  readonly log: Array<DeezerRequest> = []
  readonly codes = new Map<DeezerRoute, Array<number>>()
  readonly statuses = new Map<DeezerRoute, Array<number>>()
  quota: { after: number; times: number } | null = null
  maxPageSize = 25
  readonly playlists = new Map<number, DeezerFixturePlaylist>()
  dropPerPage = 0

  addPlaylist = (playlist: DeezerFixturePlaylist) => {
    this.playlists.set(playlist.id, playlist)
  }
  setPlaylistTracks = (id: number, tracks: DeezerFixturePlaylist["tracks"]) => {
    this.playlists.set(id, { ...this.playlists.get(id)!, tracks })
  }
  shortPages = (dropPerPage: number) => {
    this.dropPerPage = dropPerPage
  }
  checksumOf = (p: DeezerFixturePlaylist) => md5(JSON.stringify(p.tracks))
  /** A playlist entry: a track without isrc, track_position and disk_number, plus time_add and album. */
  playlistEntry = (ref: DeezerFixturePlaylist["tracks"][number]) => {
    const album = this.albums.get(ref.albumId)!.album
    const t = album.tracks.find((x) => x.id === ref.trackId)!
    const { isrc: _i, track_position: _p, disk_number: _d, ...rest } = this.trackItem(t, album)
    return {
      ...rest, readable: ref.readable ?? true, time_add: 1_700_000_000,
      album: { id: album.id, title: album.title, cover: `${this.url}/album/${album.id}/image`, md5_image: md5(`cover${album.id}`), tracklist: `${this.url}/album/${album.id}/tracks`, type: "album" }
    }
  }

  addAlbum = (album: DeezerFixtureAlbum, options?: { readonly shuffled?: boolean }) => {
    const order = options?.shuffled
      ? [...album.tracks].sort((a, b) => md5(`o${a.id}`).localeCompare(md5(`o${b.id}`)))
      : [...album.tracks].sort((a, b) => a.diskNumber - b.diskNumber || a.trackPosition - b.trackPosition)
    this.albums.set(album.id, { album, order })
  }
  requests = () => [...this.log]
  count = (route: DeezerRoute) => this.log.filter((r) => r.route === route).length
  resetCounts = () => {
    this.log.length = 0
  }
  failWithCode = (route: DeezerRoute, ...codes: ReadonlyArray<number>) => {
    this.codes.set(route, [...(this.codes.get(route) ?? []), ...codes])
  }
  failWithStatus = (route: DeezerRoute, ...statuses: ReadonlyArray<number>) => {
    this.statuses.set(route, [...(this.statuses.get(route) ?? []), ...statuses])
  }
  quotaAfter = (after: number, times: number) => {
    this.quota = { after, times }
  }
  setMaxPageSize = (n: number) => {
    this.maxPageSize = n
  }

  artistJson = (a: { id: number; name: string }) => ({
    id: a.id, name: a.name, tracklist: `${this.url}/artist/${a.id}/top?limit=50`, type: "artist"
  })
  picture = (kind: string, seed: string, size: string) =>
    `https://e-cdns-images.dzcdn.net/images/${kind}/${md5(seed)}/${size}-000000-80-0-0.jpg`
  trackItem = (t: DeezerFixtureTrack, a: DeezerFixtureAlbum) => ({
    id: t.id,
    readable: true,
    title: t.titleVersion ? `${t.title} ${t.titleVersion}` : t.title,
    title_short: t.title,
    title_version: t.titleVersion ?? "",
    isrc: t.isrc,
    link: `https://www.deezer.com/track/${t.id}`,
    duration: t.durationSeconds,
    track_position: t.trackPosition,
    disk_number: t.diskNumber,
    rank: 400000 + (t.id % 500000),
    explicit_lyrics: false,
    explicit_content_lyrics: 0,
    explicit_content_cover: 0,
    preview: `https://cdnt-preview.dzcdn.net/api/1/1/${md5(String(t.id)).slice(0, 1)}/${md5(String(t.id))}.mp3?hdnea=exp=1790000000~acl=/api/1/1/*~hmac=${md5(`h${t.id}`)}`,
    md5_image: md5(`cover${a.id}`),
    artist: this.artistJson(t.artist === a.artist.name ? a.artist : { id: 9_000_000 + (t.id % 1000), name: t.artist }),
    type: "track"
  })
  /** What /album/{id} embeds: the first 25, without isrc, track_position and disk_number. */
  embeddedItem = (t: DeezerFixtureTrack, a: DeezerFixtureAlbum) => {
    const { isrc: _isrc, track_position: _tp, disk_number: _dn, ...rest } = this.trackItem(t, a)
    return { ...rest, album: { id: a.id, title: a.title, cover: `${this.url}/album/${a.id}/image`, md5_image: md5(`cover${a.id}`), tracklist: `${this.url}/album/${a.id}/tracks`, type: "album" } }
  }
  albumJson = (a: DeezerFixtureAlbum, order: ReadonlyArray<DeezerFixtureTrack>) => ({
    id: a.id,
    title: a.title,
    upc: a.upc,
    link: `https://www.deezer.com/album/${a.id}`,
    share: `https://www.deezer.com/album/${a.id}?utm_source=deezer&utm_content=album-${a.id}&utm_term=0_1790000000&utm_medium=web`,
    cover: `${this.url}/album/${a.id}/image`,
    cover_small: this.picture("cover", String(a.id), "56x56"),
    cover_medium: this.picture("cover", String(a.id), "250x250"),
    cover_big: this.picture("cover", String(a.id), "500x500"),
    cover_xl: this.picture("cover", String(a.id), "1000x1000"),
    md5_image: md5(`cover${a.id}`),
    genre_id: 132,
    genres: { data: [{ id: 132, name: "Pop", picture: `${this.url}/genre/132/image`, type: "genre" }] },
    label: a.label,
    nb_tracks: a.tracks.length,
    duration: a.tracks.reduce((s, t) => s + t.durationSeconds, 0),
    fans: 104_233,
    release_date: a.releaseDate,
    record_type: a.recordType,
    available: true,
    tracklist: `${this.url}/album/${a.id}/tracks`,
    explicit_lyrics: false,
    explicit_content_lyrics: 7,
    explicit_content_cover: 0,
    contributors: [{ ...this.artistJson(a.artist), link: `https://www.deezer.com/artist/${a.artist.id}`, role: "Main" }],
    artist: {
      ...this.artistJson(a.artist),
      picture: `${this.url}/artist/${a.artist.id}/image`,
      picture_small: this.picture("artist", String(a.artist.id), "56x56")
    },
    type: "album",
    tracks: { data: order.slice(0, 25).map((t) => this.embeddedItem(t, a)) }
  })
}

/** JSON the way Deezer writes it: slashes escaped. */
const body = (value: unknown, status = 200) =>
  HttpServerResponse.text(JSON.stringify(value).replace(/\//g, "\\/"), { status, contentType: "application/json; charset=utf-8" })

const errorBody = (code: number) => body({ error: { ...(ERRORS[code] ?? { type: "Exception", message: "An error occurred" }), code } })

const routeOf = (path: string): DeezerRoute =>
  /^\/album\/[^/]+$/.test(path) ? "album" : /^\/album\/[^/]+\/tracks$/.test(path) ? "album-tracks"
    : /^\/playlist\/[^/]+$/.test(path) ? "playlist" : /^\/playlist\/[^/]+\/tracks$/.test(path) ? "playlist-tracks" : "unknown"

const handle = (s: State) => (req: HttpServerRequest.HttpServerRequest) => Effect.sync(() => {
  const url = new URL(req.url, s.url)
  const route = req.method === "GET" ? routeOf(url.pathname) : "unknown"
  const respond = (res: HttpServerResponse.HttpServerResponse, errorCode: number | null = null) => {
    s.log.push({ route, path: url.pathname, query: url.search, errorCode, status: res.status })
    return res
  }
  const status = s.statuses.get(route)?.shift()
  if (status !== undefined) return respond(HttpServerResponse.text("<html><body>Bad Gateway</body></html>", { status, contentType: "text/html" }))
  const scripted = s.codes.get(route)?.shift()
  if (scripted !== undefined) return respond(errorBody(scripted), scripted)
  if (s.quota !== null) {
    if (s.quota.after > 0) {
      s.quota.after--
    } else if (s.quota.times > 0) {
      s.quota.times--
      return respond(errorBody(4), 4)
    }
  }
  if (route === "unknown") return respond(errorBody(600), 600)

  const idText = url.pathname.split("/")[2]!
  if (route === "playlist" || route === "playlist-tracks") {
    const p = /^\d+$/.test(idText) ? s.playlists.get(Number(idText)) : undefined
    if (!p) return respond(errorBody(800), 800)
    // a private playlist needs the owner's OAuth token, which the public API has not got
    if (!p.public) {
      return respond(body({ error: { type: "OAuthException", message: "An active access token must be used to query information about the current user", code: 200 } }), 200)
    }
    const all = p.tracks.map(s.playlistEntry)
    if (route === "playlist") {
      return respond(body({
        id: p.id, title: p.title, description: "", duration: 0, public: true, is_loved_track: false, collaborative: false,
        nb_tracks: all.length, fans: 12, link: `https://www.deezer.com/playlist/${p.id}`, checksum: s.checksumOf(p),
        tracklist: `${s.url}/playlist/${p.id}/tracks`, creation_date: "2024-01-01 10:00:00",
        creator: { id: 5, name: p.creator, tracklist: `${s.url}/user/5/flow`, type: "user" }, type: "playlist",
        // the embedded list is cut short on long playlists
        tracks: { data: all.slice(0, 400) }
      }))
    }
    const limitParam = url.searchParams.get("limit")
    const limit = limitParam !== null && /^\d+$/.test(limitParam) && Number(limitParam) > 0 ? Math.min(Number(limitParam), 1000) : 25
    const index = Math.max(0, Number(url.searchParams.get("index") ?? "0") || 0)
    const link = (i: number) => {
      const q = new URLSearchParams(url.searchParams)
      q.set("index", String(i))
      return `${s.url}${url.pathname}?${q.toString()}`
    }
    const page = all.slice(index, index + limit)
    return respond(body({
      data: index + limit < all.length ? page.slice(0, Math.max(0, page.length - s.dropPerPage)) : page,
      total: all.length, checksum: s.checksumOf(p),
      ...(index > 0 ? { prev: link(Math.max(0, index - limit)) } : {}),
      ...(index + limit < all.length ? { next: link(index + limit) } : {})
    }))
  }
  const entry = /^\d+$/.test(idText) ? s.albums.get(Number(idText)) : undefined
  if (!entry) return respond(errorBody(800), 800)
  if (route === "album") return respond(body(s.albumJson(entry.album, entry.order)))

  const limitParam = url.searchParams.get("limit")
  const limit = Math.min(limitParam !== null && /^\d+$/.test(limitParam) && Number(limitParam) > 0 ? Number(limitParam) : 25, s.maxPageSize)
  const index = Math.max(0, Number(url.searchParams.get("index") ?? "0") || 0)
  const total = entry.order.length
  const link = (i: number) => {
    const q = new URLSearchParams(url.searchParams)
    q.set("index", String(i))
    return `${s.url}${url.pathname}?${q.toString()}`
  }
  return respond(body({
    data: entry.order.slice(index, index + limit).map((t) => s.trackItem(t, entry.album)),
    total,
    ...(index > 0 ? { prev: link(Math.max(0, index - limit)) } : {}),
    ...(index + limit < total ? { next: link(index + limit) } : {})
  }))
})

export const FakeDeezerLive: Layer.Layer<FakeDeezer> = Layer.unwrapEffect(Effect.sync(() => {
  const state = new State()
  // a plain HttpApp, not HttpLayerRouter: its router service would be shared by every fake in one layer graph
  const server = HttpServer.serve(Effect.flatMap(HttpServerRequest.HttpServerRequest, handle(state))).pipe(
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })))
  const control = Layer.effect(FakeDeezer, HttpServer.addressFormattedWith((url) => Effect.sync(() => {
    state.url = url
    return state as FakeDeezerControl
  })))
  return control.pipe(Layer.provide(server))
})).pipe(Layer.orDie)

/** Points the running settings at the fake (as PUT /api/settings would). */
export const useFakeDeezer = Effect.gen(function*() {
  const fake = yield* FakeDeezer
  const settings = yield* Settings
  yield* Effect.orDie(settings.update({ "deezer.api_url": fake.url }))
  return fake
})

// ---------------------------------------------------------------- fixtures

const DISCOVERY: ReadonlyArray<readonly [string, number]> = [
  ["One More Time", 320], ["Aerodynamic", 212], ["Digital Love", 301], ["Harder, Better, Faster, Stronger", 224],
  ["Crescendolls", 211], ["Nightvision", 104], ["Superheroes", 237], ["High Life", 201], ["Something About Us", 232],
  ["Voyager", 227], ["Veridis Quo", 345], ["Short Circuit", 206], ["Face to Face", 240], ["Too Long", 600]
]

/** 14 tracks: one page, so the reply has neither `next` nor `prev`. */
export const discovery: DeezerFixtureAlbum = {
  id: 302127,
  title: "Discovery",
  artist: { id: 27, name: "Daft Punk" },
  releaseDate: "2001-03-07",
  label: "Parlophone (France)",
  upc: "724384960650",
  recordType: "album",
  tracks: DISCOVERY.map(([title, seconds], i) => ({
    id: 3135553 + i, title, artist: "Daft Punk", durationSeconds: seconds, trackPosition: i + 1, diskNumber: 1,
    isrc: `GBDUW00000${String(53 + i).padStart(2, "0")}`
  }))
}

const ONE: ReadonlyArray<readonly [string, number]> = [
  ["Love Me Do", 140], ["From Me To You", 116], ["She Loves You", 141], ["I Want To Hold Your Hand", 145],
  ["Can't Buy Me Love", 131], ["A Hard Day's Night", 154], ["I Feel Fine", 138], ["Eight Days A Week", 164],
  ["Ticket To Ride", 190], ["Help!", 138], ["Yesterday", 125], ["Day Tripper", 168], ["We Can Work It Out", 135],
  ["Paperback Writer", 138], ["Yellow Submarine", 158], ["Eleanor Rigby", 126], ["Penny Lane", 180],
  ["All You Need Is Love", 227], ["Hello, Goodbye", 208], ["Lady Madonna", 137], ["Hey Jude", 425],
  ["Get Back", 191], ["The Ballad Of John And Yoko", 179], ["Something", 182], ["Come Together", 259],
  ["Let It Be", 230], ["The Long And Winding Road", 218]
]

/** 27 tracks: /album/{id} embeds only 25; "Hey Jude" has an empty ISRC. */
export const beatlesOne: DeezerFixtureAlbum = {
  id: 12047952,
  title: "1 (Remastered)",
  artist: { id: 1, name: "The Beatles" },
  releaseDate: "2000-11-13",
  label: "EMI Catalogue",
  upc: "602547673588",
  recordType: "compile",
  tracks: ONE.map(([title, seconds], i) => ({
    id: 116348198 + i, title, titleVersion: "(Remastered 2015)", artist: "The Beatles", durationSeconds: seconds,
    trackPosition: i + 1, diskNumber: 1, isrc: title === "Hey Jude" ? "" : `GBUM715${String(i + 1).padStart(5, "0")}`
  }))
}

const MELLON_COLLIE: ReadonlyArray<ReadonlyArray<readonly [string, number]>> = [
  [["Mellon Collie And The Infinite Sadness", 172], ["Tonight, Tonight", 254], ["Jellybelly", 181], ["Zero", 161],
    ["Here Is No Why", 225], ["Bullet With Butterfly Wings", 258], ["To Forgive", 256], ["An Ode To No One", 289],
    ["Love", 260], ["Cupid De Locke", 170], ["Galapogos", 286], ["Muzzle", 224], ["Porcelina Of The Vast Oceans", 561],
    ["Take Me Down", 172]],
  [["Where Boys Fear To Tread", 242], ["Bodies", 252], ["Thirty-Three", 250], ["In The Arms Of Sleep", 252],
    ["1979", 265], ["Tales Of A Scorched Earth", 226], ["Thru The Eyes Of Ruby", 458], ["Stumbleine", 174],
    ["X.Y.U.", 427], ["We Only Come Out At Night", 245], ["Beautiful", 258], ["Lily (My One And Only)", 211],
    ["By Starlight", 288], ["Farewell And Goodnight", 264]]
]

/** 28 tracks on two discs (track_position restarts at 1 on disc 2). */
export const mellonCollie: DeezerFixtureAlbum = {
  id: 1262014,
  title: "Mellon Collie And The Infinite Sadness",
  artist: { id: 1419, name: "The Smashing Pumpkins" },
  releaseDate: "1995-10-24",
  label: "Virgin Records",
  upc: "724384049928",
  recordType: "album",
  tracks: MELLON_COLLIE.flatMap((disc, d) => disc.map(([title, seconds], i) => ({
    id: 13793000 + d * 100 + i, title, artist: "The Smashing Pumpkins", durationSeconds: seconds,
    trackPosition: i + 1, diskNumber: d + 1, isrc: `USVI29500${String(d * 100 + i + 1).padStart(3, "0")}`
  })))
}
