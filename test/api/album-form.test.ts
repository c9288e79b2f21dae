import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { AppTest } from "../support/app.js"
import { discovery, FakeDeezerLive, useFakeDeezer } from "../support/fake-deezer.js"

const postForm = (url: string, fields: Record<string, string>) =>
  Effect.flatMap(HttpClient.HttpClient, (c) => c.execute(HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUrlParams(fields))))
const text = (r: { text: Effect.Effect<string, unknown> }) => Effect.orDie(r.text)

describe("the page's album form", () => {
  it.layer(Layer.mergeAll(AppTest(), FakeDeezerLive), { timeout: 20_000 })((it) => {
    it.effect("a pasted Deezer link queues every track and says how many; pasting it again queues nothing", () =>
      Effect.gen(function*() {
        const fake = yield* useFakeDeezer
        fake.addAlbum(discovery)
        const link = `https://www.deezer.com/en/album/${discovery.id}`
        const first = yield* postForm("/download-manager/queue-album", { album_url: link })
        expect(first.status).toBe(200)
        expect(yield* text(first)).toContain(`Queued 14 of 14 tracks of “Discovery” by Daft Punk.`)
        const again = yield* postForm("/download-manager/queue-album", { album_url: link })
        expect(yield* text(again)).toContain("Queued 0 of 14 tracks of “Discovery” by Daft Punk (14 already queued or downloaded).")
        const stats = (yield* Effect.orDie((yield* Effect.flatMap(HttpClient.HttpClient, (c) => c.get("/api/downloads/manager/stats"))).json)) as { waiting: number }
        expect(stats.waiting).toBe(14)
      }))

    it.effect("a link that is not an album, or an unknown album, is explained and changes nothing", () =>
      Effect.gen(function*() {
        yield* useFakeDeezer
        const cases: ReadonlyArray<readonly [string, number, RegExp]> = [
          ["", 400, /Paste a Spotify or Deezer album link/],
          ["https://example.com/album/1", 400, /Paste a Spotify or Deezer album link/],
          ["https://www.deezer.com/track/3135553", 400, /track/i],
          ["https://www.deezer.com/album/999999999", 404, /Deezer album not found/]
        ]
        for (const [link, status, msg] of cases) {
          const r = yield* postForm("/download-manager/queue-album", { album_url: link })
          expect(r.status, link).toBe(status)
          expect(yield* text(r), link).toMatch(msg)
        }
      }))
  })
})

