import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Schema } from "effect"
import { BALANCED, BUILT_IN_PROFILES, LOSSLESS, QualityProfileJson, type QualityProfile } from "../../../src/domain/matching/profiles.js"
import { QualityProfileReadOnly, QualityProfiles } from "../../../src/domain/ports/QualityProfiles.js"
import { QualityProfilesLive } from "../../../src/infrastructure/persistence/quality-profile-repository.js"
import { DatabaseLive } from "../../../src/infrastructure/persistence/sqlite.js"
import { PersistenceTest, tempDbFile } from "../../support/db.js"

const cdOnly: QualityProfile = { ...LOSSLESS, name: "cd-only", description: "16-bit FLAC only", formats: ["flac"], maxBitDepth: 16 }

describe("migration 0002 seeds the built-in profiles", () => {
  it.layer(DatabaseLive(":memory:"))((it) => {
    it.effect("the seeded definitions are exactly the built-ins in the code", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ name: string; definition: string; builtIn: number }>`SELECT name, definition, built_in FROM quality_profiles ORDER BY rowid`
        expect(rows.map((r) => r.name)).toEqual(["lossless", "balanced", "space-saver", "any"])
        for (const r of rows) {
          expect(r.builtIn).toBe(1)
          const decoded = Schema.decodeUnknownSync(QualityProfileJson)(r.definition)
          expect(decoded).toEqual(BUILT_IN_PROFILES.find((p) => p.name === r.name))
        }
      }))
  })
})

describe("QualityProfiles on SQLite", () => {
  it.layer(PersistenceTest())((it) => {
    it.effect("lists the four built-ins first, in their order", () =>
      Effect.gen(function*() {
        const profiles = yield* QualityProfiles
        const list = yield* profiles.list
        expect(list.map((s) => [s.profile.name, s.builtIn])).toEqual([
          ["lossless", true], ["balanced", true], ["space-saver", true], ["any", true]
        ])
        expect(yield* profiles.get("balanced")).toEqual(Option.some(BALANCED))
        expect(yield* profiles.get("nope")).toEqual(Option.none())
      }))

    it.effect("stores, replaces and removes a user profile", () =>
      Effect.gen(function*() {
        const profiles = yield* QualityProfiles
        yield* profiles.upsert(cdOnly)
        expect(yield* profiles.get("cd-only")).toEqual(Option.some(cdOnly))
        yield* profiles.upsert({ ...cdOnly, maxBitDepth: 24 })
        expect(Option.map(yield* profiles.get("cd-only"), (p) => p.maxBitDepth)).toEqual(Option.some(24))
        const list = yield* profiles.list
        expect(list.map((s) => s.profile.name)).toEqual(["lossless", "balanced", "space-saver", "any", "cd-only"])
        expect(list.at(-1)?.builtIn).toBe(false)
        expect(yield* profiles.remove("cd-only")).toBe(true)
        expect(yield* profiles.remove("cd-only")).toBe(false)
        expect(yield* profiles.get("cd-only")).toEqual(Option.none())
      }))

    it.effect("built-in profiles cannot be changed or removed", () =>
      Effect.gen(function*() {
        const profiles = yield* QualityProfiles
        const change = yield* Effect.exit(profiles.upsert({ ...BALANCED, minBitRate: 96 }))
        expect(change).toEqual(Exit.fail(new QualityProfileReadOnly({ name: "balanced" })))
        const remove = yield* Effect.exit(profiles.remove("any"))
        expect(remove).toEqual(Exit.fail(new QualityProfileReadOnly({ name: "any" })))
        expect(yield* profiles.get("balanced")).toEqual(Option.some(BALANCED))
      }))

    it.effect("an unreadable stored profile is skipped, not fatal", () =>
      Effect.gen(function*() {
        const profiles = yield* QualityProfiles
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO quality_profiles (name, definition, built_in, updated_at) VALUES ('broken', '{"name":"broken"}', 0, '2026-01-01T00:00:00.000Z')`
        expect(yield* profiles.get("broken")).toEqual(Option.none())
        expect((yield* profiles.list).map((s) => s.profile.name)).not.toContain("broken")
      }))
  })

  it.effect("built-in rows are refreshed from the code at start; user profiles survive a reopen", () =>
    Effect.gen(function*() {
      const file = tempDbFile()
      const db = DatabaseLive(file)
      // an old build stored a different "balanced" and the user saved a profile
      yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`UPDATE quality_profiles SET definition = ${Schema.encodeSync(QualityProfileJson)({ ...BALANCED, minBitRate: 128 })} WHERE name = 'balanced'`
        const profiles = yield* QualityProfiles
        yield* profiles.upsert(cdOnly)
      }).pipe(Effect.provide(QualityProfilesLive.pipe(Layer.provideMerge(db))))
      const reopened = yield* Effect.gen(function*() {
        const profiles = yield* QualityProfiles
        return { balanced: yield* profiles.get("balanced"), mine: yield* profiles.get("cd-only") }
      }).pipe(Effect.provide(QualityProfilesLive.pipe(Layer.provide(DatabaseLive(file)))))
      expect(reopened.balanced).toEqual(Option.some(BALANCED))
      expect(reopened.mine).toEqual(Option.some(cdOnly))
    }))
})
