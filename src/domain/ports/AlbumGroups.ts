import { Context, type Effect, type Option } from "effect"
import type { AlbumGroup } from "../album-group.js"

/** The album summaries the downloads page shows above the rows of each album. */
export class AlbumGroups extends Context.Tag("soulspot/AlbumGroups")<AlbumGroups, {
  /**
   * One group for each album that is the home of any of these tracks (a track in several stored
   * albums belongs to the one stored last); tracks of no album have none. One query.
   */
  readonly ofTracks: (trackIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<AlbumGroup>>
  /** The catalog's cover URL of a stored album, if it has one. */
  readonly coverUrl: (albumId: string) => Effect.Effect<Option.Option<string>>
}>() {}
