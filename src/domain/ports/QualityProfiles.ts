import { Context, type Effect, type Option, Schema } from "effect"
import type { QualityProfile } from "../matching/profiles.js"

export interface StoredProfile {
  readonly profile: QualityProfile
  /** Built-in profiles (lossless, balanced, space-saver, any) come from the code and cannot be changed. */
  readonly builtIn: boolean
  readonly updatedAt: string
}

export class QualityProfileReadOnly extends Schema.TaggedError<QualityProfileReadOnly>()(
  "QualityProfileReadOnly",
  { name: Schema.String }
) {
  override get message() {
    return `"${this.name}" is a built-in quality profile and cannot be changed or removed; save a copy under another name`
  }
}

/** Stored quality profiles: the built-in four plus the user's own. */
export class QualityProfiles extends Context.Tag("soulspot/QualityProfiles")<QualityProfiles, {
  /** Built-in first (in their fixed order), then the user's by name. */
  readonly list: Effect.Effect<ReadonlyArray<StoredProfile>>
  readonly get: (name: string) => Effect.Effect<Option.Option<QualityProfile>>
  /** Creates or replaces a user profile (keyed by its name). */
  readonly upsert: (profile: QualityProfile) => Effect.Effect<StoredProfile, QualityProfileReadOnly>
  /** true when a profile was removed, false when there was none of that name. */
  readonly remove: (name: string) => Effect.Effect<boolean, QualityProfileReadOnly>
}>() {}
