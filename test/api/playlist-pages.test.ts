import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { AppTest } from "../support/app.js"
import { discovery, FakeDeezerLive, useFakeDeezer } from "../support/fake-deezer.js"
import { getHtml, request } from "../support/http.js"

const upload = (text: string, name: string) => {
  const form = new FormData()
  form.append("file", new Blob([text], { type: "text/csv" }), name)
  return Effect.flatMap(HttpClient.HttpClient, (c) => c.execute(HttpClientRequest.post("/download-manager/queue-file").pipe(HttpClientRequest.bodyFormData(form))))
    .pipe(Effect.flatMap((r) => r.text), Effect.orDie)
}

describe("playlists on the pages", () => {
  it.layer(Layer.mergeAll(AppTest(), FakeDeezerLive), { timeout: 30_000 })((it) => {
    it.effect("the Downloads page queues a playlist link and a playlist file, and says what was skipped", () =>
      Effect.gen(function*() {
        const page = yield* getHtml("/download-manager")
        expect(page).toContain('hx-post="/download-manager/queue-playlist"')
        expect(page).toContain('hx-encoding="multipart/form-data"')
        const fake = yield* useFakeDeezer
        fake.addAlbum(discovery)
        fake.addPlaylist({ id: 31337, title: "<b>Mix</b>", public: true, creator: "x", tracks: discovery.tracks.slice(0, 4).map((t) => ({ albumId: discovery.id, trackId: t.id })) })
        const queued = yield* request("POST", "/download-manager/queue-playlist", { form: { playlist_url: "https://www.deezer.com/playlist/31337", watch: "true" } })
        expect(queued.text).toContain("Queued 4 tracks of “&lt;b&gt;Mix&lt;/b&gt;”")
        const refused = yield* request("POST", "/download-manager/queue-playlist", { form: { playlist_url: "https://example.com/x" } })
        expect(refused.text).toMatch(/Paste a Spotify or Deezer playlist link/)

        const file = yield* upload("artist,title\nPortishead,Roads\n,Broken\n", "mine.csv")
        expect(file).toMatch(/Queued 1 track of “mine”; 1 skipped: line 3: &quot;Broken&quot; has no artist/)

        const settings = yield* getHtml("/download-manager/settings")
        expect(settings).toContain("Spotify account")
        expect(settings).toMatch(/Set the Spotify client id/)
        expect(settings).toMatch(/http:\/\/127\.0\.0\.1:\d+\/api\/spotify\/callback/)
        expect(settings).toContain("&lt;b&gt;Mix&lt;/b&gt;")
        expect(settings).toContain("Stop watching")
        const connected = yield* getHtml("/download-manager/settings?spotify=refused")
        expect(connected).toMatch(/declined at Spotify/)
      }))
  })
})
