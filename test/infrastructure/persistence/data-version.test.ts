/**
 * DataVersion, what cached answers are keyed by: it moves on every committed write, from the
 * app's own connection or another process, and stays put while nothing is written; an
 * in-memory database (private to its connection) gives a new version on every read.
 */
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Layer } from "effect"
import { DataVersion } from "../../../src/infrastructure/persistence/data-version.js"
import { PersistenceTest, tempDbFile } from "../../support/db.js"

const file = tempDbFile()
const now = "2026-12-01T00:00:00.000Z"

describe("DataVersion on a database file", () => {
  it.layer(PersistenceTest(file))((it) => {
    it.effect("stays while nothing is written, moves on each commit of the app's connection", () =>
      Effect.gen(function*() {
        const version = yield* DataVersion
        const sql = yield* SqlClient.SqlClient
        const before = yield* version.current
        yield* sql`SELECT count(*) FROM downloads`
        expect(yield* version.current).toBe(before)
        yield* sql`INSERT INTO tracks (id, request_key, title, artist, created_at, updated_at) VALUES ('t1', 'k1', 'A', 'B', ${now}, ${now})`
        const afterInsert = yield* version.current
        expect(afterInsert).not.toBe(before)
        expect(yield* version.current).toBe(afterInsert)
      }))

    it.effect("does not move for a transaction that is still open, and moves once it commits", () =>
      Effect.gen(function*() {
        const version = yield* DataVersion
        const sql = yield* SqlClient.SqlClient
        const before = yield* version.current
        const inside = yield* Effect.gen(function*() {
          yield* sql`INSERT INTO tracks (id, request_key, title, artist, created_at, updated_at) VALUES ('t2', 'k2', 'A', 'B', ${now}, ${now})`
          return yield* version.current
        }).pipe(sql.withTransaction)
        expect(inside).toBe(before)
        expect(yield* version.current).not.toBe(before)
      }))

    it.effect("moves when another process commits (the CLI on the same file)", () =>
      Effect.gen(function*() {
        const version = yield* DataVersion
        const before = yield* version.current
        const other = new Database(file)
        other.prepare("UPDATE tracks SET title = 'C' WHERE id = 't1'").run()
        other.close()
        expect(yield* version.current).not.toBe(before)
      }))
  })
})

describe("DataVersion on an in-memory database", () => {
  it.layer(PersistenceTest().pipe(Layer.orDie))((it) => {
    it.effect("is new on every read: nothing can be cached", () =>
      Effect.gen(function*() {
        const version = yield* DataVersion
        const a = yield* version.current
        const b = yield* version.current
        expect(a).not.toBe(b)
      }))
  })
})
