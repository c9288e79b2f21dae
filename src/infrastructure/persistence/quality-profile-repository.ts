import { SqlClient } from "@effect/sql"
import { Effect, Either, Layer, Option, ParseResult, Schema } from "effect"
import { BUILT_IN_PROFILES, isBuiltInProfileName, QualityProfileJson, type QualityProfile } from "../../domain/matching/profiles.js"
import { QualityProfileReadOnly, QualityProfiles, type StoredProfile } from "../../domain/ports/QualityProfiles.js"
import { nowIso } from "./rows.js"

interface ProfileRow {
  readonly name: string
  readonly definition: string
  readonly builtIn: number
  readonly updatedAt: string
}

const encode = Schema.encodeSync(QualityProfileJson)
const decode = Schema.decodeUnknownEither(QualityProfileJson)
const builtInOrder = (name: string) => {
  const i = BUILT_IN_PROFILES.findIndex((p) => p.name === name)
  return i < 0 ? BUILT_IN_PROFILES.length : i
}

/**
 * SQLite store of quality profiles. At start the built-in rows are refreshed from the code
 * (the migration only seeds their first version), so code and database never disagree about
 * what "balanced" means. A stored user profile that no longer decodes is skipped with a
 * warning rather than breaking every search.
 */
export const makeQualityProfiles = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const syncBuiltIns = Effect.gen(function*() {
    const now = yield* nowIso
    yield* Effect.forEach(BUILT_IN_PROFILES, (p) => {
      const definition = encode(p)
      return sql`INSERT INTO quality_profiles (name, definition, built_in, updated_at)
        VALUES (${p.name}, ${definition}, 1, ${now})
        ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, built_in = 1, updated_at = excluded.updated_at
        WHERE quality_profiles.definition <> excluded.definition OR quality_profiles.built_in <> 1`
    }, { discard: true }).pipe(sql.withTransaction)
  })
  yield* Effect.orDie(syncBuiltIns)

  const toStored = (row: ProfileRow): Effect.Effect<Option.Option<StoredProfile>> => {
    const decoded = decode(row.definition)
    if (Either.isLeft(decoded)) {
      return Effect.logWarning(`quality profile "${row.name}" is unreadable and ignored: ${ParseResult.TreeFormatter.formatErrorSync(decoded.left)}`)
        .pipe(Effect.as(Option.none()))
    }
    return Effect.succeed(Option.some({ profile: { ...decoded.right, name: row.name }, builtIn: row.builtIn === 1, updatedAt: row.updatedAt }))
  }

  const list = sql<ProfileRow>`SELECT name, definition, built_in, updated_at FROM quality_profiles`.pipe(
    Effect.orDie,
    Effect.flatMap((rows) => Effect.forEach(rows, toStored)),
    Effect.map((found) => found.flatMap(Option.toArray).sort((a, b) =>
      Number(b.builtIn) - Number(a.builtIn) || builtInOrder(a.profile.name) - builtInOrder(b.profile.name)
      || (a.profile.name < b.profile.name ? -1 : a.profile.name > b.profile.name ? 1 : 0))),
    Effect.withSpan("QualityProfiles.list"))

  const find = (name: string) =>
    sql<ProfileRow>`SELECT name, definition, built_in, updated_at FROM quality_profiles WHERE name = ${name}`.pipe(
      Effect.orDie,
      Effect.flatMap((rows) => rows[0] ? toStored(rows[0]) : Effect.succeed(Option.none())))

  const get = (name: string) =>
    find(name).pipe(Effect.map(Option.map((s) => s.profile)), Effect.withSpan("QualityProfiles.get", { attributes: { name } }))

  const upsert = (profile: QualityProfile) => Effect.gen(function*() {
    if (isBuiltInProfileName(profile.name)) return yield* new QualityProfileReadOnly({ name: profile.name })
    const now = yield* nowIso
    yield* sql`INSERT INTO quality_profiles (name, definition, built_in, updated_at)
      VALUES (${profile.name}, ${encode(profile)}, 0, ${now})
      ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
      WHERE quality_profiles.built_in = 0`.pipe(Effect.orDie)
    return { profile, builtIn: false, updatedAt: now } satisfies StoredProfile
  }).pipe(Effect.withSpan("QualityProfiles.upsert", { attributes: { name: profile.name } }))

  const remove = (name: string) => Effect.gen(function*() {
    if (isBuiltInProfileName(name)) return yield* new QualityProfileReadOnly({ name })
    const rows = yield* sql<{ name: string }>`DELETE FROM quality_profiles WHERE name = ${name} AND built_in = 0 RETURNING name`.pipe(Effect.orDie)
    return rows.length > 0
  }).pipe(Effect.withSpan("QualityProfiles.remove", { attributes: { name } }))

  return QualityProfiles.of({ list, get, upsert, remove })
})

export const QualityProfilesLive = Layer.effect(QualityProfiles, makeQualityProfiles)
