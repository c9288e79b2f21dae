import { Schema } from "effect"

export const AlbumSourceName = Schema.Literal("spotify", "deezer", "local")
export type AlbumSourceName = typeof AlbumSourceName.Type

export const Album = Schema.Struct({
  id: Schema.String,
  title: Schema.String,
  artist: Schema.String,
  source: AlbumSourceName,
  sourceId: Schema.String,
  totalTracks: Schema.Number,
  releaseDate: Schema.NullOr(Schema.String),
  /** The catalog's cover image, when it gave one. */
  coverUrl: Schema.optional(Schema.NullOr(Schema.String))
})
export type Album = typeof Album.Type
