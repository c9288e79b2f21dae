import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { LibraryImport } from "../../src/application/library/library-import.js"
import { AppTest } from "../support/app.js"
import { completedWithFile, importDirs, json, post, get } from "../support/import-api.js"

const dirs = importDirs()
const completed = (title: string, durationMs: number) => completedWithFile(dirs, title, durationMs)

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
