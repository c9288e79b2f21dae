import { SqlClient } from "@effect/sql"
import Database from "better-sqlite3"
import { Context, Effect, Layer } from "effect"

/**
 * A number that changes whenever a write to the database is committed, by this process or by
 * another one (the CLI): what an answer cached between writes is keyed by.
 *
 * SQLite's `PRAGMA data_version` changes only for commits of *other* connections, and the app
 * writes through its one SqlClient connection, so the pragma is read on a second, read-only
 * connection that never writes. A direct better-sqlite3 call: about a microsecond, where a
 * statement through the SqlClient costs a hundred. An in-memory database is private to its
 * connection: there every read is a new version, and nothing is cached.
 */
export class DataVersion extends Context.Tag("soulspot/DataVersion")<DataVersion, {
  readonly current: Effect.Effect<number>
  /** The same, read directly: for the HTTP fast path (polled-fast-path.ts), which runs outside Effect. */
  readonly unsafeCurrent: () => number
}>() {}

let uncached = 0
const alwaysNew = DataVersion.of({ current: Effect.sync(() => --uncached), unsafeCurrent: () => --uncached })

/** Built after the database layer, so the file exists in WAL mode with every migration applied. */
export const DataVersionLive = (filename: string) => Layer.scoped(DataVersion, Effect.gen(function*() {
  yield* SqlClient.SqlClient
  if (filename === ":memory:" || filename === "") return alwaysNew
  const opened = yield* Effect.try(() => new Database(filename, { readonly: true, fileMustExist: true }))
    .pipe(Effect.tapError((e) => Effect.logWarning(`answers are not cached between writes: ${String(e.error)}`)), Effect.option)
  if (opened._tag === "None") return alwaysNew
  const db = opened.value
  yield* Effect.addFinalizer(() => Effect.sync(() => db.close()))
  const version = db.prepare("PRAGMA data_version").pluck()
  const unsafeCurrent = () => version.get() as number
  return DataVersion.of({ current: Effect.sync(unsafeCurrent), unsafeCurrent })
}))
