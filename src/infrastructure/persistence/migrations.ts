import { FileSystem, Path } from "@effect/platform"
import * as Migrator from "@effect/sql/Migrator"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { splitStatements } from "./sql-script.js"

/** One migration file as an effect; the Migrator runs all pending ones in a single transaction. */
export const fromScript = (script: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.forEach(splitStatements(script), (stmt) => sql.unsafe(stmt).raw, { discard: true }))

const MIGRATION_FILE = /^(\d+)_(.+)\.sql$/

/** Plain `NNNN_name.sql` files from a directory, in numeric order. */
export const fromSqlDirectory = (dir: string): Migrator.Loader<FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const files = yield* fs.readDirectory(dir)
    return files.flatMap((f): ReadonlyArray<Migrator.ResolvedMigration> => {
      const m = MIGRATION_FILE.exec(f)
      return m
        ? [[Number(m[1]), m[2]!, fs.readFileString(path.join(dir, f)).pipe(Effect.orDie, Effect.map(fromScript))]]
        : []
    }).sort(([a], [b]) => a - b)
  }).pipe(Effect.mapError((e) => new Migrator.MigrationError({ reason: "import-error", message: `cannot read migrations in ${dir}: ${e.message}` })))

/** Migration texts embedded by the bundler, keyed by file name. */
export const fromSqlRecord = (scripts: Readonly<Record<string, string>>): Migrator.Loader =>
  Effect.succeed(Object.entries(scripts).flatMap(([file, text]): ReadonlyArray<Migrator.ResolvedMigration> => {
    const m = MIGRATION_FILE.exec(file.replace(/^.*\//, ""))
    return m ? [[Number(m[1]), m[2]!, Effect.succeed(fromScript(text))]] : []
  }).sort(([a], [b]) => a - b))

export const runMigrations = Migrator.make({})
