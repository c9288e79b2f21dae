/** Shared by the library-import API tests: temporary folders, a COMPLETED download with its file in place, HTTP helpers. */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect } from "effect"
import { copyFileSync, mkdirSync, mkdtempSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DownloadRepository } from "../../src/domain/ports/DownloadRepository.js"

const FIXTURE = join(import.meta.dirname, "../fixtures/audio/genuine.flac")

export interface ImportDirs {
  readonly downloads: string
  readonly library: string
  readonly quarantine: string
}

export const importDirs = (): ImportDirs => {
  const root = mkdtempSync(join(tmpdir(), "soulspot-import-api-"))
  const dirs = { downloads: join(root, "downloads"), library: join(root, "music"), quarantine: join(root, "quarantine") }
  mkdirSync(dirs.downloads)
  return dirs
}

export const post = (url: string) =>
  Effect.flatMap(HttpClient.HttpClient, (c) => c.execute(HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUnsafeJson({}))))
export const get = (url: string) => Effect.flatMap(HttpClient.HttpClient, (c) => c.execute(HttpClientRequest.get(url)))
export const json = <A = any>(r: { json: Effect.Effect<unknown, unknown> }) => Effect.map(Effect.orDie(r.json), (x) => x as A)

/** A COMPLETED download whose file (2 s long) sits in slskd's folder; the track is `durationMs` long. */
export const completedWithFile = (dirs: ImportDirs, title: string, durationMs: number) => Effect.gen(function*() {
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
