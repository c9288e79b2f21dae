import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { copyFileSync, mkdirSync, mkdtempSync, statSync } from "node:fs"
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

describe("library import switched off", () => {
  it.layer(AppTest(), { timeout: 20_000 })((it) => {
    it.effect("with import off, a completed download has import null and POST import is a 409", () => Effect.gen(function*() {
      const d = yield* completed("Inertia Creeps", 2000)
      yield* (yield* LibraryImport).run(d.id)
      const got = yield* json(yield* get(`/api/downloads/${d.id}`))
      expect(got.status).toBe("COMPLETED")
      expect(got.import).toBeNull()
      const r = yield* post(`/api/downloads/${d.id}/import`)
      expect(r.status).toBe(409)
      expect((yield* json(r)).message).toContain("library import is off")
    }))
  })
})
