import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import type { ImportCheck, ImportRecord, ImportStatus, ImportStep } from "../../domain/library/import-state.js"
import { ImportRepository, type ImportPatch } from "../../domain/ports/ImportRepository.js"
import { nowIso } from "./rows.js"

interface Row {
  readonly downloadId: string
  readonly status: ImportStatus
  readonly step: ImportStep
  readonly accepted: number
  readonly sourcePath: string | null
  readonly stagingPath: string | null
  readonly replacesPath: string | null
  readonly path: string | null
  readonly reason: string | null
  readonly checks: string
}

const toRecord = (r: Row): ImportRecord => ({
  downloadId: r.downloadId, status: r.status, step: r.step, accepted: r.accepted === 1,
  sourcePath: r.sourcePath, stagingPath: r.stagingPath, replacesPath: r.replacesPath, path: r.path, reason: r.reason,
  checks: JSON.parse(r.checks) as ReadonlyArray<ImportCheck>
})

export const makeImportRepository = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const find = (id: string) =>
    sql<Row>`SELECT download_id, status, step, accepted, source_path, staging_path, replaces_path, path, reason, checks
      FROM download_imports WHERE download_id = ${id}`.pipe(Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), toRecord)))

  const mustFind = (id: string) => find(id).pipe(Effect.map(Option.getOrThrow))

  const begin = (id: string, accepted: boolean, sourcePath: string | null) => Effect.gen(function*() {
    const now = yield* nowIso
    yield* sql`INSERT INTO download_imports ${sql.insert({
      downloadId: id, status: "IMPORTING", step: "LOCATING", accepted: accepted ? 1 : 0, sourcePath,
      stagingPath: null, replacesPath: null, path: null, reason: null, checks: "[]", createdAt: now, updatedAt: now
    })} ON CONFLICT (download_id) DO UPDATE SET status = 'IMPORTING', step = 'LOCATING', accepted = excluded.accepted,
      source_path = excluded.source_path, staging_path = NULL, replaces_path = NULL, path = NULL, reason = NULL,
      checks = CASE WHEN excluded.accepted = 1 THEN download_imports.checks ELSE '[]' END, updated_at = excluded.updated_at`
    return yield* mustFind(id)
  }).pipe(sql.withTransaction)

  const update = (id: string, patch: ImportPatch) => Effect.gen(function*() {
    const cols: Record<string, unknown> = { updatedAt: yield* nowIso }
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue
      cols[k] = k === "checks" ? JSON.stringify(v) : k === "accepted" ? (v ? 1 : 0) : v
    }
    yield* sql`UPDATE download_imports SET ${sql.update(cols)} WHERE download_id = ${id}`
    return yield* mustFind(id)
  }).pipe(sql.withTransaction)

  return ImportRepository.of({
    find: (id) => find(id).pipe(Effect.orDie),
    begin: (id, accepted, source) => begin(id, accepted, source).pipe(Effect.orDie),
    update: (id, patch) => update(id, patch).pipe(Effect.orDie),
    remove: (id) => sql`DELETE FROM download_imports WHERE download_id = ${id}`.pipe(Effect.asVoid, Effect.orDie),
    due: (limit) => sql<{ id: string }>`SELECT d.id FROM downloads d LEFT JOIN download_imports i ON i.download_id = d.id
      WHERE d.status = 'COMPLETED' AND (i.download_id IS NULL OR i.status = 'IMPORTING')
      ORDER BY d.completed_at, d.id LIMIT ${limit}`.pipe(Effect.map((rows) => rows.map((r) => r.id)), Effect.orDie),
    orphans: sql<{ id: string }>`SELECT i.download_id AS id FROM download_imports i JOIN downloads d ON d.id = i.download_id
      WHERE d.status <> 'COMPLETED'`.pipe(Effect.map((rows) => rows.map((r) => r.id)), Effect.orDie)
  })
})

export const ImportRepositoryLive = Layer.effect(ImportRepository, makeImportRepository)
