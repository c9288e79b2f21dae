import { Context, type Effect, type Either } from "effect"
import type { InvalidSetting } from "../errors.js"

/** One user-tunable value: stored row, else environment variable, else default. */
export interface SettingDef<A> {
  readonly key: string
  readonly env: string
  readonly description: string
  readonly default: A
  readonly secret: boolean
  /** Text (from the database, the environment or a PUT) to a value, or why not. */
  readonly parse: (raw: string) => Either.Either<A, string>
  readonly show: (value: A) => string
}

export type SettingSource = "database" | "environment" | "default"

export interface SettingView {
  readonly key: string
  readonly env: string
  readonly description: string
  /** Shown value; secrets are "****" when set, null when unset. */
  readonly value: string | null
  readonly source: SettingSource
}

export class Settings extends Context.Tag("soulspot/Settings")<Settings, {
  readonly get: <A>(def: SettingDef<A>) => Effect.Effect<A>
  readonly describe: Effect.Effect<ReadonlyArray<SettingView>>
  /** Validates every entry first; writes all or nothing. An empty string clears the stored row. */
  readonly update: (entries: Readonly<Record<string, unknown>>) => Effect.Effect<ReadonlyArray<SettingView>, InvalidSetting>
}>() {}
