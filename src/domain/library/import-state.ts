import { Schema } from "effect"

export const ImportStatus = Schema.Literal("IMPORTING", "IMPORTED", "NEEDS_REVIEW", "IMPORT_FAILED")
export type ImportStatus = typeof ImportStatus.Type

/** Where a running import is, so a restart resumes at that step. */
export type ImportStep = "LOCATING" | "VERIFYING" | "STAGING" | "PUBLISHING" | "CLEANING" | "DONE"

export const ImportCheck = Schema.Struct({ name: Schema.String, ok: Schema.Boolean, detail: Schema.String })
export type ImportCheck = typeof ImportCheck.Type

/** What a download shows of its import. */
export const ImportView = Schema.Struct({
  status: ImportStatus,
  step: Schema.String,
  path: Schema.NullOr(Schema.String),
  reason: Schema.NullOr(Schema.String),
  checks: Schema.Array(ImportCheck)
})
export type ImportView = typeof ImportView.Type

/** The stored import of one download. */
export interface ImportRecord extends ImportView {
  readonly downloadId: string
  readonly step: ImportStep
  readonly accepted: boolean
  readonly sourcePath: string | null
  readonly stagingPath: string | null
  /** The library file a quality upgrade replaces; it goes to quarantine before the new one is published. */
  readonly replacesPath: string | null
}
