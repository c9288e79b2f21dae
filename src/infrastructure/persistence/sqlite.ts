import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import type * as Migrator from "@effect/sql/Migrator"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Cause, Effect, Layer, String as Str } from "effect"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { memoize } from "../../domain/memo.js"
import { MIGRATIONS_DIR } from "../../paths.js"
import { fromSqlDirectory, runMigrations } from "./migrations.js"

export { MIGRATIONS_DIR }

// Column names repeat on every row: convert each once (measured: ~10 ms per 2,000 rows otherwise).
const toSnake = memoize(Str.camelToSnake, 10_000)
const toCamel = memoize(Str.snakeToCamel, 10_000)

const clientLayer = (filename: string) =>
  Layer.unwrapEffect(Effect.sync(() => {
    if (filename !== ":memory:") mkdirSync(dirname(filename), { recursive: true })
    return SqliteClient.layer({
      filename,
      transformQueryNames: toSnake,
      transformResultNames: toCamel
    })
  }))

// Pragmas must run outside a transaction, so before the migrator opens one.
const pragmas = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`PRAGMA foreign_keys = ON`.raw
  yield* sql`PRAGMA busy_timeout = 5000`.raw
  yield* sql`PRAGMA synchronous = NORMAL`.raw
})

/** Says which migration broke and why, then stops start-up; the Migrator has rolled everything back. */
const migrate = (loader: Migrator.Loader<never>) =>
  runMigrations({ loader }).pipe(
    Effect.tap((ran) => ran.length > 0
      ? Effect.logInfo(`database migrated: ${ran.map(([id, name]) => `${id}_${name}`).join(", ")}`)
      : Effect.void),
    Effect.catchAllCause((cause) => {
      const reasons = [...Cause.defects(cause), ...Cause.failures(cause)].map(describe).join("; ")
      return Effect.dieMessage(`database migration failed, nothing was changed: ${reasons}`)
    })
  )

const describe = (e: unknown): string => {
  if (e && typeof e === "object") {
    const msg = "message" in e ? String(e.message) : String(e)
    const cause = "cause" in e && e.cause ? describe(e.cause) : ""
    return cause && !msg.includes(cause) ? `${msg}: ${cause}` : msg
  }
  return String(e)
}

/** SQLite with pragmas set and every migration applied: what every repository needs. */
export const DatabaseLive = (filename: string, migrations: string | Migrator.Loader<never> = MIGRATIONS_DIR) => {
  const loader: Migrator.Loader<never> = typeof migrations === "string"
    ? fromSqlDirectory(migrations).pipe(Effect.provide(NodeContext.layer))
    : migrations
  const setup = Layer.effectDiscard(Effect.zipRight(pragmas, migrate(loader)))
  return setup.pipe(Layer.provideMerge(clientLayer(filename)))
}
