import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Cause, Effect, Exit, Layer } from "effect"
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { splitStatements } from "../../../src/infrastructure/persistence/sql-script.js"
import { DatabaseLive, MIGRATIONS_DIR } from "../../../src/infrastructure/persistence/sqlite.js"
import { tempDbFile } from "../../support/db.js"

const tables = (file: string) => {
  const db = new Database(file, { readonly: true })
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name)
  } finally {
    db.close()
  }
}

describe("migrations", () => {
  it.effect("a fresh file gets every table, WAL and foreign keys", () =>
    Effect.gen(function*() {
      const file = tempDbFile()
      yield* Effect.scoped(Layer.build(DatabaseLive(file)))
      expect(tables(file)).toEqual(expect.arrayContaining(
        ["albums", "album_tracks", "app_settings", "download_candidates", "downloads", "tracks", "effect_sql_migrations"]))
      const db = new Database(file)
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal")
      db.close()
    }))

  it.effect("a failing migration changes nothing and stops start-up with a clear message", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "soulspot-migrations-"))
      for (const f of readdirSync(MIGRATIONS_DIR)) copyFileSync(join(MIGRATIONS_DIR, f), join(dir, f))
      const file = tempDbFile()
      yield* Effect.scoped(Layer.build(DatabaseLive(file, dir)))
      const before = tables(file)

      // numbered after the last real migration, whichever number that is
      const broken = 1 + Math.max(...readdirSync(MIGRATIONS_DIR).map((f) => Number.parseInt(f, 10)))
      writeFileSync(join(dir, `${String(broken).padStart(4, "0")}_broken.sql`), "CREATE TABLE half_done (id INTEGER);\nINSERT INTO no_such_table VALUES (1);\n")
      const exit = yield* Effect.scoped(Layer.build(DatabaseLive(file, dir))).pipe(Effect.exit)
      expect(Exit.isFailure(exit)).toBe(true)
      const message = Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""
      expect(message).toContain("database migration failed, nothing was changed")
      expect(message).toContain(`${broken}_broken`)
      expect(message).toContain("no such table: no_such_table")
      expect(tables(file)).toEqual(before)
      const db = new Database(file, { readonly: true })
      const ran = db.prepare("SELECT migration_id FROM effect_sql_migrations").all() as Array<{ migration_id: number }>
      db.close()
      expect(ran.map((r) => r.migration_id)).not.toContain(broken)
    }))
})

describe("splitStatements", () => {
  it.each([
    { name: "plain statements", sql: "CREATE TABLE a (x);\nCREATE TABLE b (y);", n: 2 },
    { name: "semicolon inside a string", sql: "INSERT INTO a VALUES ('x;y');\nSELECT 1;", n: 2 },
    { name: "comments only are dropped", sql: "-- just a note;\n/* another; */\nSELECT 1;", n: 1 },
    { name: "trigger body stays whole", sql: "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET y = 1; UPDATE b SET y = 2; END;\nSELECT 1;", n: 2 },
    { name: "CASE ... END is not a block end for a trigger", sql: "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET y = CASE WHEN 1 THEN 2 END; END; SELECT 2;", n: 2 },
    { name: "doubled quote inside a string", sql: "INSERT INTO a VALUES ('it''s; fine'); SELECT 1", n: 2 },
    { name: "words containing end or begin are not keywords", sql: "CREATE TABLE legend (beginning TEXT, endless TEXT); SELECT 1;", n: 2 }
  ])("$name", ({ sql, n }) => {
    expect(splitStatements(sql)).toHaveLength(n)
  })
})
