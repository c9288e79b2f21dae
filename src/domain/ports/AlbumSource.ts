import { Context, type Effect, Schema } from "effect"
import { AlbumSourceName } from "../album.js"
import type { AlbumInput } from "./TrackRepository.js"

/**
 * An album as a catalog (Spotify, Deezer) or the library describes it, before or
 * independently of storing it. Tracks are in album order: disc, then track number.
 */
export interface CatalogAlbum extends AlbumInput {
  /** Our album id when the album is already stored (always set for the "local" source). */
  readonly libraryId: string | null
}

const serviceName = (source: AlbumSourceName): string =>
  source === "spotify" ? "Spotify" : source === "deezer" ? "Deezer" : "library"

/** The id is well formed but the catalog (or the library) has no such album. */
export class AlbumNotFound extends Schema.TaggedError<AlbumNotFound>()(
  "AlbumNotFound",
  { source: AlbumSourceName, albumId: Schema.String }
) {
  override get message() {
    return this.source === "local"
      ? `no album with id ${this.albumId} in the library`
      : `${serviceName(this.source)} album not found: ${this.albumId}`
  }
}

/** The album_id is neither an id nor a link to an album of the chosen source. */
export class InvalidAlbumReference extends Schema.TaggedError<InvalidAlbumReference>()(
  "InvalidAlbumReference",
  { source: AlbumSourceName, input: Schema.String, reason: Schema.String }
) {
  override get message() {
    return this.reason
  }
}

/** No client id/secret configured, or the catalog refused them. */
export class CatalogCredentialsError extends Schema.TaggedError<CatalogCredentialsError>()(
  "CatalogCredentialsError",
  { service: Schema.String, reason: Schema.Literal("missing", "rejected"), detail: Schema.String }
) {
  override get message() {
    return `${this.service} credentials missing or rejected: ${this.detail}`
  }
}

/** The catalog keeps answering "slow down" (429, Deezer code 4) after our bounded retries. */
export class CatalogRateLimited extends Schema.TaggedError<CatalogRateLimited>()(
  "CatalogRateLimited",
  { service: Schema.String, retryAfterSeconds: Schema.NullOr(Schema.Number) }
) {
  override get message() {
    return this.retryAfterSeconds === null
      ? `${this.service} is limiting how often we may ask; try again in a little while`
      : `${this.service} is limiting how often we may ask; try again in ${this.retryAfterSeconds} seconds`
  }
}

/** Transport errors, timeouts, 5xx, unreadable replies or unexpected errors from the catalog. */
export class CatalogUnavailable extends Schema.TaggedError<CatalogUnavailable>()(
  "CatalogUnavailable",
  { service: Schema.String, reason: Schema.String }
) {
  override get message() {
    return `${this.service} failed: ${this.reason}`
  }
}

export type AlbumSourceError =
  | AlbumNotFound
  | InvalidAlbumReference
  | CatalogCredentialsError
  | CatalogRateLimited
  | CatalogUnavailable

/**
 * Where albums come from. `albumRef` is what the user typed: an id, a URI or a share link
 * (see `parseAlbumRef`); for "local" it is our album id.
 */
export class AlbumCatalog extends Context.Tag("soulspot/AlbumCatalog")<AlbumCatalog, {
  readonly fetch: (source: AlbumSourceName, albumRef: string) => Effect.Effect<CatalogAlbum, AlbumSourceError>
}>() {}
