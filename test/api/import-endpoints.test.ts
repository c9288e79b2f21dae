import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { LibraryImport } from "../../src/application/library/library-import.js"
import { DownloadRepository } from "../../src/domain/ports/DownloadRepository.js"
import { AppTest } from "../support/app.js"

const FIXTURE = join(import.meta.dirname, "../fixtures/audio/genuine.flac")
const root = mkdtempSync(join(tmpdir(), "soulspot-import-api-"))
const dirs = { downloads: join(root, "downloads"), library: join(root, "music"), quarantine: join(root, "quarantine") }
mkdirSync(dirs.downloads)

const post = (url: string) =>
  Effect.flatMap(HttpClient.HttpClient, (c) => c.execute(HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUnsafeJson({}))))
const get = (url: string) => Effect.flatMap(HttpClient.HttpClient, (c) => c.execute(HttpClientRequest.get(url)))
const json = <A = any>(r: { json: Effect.Effect<unknown, unknown> }) => Effect.map(Effect.orDie(r.json), (x) => x as A)

/** A COMPLETED download whose file (2 s long) sits in slskd's folder; the track is `durationMs` long. */
const completed = (title: string, durationMs: number) => Effect.gen(function*() {
  const repo = yield* DownloadRepository
  const { download } = yield* repo.queue({ track: { title, artist: "Massive Attack", album: "Mezzanine", durationMs }, priority: 0, qualityProfile: "balanced" })
  const remote = `Music\\Mezzanine\\${title}.flac`
  mkdirSync(join(dirs.downloads, "Mezzanine"), { recursive: true })
  copyFileSync(FIXTURE, join(dirs.downloads, "Mezzanine", `${title}.flac`))
  yield* repo.updateStatus(download.id, "PENDING", { username: "peer1", filename: remote, size: statSync(FIXTURE).size })
  yield* repo.updateStatus(download.id, "QUEUED")
  yield* repo.updateStatus(download.id, "DOWNLOADING")
  return yield* repo.updateStatus(download.id, "COMPLETED")
})

describe("POST /api/downloads/{id}/import and /reject", () => {
  it.layer(AppTest({}, {
    SOULSPOT_SLSKD_DOWNLOADS_DIR: dirs.downloads, SOULSPOT_LIBRARY_DIR: dirs.library, SOULSPOT_QUARANTINE_DIR: dirs.quarantine
  }), { timeout: 20_000 })((it) => {
    it.effect("a file under review is accepted once; a second accept is a 409", () => Effect.gen(function*() {
      const d = yield* completed("Angel", 6500)
      const importer = yield* LibraryImport
      yield* importer.run(d.id)
      const review = yield* json(yield* get(`/api/downloads/${d.id}`))
      expect(review.import).toMatchObject({ status: "NEEDS_REVIEW", path: null })
      expect(review.import.checks.find((c: any) => c.name === "duration").ok).toBe(false)
      const accepted = yield* post(`/api/downloads/${d.id}/import`)
      expect(accepted.status).toBe(200)
      expect((yield* json(accepted)).import.status).toBe("IMPORTING")
      yield* importer.run(d.id)
      const done = yield* json(yield* get(`/api/downloads/${d.id}`))
      expect(done.import).toMatchObject({ status: "IMPORTED", path: join(dirs.library, "Massive Attack", "Mezzanine", "Angel.flac") })
      const again = yield* post(`/api/downloads/${d.id}/import`)
      expect(again.status).toBe(409)
      expect(yield* json(again)).toMatchObject({ error: "Conflict" })
    }))

    it.effect("reject sends the track elsewhere; rejecting a download that is not COMPLETED is a 409", () => Effect.gen(function*() {
      const d = yield* completed("Teardrop", 6500)
      yield* (yield* LibraryImport).run(d.id)
      const rejected = yield* post(`/api/downloads/${d.id}/reject`)
      expect(rejected.status).toBe(200)
      const body = yield* json(rejected)
      expect(body).toMatchObject({ status: "WAITING", import: null, username: null })
      expect(existsSync(join(dirs.quarantine, `${d.id}-Teardrop.flac`))).toBe(true)
      const twice = yield* post(`/api/downloads/${d.id}/reject`)
      expect(twice.status).toBe(409)
      expect((yield* json(twice)).message).toContain("not COMPLETED")
      expect((yield* post(`/api/downloads/${d.id}/import`)).status).toBe(409)
    }))

    it.effect("unknown ids are 404", () => Effect.gen(function*() {
      expect((yield* post("/api/downloads/nope/import")).status).toBe(404)
      expect((yield* post("/api/downloads/nope/reject")).status).toBe(404)
    }))
  })
})
