import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { AppTest } from "../support/app.js"
import { request } from "../support/http.js"

const post = (url: string, json: unknown) => Effect.map(request("POST", url, { json }), (r) => ({ ...r, body: JSON.parse(r.text) }))

describe("the same recording is one request", () => {
  it.layer(AppTest(), { timeout: 30_000 })((it) => {
    it.effect("Karma Police without an album is the album's Karma Police; a live album stays another download", () =>
      Effect.gen(function*() {
        const album = yield* post("/api/downloads", {
          title: "Karma Police", artist: "Radiohead", album: "OK Computer", duration_ms: 264_000, spotify_id: "63OQupATfueTdZMWTxW03A"
        })
        expect(album.status).toBe(201)
        const bare = yield* post("/api/downloads", { title: "Karma Police", artist: "Radiohead" })
        expect(bare.status).toBe(200)
        expect(bare.body.id).toBe(album.body.id)
        const timed = yield* post("/api/downloads", { title: "karma police", artist: "radiohead", album: "OK Computer (Remastered)", duration_ms: 265_500 })
        expect(timed.status).toBe(200)
        expect(timed.body.id).toBe(album.body.id)

        const live = yield* post("/api/downloads", { title: "Karma Police", artist: "Radiohead", album: "I Might Be Wrong: Live Recordings" })
        expect(live.status).toBe(201)
        expect(live.body.id).not.toBe(album.body.id)
        const longer = yield* post("/api/downloads", { title: "Karma Police", artist: "Radiohead", duration_ms: 300_000 })
        expect(longer.body.id).not.toBe(album.body.id)
      }))

    it.effect("the batch path answers the same recording with the existing download", () =>
      Effect.gen(function*() {
        const first = yield* post("/api/downloads", { title: "Airbag", artist: "Radiohead", album: "OK Computer", duration_ms: 284_000 })
        const batch = yield* post("/api/downloads/batch", {
          tracks: [{ title: "Airbag", artist: "Radiohead" }, { title: "Airbag", artist: "Radiohead", album: "Airbag / How Am I Driving?" }]
        })
        expect(batch.body).toMatchObject({ created: 1, existing: 1 })
        expect(batch.body.downloads[0].id).toBe(first.body.id)
        expect(batch.body.downloads[1].id).not.toBe(first.body.id)
      }))
  })
})
