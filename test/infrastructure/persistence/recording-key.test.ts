/** The same-recording lookup in a real SQLite file: it reads tracks by index, and old rows get their key. */
import { Statement } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect } from "effect"
import { TrackRepository } from "../../../src/domain/ports/TrackRepository.js"
import { PersistenceTest, tempDbFile } from "../../support/db.js"

const statementsOf = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.gen(function*() {
  const seen: Array<readonly [string, ReadonlyArray<unknown>]> = []
  const value = yield* effect.pipe(Statement.withTransformer((self) => Effect.sync(() => {
    seen.push(self.compile())
    return self
  })))
  return { value, seen }
})

describe("tracks.recording_key", () => {
  it.effect("a request under a new key finds the same recording through indexes, never a scan of tracks", () => {
    const file = tempDbFile()
    return Effect.gen(function*() {
      const tracks = yield* TrackRepository
      const album = yield* tracks.upsert({ title: "Karma Police", artist: "Radiohead", album: "OK Computer", spotifyId: "63OQupATfueTdZMWTxW03A" })
      const { value: bare, seen } = yield* statementsOf(tracks.upsert({ title: "Karma Police", artist: "Radiohead" }))
      expect(bare.id).toBe(album.id)
      const db = new Database(file, { readonly: true })
      const plans = seen.filter(([sql]) => /^SELECT/i.test(sql.trim()))
        .map(([sql, params]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join("; "))
      db.close()
      const tracksReads = plans.filter((p) => /\btracks\b/.test(p))
      expect(tracksReads.some((p) => /USING INDEX tracks_recording_key/.test(p))).toBe(true)
      for (const p of tracksReads) expect(p).not.toMatch(/SCAN tracks(?! USING)/)
    }).pipe(Effect.provide(PersistenceTest(file)))
  })

  it.effect("rows stored before the column existed get their key at start-up and are found", () => {
    const file = tempDbFile()
    return Effect.gen(function*() {
      yield* Effect.provide(Effect.void, PersistenceTest(file))
      const db = new Database(file)
      db.prepare(`INSERT INTO tracks (id, request_key, title, artist, album, duration_ms, created_at, updated_at)
        VALUES ('old', 'spotify:x', 'Déjà Vu', 'Beyoncé', 'B''Day', 240000, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`).run()
      db.close()
      const found = yield* Effect.provide(Effect.flatMap(TrackRepository, (t) => t.upsert({ title: "deja vu", artist: "BEYONCE", durationMs: 241000 })), PersistenceTest(file))
      expect(found.id).toBe("old")
    })
  })
})
