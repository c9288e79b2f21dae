import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Layer, Logger } from "effect"
import { TrackRepository } from "../../src/domain/ports/TrackRepository.js"
import { AppTest } from "../support/app.js"
import { type DeezerFixtureAlbum, FakeDeezerLive, discovery, useFakeDeezer } from "../support/fake-deezer.js"
import { blueLines, FakeSpotify, FakeSpotifyLive, okComputer, sixtyNineLoveSongs, spotifyId, useFakeSpotify } from "../support/fake-spotify.js"
import { request } from "../support/http.js"

const logs: Array<string> = []
const CaptureLogs = Logger.replace(Logger.defaultLogger, Logger.make(({ message, annotations }) => {
  logs.push(`${JSON.stringify(message)} ${JSON.stringify([...annotations])}`)
}))

const call = (method: "GET" | "POST" | "DELETE" | "PATCH", url: string, json?: unknown, headers?: Record<string, string>) =>
  Effect.map(request(method, url, { ...(json === undefined ? {} : { json }), ...(headers ? { headers } : {}) }), (r) => {
    answers.push(r.text)
    let body: any = null
    try {
      body = JSON.parse(r.text)
    } catch {
      body = r.text
    }
    return { ...r, body }
  })
const answers: Array<string> = []
const stats = Effect.map(call("GET", "/api/downloads/manager/stats"), (r) => r.body as { total: number; waiting: number })

/** 250 tracks, for a playlist that needs three pages of 100. */
const bigAlbum: DeezerFixtureAlbum = {
  id: 777001, title: "Big Box", artist: { id: 77, name: "Box Artist" }, releaseDate: "2020-01-01", label: "L", upc: "1",
  recordType: "compile",
  tracks: Array.from({ length: 250 }, (_, i) => ({
    id: 88_000_000 + i, title: `Box Song ${i + 1}`, artist: "Box Artist", durationSeconds: 200, trackPosition: i + 1, diskNumber: 1, isrc: ""
  }))
}

const OWNED = spotifyId("playlist:owned")
const FOREIGN = spotifyId("playlist:foreign")
const OLD_SHAPE = spotifyId("playlist:old-shape")
const EDITORIAL = "37i9dQZF1DXcBWIGoYBM5M"

/** Logs in through the PKCE flow as a browser would: connect, the fake's consent page, Agree, back to the callback. */
const login = (decision: "agree" | "cancel" = "agree") => Effect.gen(function*() {
  const fake = yield* FakeSpotify
  const connect = yield* call("GET", "/api/spotify/connect")
  expect(connect.status).toBe(302)
  const authorize = new URL(connect.headers["location"]!)
  const consent = yield* Effect.promise(() => fetch(authorize))
  expect(consent.status).toBe(200)
  const back = yield* Effect.promise(() => fetch(`${fake.url}/authorize`, {
    method: "POST", redirect: "manual",
    body: new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), decision })
  }))
  const callback = new URL(back.headers.get("location")!)
  return yield* call("GET", `${callback.pathname}${callback.search}`)
})

describe("playlists, Liked Songs and the Spotify account", () => {
  it.layer(Layer.mergeAll(AppTest(), FakeSpotifyLive, FakeDeezerLive).pipe(Layer.provide(CaptureLogs)), { timeout: 60_000 })((it) => {
    it.effect("a public Deezer playlist: every page (short ones too), albums grouped, a repeat queues nothing", () =>
      Effect.gen(function*() {
        const fake = yield* useFakeDeezer
        fake.addAlbum(bigAlbum)
        fake.addAlbum(discovery)
        fake.addPlaylist({
          id: 9200461, title: "Long mix", public: true, creator: "dj",
          tracks: [...bigAlbum.tracks.map((t) => ({ albumId: bigAlbum.id, trackId: t.id })), { albumId: discovery.id, trackId: discovery.tracks[0]!.id, readable: false }]
        })
        fake.shortPages(3)
        fake.resetCounts()
        const before = (yield* stats).total
        const r = yield* call("POST", "/api/downloads/playlist", { source: "deezer", playlist_id: "https://www.deezer.com/fr/playlist/9200461" })
        expect(r.status).toBe(201)
        expect(r.body.playlist).toMatchObject({ title: "Long mix", source: "deezer", source_id: "9200461", watch: false })
        // pages of 100 that each lost 3 entries: 97 + 97 + the last 51 in full
        expect(fake.count("playlist-tracks")).toBe(3)
        expect(r.body.downloads).toHaveLength(97 + 97 + 51)
        expect(r.body.downloads.at(-1).track).toMatchObject({ title: "One More Time", artist: "Daft Punk", album: "Discovery" })
        expect((yield* stats).total).toBe(before + 245)
        // tracks of one album share an album row, so the dispatcher searches that album's folder
        const tracks = yield* TrackRepository
        const albums = yield* tracks.albumsOfTracks(r.body.downloads.map((d: any) => d.track_id))
        expect([...albums.values()].map((ids) => ids.length).sort((a, b) => b - a)[0]).toBe(244)

        const again = yield* call("POST", "/api/downloads/playlist", { source: "deezer", playlist_id: "9200461" })
        expect(again.status).toBe(200)
        expect(again.body.skipped.filter((s: any) => s.reason === "already queued")).toHaveLength(245)
        expect((yield* stats).total).toBe(before + 245)
        fake.shortPages(0)
      }))

    it.effect("Deezer refusals: private (422 deezer_playlist_private), unknown (404), bad id (400), unknown source (422)", () =>
      Effect.gen(function*() {
        const fake = yield* useFakeDeezer
        fake.addPlaylist({ id: 555, title: "Secret", public: false, creator: "me", tracks: [] })
        const before = (yield* stats).total
        const priv = yield* call("POST", "/api/downloads/playlist", { source: "deezer", playlist_id: "555" })
        expect(priv.status).toBe(422)
        expect(priv.body).toMatchObject({ error: "deezer_playlist_private", message: expect.stringMatching(/private.*public.*CSV/s) })
        const unknown = yield* call("POST", "/api/downloads/playlist", { source: "deezer", playlist_id: "123456" })
        expect(unknown.status).toBe(404)
        const bad = yield* call("POST", "/api/downloads/playlist", { source: "deezer", playlist_id: "https://open.spotify.com/playlist/" + OWNED })
        expect(bad.status).toBe(400)
        expect(bad.body.message).toMatch(/Spotify link/)
        const source = yield* call("POST", "/api/downloads/playlist", { source: "tidal", playlist_id: "1" })
        expect(source.status).toBe(422)
        expect((yield* stats).total).toBe(before)
      }))

    it.effect("Spotify without a connected account: 403 becomes spotify_playlist_forbidden naming the ways out; editorial ones are unavailable", () =>
      Effect.gen(function*() {
        const fake = yield* useFakeSpotify
        fake.addAlbum(okComputer)
        fake.addUser({ id: "alice", displayName: "Alice" })
        fake.addPlaylist({ id: OWNED, name: "Alice's mix", ownerId: "alice", entries: [{ kind: "track", trackId: okComputer.tracks[0]!.id }] })
        fake.addPlaylist({ id: EDITORIAL, name: "Today's Top Hits", ownerId: "spotify", editorial: true, entries: [] })
        const forbidden = yield* call("POST", "/api/downloads/playlist", { source: "spotify", playlist_id: `spotify:playlist:${OWNED}` })
        expect(forbidden.status).toBe(422)
        expect(forbidden.body.error).toBe("spotify_playlist_forbidden")
        expect(forbidden.body.message).toMatch(/Connect Spotify/)
        expect(forbidden.body.message).toMatch(/Exportify/)
        const editorial = yield* call("POST", "/api/downloads/playlist", { source: "spotify", playlist_id: `https://open.spotify.com/playlist/${EDITORIAL}?si=abc` })
        expect(editorial.status).toBe(422)
        expect(editorial.body.error).toBe("spotify_playlist_unavailable")
        const liked = yield* call("POST", "/api/downloads/liked", { source: "spotify" })
        expect(liked.status).toBe(409)
        const mine = yield* call("GET", "/api/spotify/playlists")
        expect(mine.status).toBe(409)
      }))

    it.effect("login refusals store nothing: Cancel at Spotify, an unknown or reused state, an expired state, a wrong code", () =>
      Effect.gen(function*() {
        yield* useFakeSpotify
        const cancelled = yield* login("cancel")
        expect(cancelled.status).toBe(303)
        expect(cancelled.headers["location"]).toBe("/download-manager/settings?spotify=refused")
        expect((yield* call("GET", "/api/spotify/account")).body.connected).toBe(false)

        const forged = yield* call("GET", "/api/spotify/callback?code=abc&state=forged")
        expect(forged.status).toBe(400)
        expect(forged.body).toMatchObject({ error: "spotify_login_failed", message: expect.stringMatching(/does not belong to a login SoulSpot started/) })
        const page = yield* call("GET", "/api/spotify/callback?code=abc&state=forged", undefined, { accept: "text/html" })
        expect(page.status).toBe(400)
        expect(page.headers["content-type"]).toMatch(/text\/html/)

        const sql = yield* SqlClient.SqlClient
        // a login started 11 minutes ago, by the clock the service runs on
        const started = new Date((yield* Clock.currentTimeMillis) - 11 * 60_000).toISOString()
        yield* sql`INSERT INTO spotify_login_states (state, verifier, redirect_uri, created_at) VALUES ('old', ${"v".repeat(64)}, 'http://127.0.0.1:1/api/spotify/callback', ${started})`
        const expired = yield* call("GET", "/api/spotify/callback?code=abc&state=old")
        expect(expired.status).toBe(400)
        expect(expired.body.message).toMatch(/10 minutes/)

        const connect = yield* call("GET", "/api/spotify/connect")
        const state = new URL(connect.headers["location"]!).searchParams.get("state")!
        const wrongCode = yield* call("GET", `/api/spotify/callback?code=not-a-code&state=${state}`)
        expect(wrongCode.status).toBe(303)
        expect(wrongCode.headers["location"]).toBe("/download-manager/settings?spotify=code")
        const reused = yield* call("GET", `/api/spotify/callback?code=not-a-code&state=${state}`)
        expect(reused.status).toBe(400)
        expect((yield* call("GET", "/api/spotify/account")).body).toMatchObject({ connected: false, user: null, error: null })
        const rows = yield* sql<{ n: number }>`SELECT count(*) AS n FROM spotify_account`
        expect(rows[0]!.n).toBe(0)
      }))

    it.effect("connect: 302 with S256 PKCE and the three scopes; the callback stores the account; playlists read with the user's token", () =>
      Effect.gen(function*() {
        const fake = yield* useFakeSpotify
        fake.addAlbum(sixtyNineLoveSongs)
        fake.addAlbum(blueLines)
        fake.addUser({ id: "alice", displayName: "Alice" })
        fake.addUser({ id: "bob", displayName: "Bob" })
        fake.loginAs("alice")
        const entries = [
          ...sixtyNineLoveSongs.tracks.slice(0, 60).map((t) => ({ kind: "track" as const, trackId: t.id })),
          { kind: "local" as const, artist: "Tape Band", album: "Demos", title: "First Take", seconds: 201 },
          { kind: "episode" as const, name: "A podcast" },
          { kind: "removed" as const },
          { kind: "track" as const, trackId: blueLines.tracks[0]!.id, playable: false }
        ]
        fake.addPlaylist({ id: OWNED, name: "Alice's mix", ownerId: "alice", entries })
        fake.addPlaylist({ id: FOREIGN, name: "Bob's mix", ownerId: "bob", entries: [{ kind: "track", trackId: blueLines.tracks[1]!.id }] })
        fake.addPlaylist({ id: OLD_SHAPE, name: "Shared", ownerId: "bob", collaborative: true, collaborators: ["alice"], shape: "track",
          entries: blueLines.tracks.map((t) => ({ kind: "track" as const, trackId: t.id })) })
        fake.setLiked("alice", [blueLines.tracks[2]!.id, okComputer.tracks[1]!.id])

        const back = yield* login()
        expect(back.status).toBe(303)
        expect(back.headers["location"]).toBe("/download-manager/settings?spotify=connected")
        const asked = fake.authorizeRequests().at(-1)!
        expect(asked.get("code_challenge_method")).toBe("S256")
        expect(asked.get("scope")).toBe("playlist-read-private playlist-read-collaborative user-library-read")
        expect(asked.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/spotify\/callback$/)
        const account = yield* call("GET", "/api/spotify/account")
        expect(account.body).toMatchObject({ connected: true, user: { id: "alice", display_name: "Alice" }, client_id_set: true, error: null })

        const r = yield* call("POST", "/api/downloads/playlist", { source: "spotify", playlist_id: OWNED, watch: true })
        expect(r.status).toBe(201)
        expect(r.body.playlist).toMatchObject({ title: "Alice's mix", watch: true, source_id: OWNED })
        expect(r.body.downloads).toHaveLength(61)
        expect(r.body.downloads.at(-1).track).toMatchObject({ title: "First Take", artist: "Tape Band", album: "Demos", duration_ms: 201_000 })
        const reasons = r.body.skipped.map((s: any) => s.reason)
        expect(reasons).toEqual(expect.arrayContaining([
          expect.stringMatching(/podcast episode/), expect.stringMatching(/removed from Spotify/), expect.stringMatching(/not available on Spotify/)
        ]))
        expect(fake.count("playlist-items")).toBeGreaterThanOrEqual(2)

        const foreign = yield* call("POST", "/api/downloads/playlist", { source: "spotify", playlist_id: FOREIGN })
        expect(foreign.status).toBe(422)
        expect(foreign.body.message).toMatch(/connected account does neither/)
        const shared = yield* call("POST", "/api/downloads/playlist", { source: "spotify", playlist_id: OLD_SHAPE })
        expect(shared.status).toBe(201)
        expect(shared.body.downloads).toHaveLength(3)

        const mine = yield* call("GET", "/api/spotify/playlists")
        expect(mine.status).toBe(200)
        const readable = Object.fromEntries(mine.body.playlists.map((p: any) => [p.id, p.readable]))
        expect(readable).toMatchObject({ [OWNED]: true, [FOREIGN]: false, [OLD_SHAPE]: true })

        const liked = yield* call("POST", "/api/downloads/liked", { source: "spotify" })
        expect(liked.status).toBe(201)
        expect(liked.body.playlist.title).toBe("Liked Songs")
        expect(liked.body.downloads.map((d: any) => d.track.title)).toEqual(["Blue Lines", "Paranoid Android"])

        const list = yield* call("GET", "/api/playlists")
        const alice = list.body.playlists.find((p: any) => p.source_id === OWNED)
        expect(alice).toMatchObject({ watch: true, total_tracks: 61, queued: 61, done: 0, failed: 0 })
      }))

    it.effect("an expired access token is refreshed once (and the new refresh token kept); a revoked one means reconnect", () =>
      Effect.gen(function*() {
        const fake = yield* useFakeSpotify
        fake.expireTokens()
        fake.resetCounts()
        const r = yield* call("GET", "/api/spotify/playlists")
        expect(r.status).toBe(200)
        expect(fake.count("token")).toBe(1)
        fake.expireTokens()
        const again = yield* call("GET", "/api/spotify/playlists")
        expect(again.status).toBe(200)
        expect(fake.count("token")).toBe(2)

        fake.revokeRefreshTokens()
        fake.expireTokens()
        const refused = yield* call("GET", "/api/spotify/playlists")
        expect(refused.status).toBe(409)
        expect(refused.body.message).toMatch(/reconnect/)
        expect((yield* call("GET", "/api/spotify/account")).body).toMatchObject({ connected: false, error: "reconnect" })
        const tokenCalls = fake.count("token")
        yield* call("GET", "/api/spotify/playlists")
        yield* call("POST", "/api/downloads/liked", { source: "spotify" })
        expect(fake.count("token")).toBe(tokenCalls)

        // the paste-the-address fallback logs in again
        const connect = yield* call("GET", "/api/spotify/connect")
        const authorize = new URL(connect.headers["location"]!)
        const back = yield* Effect.promise(() => fetch(`${fake.url}/authorize`, {
          method: "POST", redirect: "manual", body: new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), decision: "agree" })
        }))
        const pasted = yield* call("POST", "/api/spotify/callback", { url: back.headers.get("location") })
        expect(pasted.status).toBe(200)
        expect(pasted.body).toMatchObject({ connected: true, user: { id: "alice" }, error: null })
        const notUrl = yield* call("POST", "/api/spotify/callback", { url: "nonsense" })
        expect(notUrl.status).toBe(400)

        const gone = yield* call("DELETE", "/api/spotify/account")
        expect(gone.status).toBe(204)
        expect((yield* call("GET", "/api/spotify/account")).body.connected).toBe(false)
      }))

    it.effect("no access or refresh token ever appears in an answer, a page or a log line", () =>
      Effect.gen(function*() {
        const fake = yield* FakeSpotify
        yield* call("GET", "/download-manager/settings")
        yield* call("GET", "/api/openapi.json")
        const secrets = fake.issuedSecrets()
        expect(secrets.length).toBeGreaterThan(4)
        expect(logs.length).toBeGreaterThan(10)
        for (const secret of secrets) {
          for (const a of answers) expect(a.includes(secret)).toBe(false)
          for (const l of logs) expect(l.includes(secret)).toBe(false)
        }
      }))
  })
})
