import { Context, type Effect, Either, ParseResult, Schema } from "effect"
import type { InvalidSetting } from "../errors.js"

/** One user-tunable value: stored row, else environment variable, else default. */
export interface SettingDef<A> {
  readonly key: string
  readonly env: string
  readonly description: string
  readonly default: A
  readonly secret: boolean
  /** Text (from the database, the environment or a PUT) to a value and back. */
  readonly schema: Schema.Schema<A, string>
}

/** The value the text stands for, or why not (the first complaint, in words). */
export const parseSetting = <A>(def: SettingDef<A>, raw: string): Either.Either<A, string> =>
  Either.mapLeft(Schema.decodeEither(def.schema)(raw), (e) => ParseResult.ArrayFormatter.formatErrorSync(e)[0]?.message ?? "is invalid")

/** The value as it can be typed back. */
export const showSetting = <A>(def: SettingDef<A>, value: A): string => Schema.encodeSync(def.schema)(value)

export type SettingSource = "database" | "environment" | "default"

export interface SettingView {
  readonly key: string
  readonly env: string
  readonly description: string
  /** Shown value; secrets are "****" when set, null when unset. */
  readonly value: string | null
  readonly source: SettingSource
}

export interface SettingsUpdate {
  readonly settings: ReadonlyArray<SettingView>
  readonly notices: ReadonlyArray<string>
}

export class Settings extends Context.Tag("soulspot/Settings")<Settings, {
  readonly get: <A>(def: SettingDef<A>) => Effect.Effect<A>
  readonly describe: Effect.Effect<ReadonlyArray<SettingView>>
  /**
   * Validates every entry first; writes all or nothing. An empty string clears the stored row.
   * A URL moved to another origin clears the secret that belongs to it (unless the same call sets
   * one); `notices` say so, for the user to enter the key for the new host.
   */
  readonly update: (entries: Readonly<Record<string, unknown>>) => Effect.Effect<SettingsUpdate, InvalidSetting>
}>() {}
