import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { LibraryImport } from "../../src/application/library/library-import.js"
import { AppTest } from "../support/app.js"
import { completedWithFile, importDirs, json, post, get } from "../support/import-api.js"

const dirs = importDirs()
const completed = (title: string, durationMs: number) => completedWithFile(dirs, title, durationMs)

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
