import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, TestClock } from "effect"
import { PlaylistSync, PlaylistSyncWorkerLive } from "../../src/application/playlist-sync.js"
import { AppTest } from "../support/app.js"
import { discovery, FakeDeezer, FakeDeezerLive, useFakeDeezer } from "../support/fake-deezer.js"
import { FakeSpotifyLive, okComputer, spotifyId, useFakeSpotify } from "../support/fake-spotify.js"
import { request } from "../support/http.js"

const post = (url: string, json: unknown) => Effect.map(request("POST", url, { json }), (r) => ({ status: r.status, body: JSON.parse(r.text) }))
const playlists = Effect.map(request("GET", "/api/playlists"), (r) => JSON.parse(r.text).playlists as Array<any>)
/** Real time for real I/O (the fakes answer over HTTP) while the service's clock is the TestClock. */
const until = (f: () => boolean) => Effect.promise(async () => {
  for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 10))
})

const PLAYLIST = 9300001
const Env = Layer.mergeAll(AppTest(), FakeDeezerLive, FakeSpotifyLive)

describe("watched playlists", () => {
  it.scoped("every interval under TestClock: unchanged costs one request, added entries are queued, removed ones left alone", () =>
    Effect.gen(function*() {
      const ctx = yield* Layer.build(Env)
      yield* Effect.gen(function*() {
        const fake = yield* useFakeDeezer
        fake.addAlbum(discovery)
        const first = discovery.tracks.slice(0, 3).map((t) => ({ albumId: discovery.id, trackId: t.id }))
        fake.addPlaylist({ id: PLAYLIST, title: "Growing", public: true, creator: "me", tracks: first })
        const r = yield* post("/api/downloads/playlist", { source: "deezer", playlist_id: String(PLAYLIST), watch: true })
        expect(r.status).toBe(201)
        const id = r.body.playlist.id

        fake.resetCounts()
        yield* Layer.build(PlaylistSyncWorkerLive)
        // the first tick runs at start: same checksum, one request
        yield* until(() => fake.count("playlist") === 1)
        yield* Effect.promise(() => new Promise((res) => setTimeout(res, 50)))
        expect(fake.requests().map((q) => q.route)).toEqual(["playlist"])

        // an entry added and one removed in Deezer; nothing happens before the interval (1 hour) is over
        fake.setPlaylistTracks(PLAYLIST, [...first.slice(1), { albumId: discovery.id, trackId: discovery.tracks[5]!.id }])
        yield* TestClock.adjust(Duration.minutes(59))
        yield* Effect.promise(() => new Promise((res) => setTimeout(res, 50)))
        expect(fake.count("playlist")).toBe(1)
        yield* TestClock.adjust(Duration.minutes(1))
        yield* until(() => fake.count("playlist-tracks") === 1)
        let list: Array<any> = []
        for (let i = 0; i < 100; i++) {
          list = yield* playlists
          if (list.find((p) => p.id === id)?.total_tracks === 3 && list.find((p) => p.id === id)?.queued === 4) break
          yield* Effect.promise(() => new Promise((res) => setTimeout(res, 10)))
        }
        const synced = list.find((p) => p.id === id)
        // 3 at first, 1 added: 4 queued; the removed one keeps its download
        expect(synced).toMatchObject({ watch: true, queued: 4, last_error: null })
        expect(synced.last_synced_at).not.toBeNull()
        const stats = JSON.parse((yield* request("GET", "/api/downloads/manager/stats")).text)
        expect(stats.waiting).toBe(4)

        // watch off: no more reads
        yield* request("PATCH", `/api/playlists/${id}`, { json: { watch: false } })
        fake.resetCounts()
        yield* TestClock.adjust(Duration.hours(2))
        yield* Effect.promise(() => new Promise((res) => setTimeout(res, 50)))
        expect(fake.count("playlist")).toBe(0)
      }).pipe(Effect.provide(ctx))
    }), { timeout: 30_000 })

  it.scoped("a watched Spotify playlist obeys 429 Retry-After, and a failing one is marked without stopping the others", () =>
    Effect.gen(function*() {
      const ctx = yield* Layer.build(Env)
      yield* Effect.gen(function*() {
        const spotify = yield* useFakeSpotify
        const deezer = yield* FakeDeezer
        yield* useFakeDeezer
        spotify.addAlbum(okComputer)
        spotify.addUser({ id: "alice", displayName: "Alice" })
        const owned = spotifyId("playlist:watched")
        spotify.addPlaylist({ id: owned, name: "Watched", ownerId: "alice", entries: [{ kind: "track", trackId: okComputer.tracks[0]!.id }] })
        // log in (consent + callback) so the user's token reads the playlist
        const connect = yield* request("GET", "/api/spotify/connect")
        const authorize = new URL(connect.headers["location"]!)
        const back = yield* Effect.promise(() => fetch(`${spotify.url}/authorize`, {
          method: "POST", redirect: "manual", body: new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), decision: "agree" })
        }))
        const cb = new URL(back.headers.get("location")!)
        yield* request("GET", `${cb.pathname}${cb.search}`)
        expect((yield* post("/api/downloads/playlist", { source: "spotify", playlist_id: owned, watch: true })).status).toBe(201)
        deezer.addAlbum(discovery)
        deezer.addPlaylist({ id: 4242, title: "Soon private", public: true, creator: "x", tracks: [{ albumId: discovery.id, trackId: discovery.tracks[0]!.id }] })
        expect((yield* post("/api/downloads/playlist", { source: "deezer", playlist_id: "4242", watch: true })).status).toBe(201)
        deezer.addPlaylist({ id: 4242, title: "Soon private", public: false, creator: "x", tracks: [] })

        spotify.appendToPlaylist(owned, [{ kind: "track", trackId: okComputer.tracks[1]!.id }])
        spotify.fail("playlist", { status: 429, retryAfter: 7 })
        spotify.resetCounts()
        const sync = yield* PlaylistSync
        const fiber = yield* Effect.fork(sync.tick)
        yield* until(() => spotify.count("playlist") === 1)
        yield* Effect.promise(() => new Promise((res) => setTimeout(res, 50)))
        // waiting the 7 seconds Spotify asked for
        expect(spotify.count("playlist")).toBe(1)
        yield* TestClock.adjust(Duration.seconds(7))
        yield* until(() => spotify.count("playlist-items") >= 1)
        // the Deezer one fails (private now): marked, the tick goes on and ends
        for (let i = 0; i < 200; i++) {
          yield* TestClock.adjust(Duration.seconds(1))
          const done = yield* fiber.poll
          if (done._tag === "Some") break
          yield* Effect.promise(() => new Promise((res) => setTimeout(res, 10)))
        }
        const list = yield* playlists
        expect(list.find((p) => p.source_id === owned)).toMatchObject({ queued: 2, last_error: null })
        expect(list.find((p) => p.source_id === "4242").last_error).toMatch(/private/)
      }).pipe(Effect.provide(ctx))
    }), { timeout: 30_000 })
})
