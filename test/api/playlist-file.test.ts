import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { AppTest } from "../support/app.js"

const send = (req: HttpClientRequest.HttpClientRequest) =>
  Effect.flatMap(HttpClient.HttpClient, (c) => c.execute(req)).pipe(
    Effect.flatMap((r) => Effect.map(r.text, (text) => ({ status: r.status, body: JSON.parse(text) as any }))), Effect.orDie)
const raw = (text: string, contentType: string, query = "") =>
  send(HttpClientRequest.post(`/api/downloads/file${query}`).pipe(HttpClientRequest.bodyText(text, contentType)))
const multipart = (text: string, filename: string, field = "file") => {
  const form = new FormData()
  form.append(field, new Blob([text], { type: "text/csv" }), filename)
  return send(HttpClientRequest.post("/api/downloads/file").pipe(HttpClientRequest.bodyFormData(form)))
}

describe("POST /api/downloads/file", () => {
  it.layer(AppTest(), { timeout: 30_000 })((it) => {
    it.effect("a multipart upload queues the usable lines, names the broken ones, and is a playlist of source file", () =>
      Effect.gen(function*() {
        const csv = "artist,title,album,duration\r\nPortishead,Roads,Dummy,5:05\r\nPortishead,,Dummy,3:00\r\nPortishead,Sour Times,Dummy,4:11\r\n"
        const r = yield* multipart(csv, "Trip hop.csv")
        expect(r.status).toBe(201)
        expect(r.body.playlist).toMatchObject({ title: "Trip hop", source: "file", total_tracks: 2 })
        expect(r.body.downloads.map((d: any) => d.track.title)).toEqual(["Roads", "Sour Times"])
        expect(r.body.skipped).toEqual([{ track_id: null, line: 3, reason: "line 3: no title" }])
        const again = yield* multipart(csv, "Trip hop.csv")
        expect(again.status).toBe(200)
        const list = yield* send(HttpClientRequest.get("/api/playlists"))
        expect(list.body.playlists.filter((p: any) => p.source === "file")).toHaveLength(1)
      }))

    it.effect("the raw file as text/csv or audio/x-mpegurl, with priority from the query", () =>
      Effect.gen(function*() {
        const csv = yield* raw("Title;Artist\nTeardrop;Massive Attack\n", "text/csv; charset=utf-8", "?priority=7&name=mine.csv")
        expect(csv.status).toBe(201)
        expect(csv.body.downloads[0]).toMatchObject({ priority: 7, track: { title: "Teardrop", artist: "Massive Attack" } })
        expect(csv.body.playlist.title).toBe("mine")
        const m3u = yield* raw("#EXTM3U\n#EXTINF:379,Massive Attack - Angel\nMassive Attack/Mezzanine/01 Angel.flac\n", "audio/x-mpegurl")
        expect(m3u.status).toBe(201)
        expect(m3u.body.downloads[0].track).toMatchObject({ title: "Angel", album: "Mezzanine", duration_ms: 379_000 })
      }))

    it.effect("refusals: another content type (415), no file field, an unusable file, an unknown profile; nothing is stored", () =>
      Effect.gen(function*() {
        const before = (yield* send(HttpClientRequest.get("/api/downloads/manager/stats"))).body.total
        const json = yield* send(HttpClientRequest.post("/api/downloads/file").pipe(HttpClientRequest.bodyUnsafeJson({ a: 1 })))
        expect(json.status).toBe(415)
        expect(json.body.error).toBe("UnsupportedMediaType")
        const noField = yield* multipart("a,b\n", "x.csv", "other")
        expect(noField.status).toBe(400)
        expect(noField.body.message).toMatch(/field "file"/)
        const empty = yield* raw("artist,title\n,\n", "text/csv")
        expect(empty.status).toBe(400)
        expect(empty.body.message).toMatch(/no usable line/)
        const profile = yield* raw("artist,title\nA,B\n", "text/csv", "?quality_profile=nope")
        expect(profile.status).toBe(422)
        expect((yield* send(HttpClientRequest.get("/api/downloads/manager/stats"))).body.total).toBe(before)
      }))

    it.effect("Spotify login without a client id is a 409; a localhost redirect URI is refused", () =>
      Effect.gen(function*() {
        const connect = yield* send(HttpClientRequest.get("/api/spotify/connect"))
        expect(connect.status).toBe(409)
        expect(connect.body).toMatchObject({ error: "spotify_client_id_missing", message: expect.stringMatching(/SOULSPOT_SPOTIFY_CLIENT_ID/) })
        const account = yield* send(HttpClientRequest.get("/api/spotify/account"))
        expect(account.body).toMatchObject({ connected: false, client_id_set: false, user: null, scopes: [], error: null })
        expect(account.body.redirect_uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/spotify\/callback$/)
        const localhost = yield* send(HttpClientRequest.put("/api/settings").pipe(
          HttpClientRequest.bodyUnsafeJson({ "spotify.redirect_uri": "http://localhost:8765/api/spotify/callback" })))
        expect(localhost.status).toBe(400)
        expect(localhost.body.message).toMatch(/localhost/)
      }))

    it.effect("the new routes are in the OpenAPI document", () =>
      Effect.gen(function*() {
        const doc = (yield* send(HttpClientRequest.get("/api/openapi.json"))).body
        for (const path of ["/api/downloads/batch", "/api/downloads/playlist", "/api/downloads/liked", "/api/downloads/file", "/api/playlists",
          "/api/playlists/{id}", "/api/spotify/account", "/api/spotify/connect", "/api/spotify/callback", "/api/spotify/playlists"]) {
          expect(doc.paths[path], path).toBeDefined()
        }
        expect(JSON.stringify(doc.paths["/api/downloads/playlist"])).toContain("spotify_playlist_forbidden")
      }))
  })
})
