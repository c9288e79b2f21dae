import { Context, type Effect } from "effect"
import type { Download } from "./download.js"
import type { DownloadStats } from "./ports/DownloadRepository.js"

/** Published after a change is committed; SSE and wake-ups listen to these. */
export type DomainEvent =
  | { readonly _tag: "DownloadChanged"; readonly download: Download }
  | { readonly _tag: "HealthChanged" }
  | { readonly _tag: "StatsChanged"; readonly stats: DownloadStats }

export class DomainEvents extends Context.Tag("soulspot/DomainEvents")<DomainEvents, {
  readonly publish: (events: ReadonlyArray<DomainEvent>) => Effect.Effect<void>
}>() {}
