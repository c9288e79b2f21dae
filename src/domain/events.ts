import { Context, type Effect } from "effect"
import type { AlbumGroup } from "./album-group.js"
import type { Download } from "./download.js"
import type { DownloadStats } from "./ports/DownloadRepository.js"

/** Published after a change is committed; SSE and wake-ups listen to these. */
export type DomainEvent =
  | { readonly _tag: "DownloadChanged"; readonly download: Download }
  | { readonly _tag: "HealthChanged" }
  | { readonly _tag: "StatsChanged"; readonly stats: DownloadStats }
  /**
   * An album's counts after changes to its downloads: `rows`, the downloads a page gathers into
   * its group; libraryImport: whether "in library" means something.
   */
  | { readonly _tag: "AlbumChanged"; readonly group: AlbumGroup; readonly rows: ReadonlyArray<string>; readonly libraryImport: boolean }

export class DomainEvents extends Context.Tag("soulspot/DomainEvents")<DomainEvents, {
  readonly publish: (events: ReadonlyArray<DomainEvent>) => Effect.Effect<void>
}>() {}
