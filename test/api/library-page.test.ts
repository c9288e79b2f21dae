import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { LibraryIndexer } from "../../src/application/library/library-indexer.js"
import { writeTags } from "../../src/infrastructure/library/audio-file.js"
import { AppTest } from "../support/app.js"

const send = (r: HttpClientRequest.HttpClientRequest) => Effect.flatMap(HttpClient.HttpClient, (c) => c.execute(r))
const json = (method: "PUT" | "POST", url: string, body: unknown) =>
  send(HttpClientRequest.make(method)(url).pipe(HttpClientRequest.bodyUnsafeJson(body)))
const pageText = Effect.flatMap(send(HttpClientRequest.get("/download-manager")), (r) => r.text)

describe("library on the page and in the API", () => {
  it.layer(AppTest(), { timeout: 20_000 })((it) => {
    it.effect("the page says import is off and which setting is missing; a track already in the library comes back COMPLETED with its file", () =>
      Effect.gen(function*() {
        const off = yield* pageText
        expect(off).toContain("Import is off")
        expect(off).toContain("SOULSPOT_SLSKD_DOWNLOADS_DIR and SOULSPOT_LIBRARY_DIR")

        const root = mkdtempSync(join(tmpdir(), "soulspot-library-page-"))
        const lib = join(root, "music")
        const file = join(lib, "Massive Attack", "Mezzanine", "01 Angel.flac")
        mkdirSync(join(lib, "Massive Attack", "Mezzanine"), { recursive: true })
        mkdirSync(join(root, "slskd"))
        copyFileSync(join(import.meta.dirname, "../fixtures/audio/genuine.flac"), file)
        writeTags(file, { title: "Angel", artist: "Massive Attack", album: "Mezzanine", albumArtist: null, trackNumber: 1, trackCount: null, discNumber: null, discCount: null, year: null, isrc: null })
        expect((yield* json("PUT", "/api/settings", { "import.slskd_downloads_dir": join(root, "slskd"), "import.library_dir": lib })).status).toBe(200)
        yield* (yield* LibraryIndexer).scan(lib)

        const on = yield* pageText
        expect(on).not.toContain("Import is off")
        expect(on).toContain(`Import is on: into <code>${lib}</code>, 1 file in the index.`)

        const r = yield* json("POST", "/api/downloads", { title: "Angel", artist: "Massive Attack", album: "Mezzanine" })
        expect(r.status).toBe(201)
        const body = (yield* r.json) as { status: string; import: unknown; progress: unknown }
        expect(body).toMatchObject({ status: "COMPLETED", import: { status: "IMPORTED", path: file, reason: "already in your library" } })
      }))
  })
})
