import { Context, type Effect, type Option } from "effect"
import type { ImportCheck, ImportRecord, ImportStatus, ImportStep } from "../library/import-state.js"

export interface ImportPatch {
  readonly status?: ImportStatus
  readonly step?: ImportStep
  readonly accepted?: boolean
  readonly sourcePath?: string | null
  readonly stagingPath?: string | null
  readonly replacesPath?: string | null
  readonly path?: string | null
  readonly reason?: string | null
  readonly checks?: ReadonlyArray<ImportCheck>
}

/** The import of each COMPLETED download, step by step, so a restart resumes where it stopped. */
export class ImportRepository extends Context.Tag("soulspot/ImportRepository")<ImportRepository, {
  readonly find: (downloadId: string) => Effect.Effect<Option.Option<ImportRecord>>
  /** Starts (or starts over) an import at LOCATING. */
  readonly begin: (downloadId: string, accepted: boolean, sourcePath: string | null) => Effect.Effect<ImportRecord>
  readonly update: (downloadId: string, patch: ImportPatch) => Effect.Effect<ImportRecord>
  readonly remove: (downloadId: string) => Effect.Effect<void>
  /** COMPLETED downloads with no import yet, and imports still running (after a restart), oldest first. */
  readonly due: (limit: number) => Effect.Effect<ReadonlyArray<string>>
  /** Imports whose download is no longer COMPLETED (sent back to WAITING meanwhile). */
  readonly orphans: Effect.Effect<ReadonlyArray<string>>
}>() {}
