import { HttpApiSchema } from "@effect/platform"
import { Context, type Effect, Schema } from "effect"
import type { PlaylistSourceName } from "../playlist-ref.js"
import type { TrackList } from "../track-list.js"
import type { CatalogCredentialsError, CatalogRateLimited, CatalogUnavailable } from "./AlbumSource.js"

// These errors carry their message as a field: they leave the API as they are ({"error": tag, "message"}).
const fields = { message: Schema.String }

/** Spotify answered 403: the token's user neither owns nor collaborates on the playlist (or there is no user). */
export class SpotifyPlaylistForbidden extends Schema.TaggedError<SpotifyPlaylistForbidden>()(
  "spotify_playlist_forbidden", fields, HttpApiSchema.annotations({ status: 422 })) {}

/** Spotify answered 404: its own editorial and algorithmic playlists are hidden from apps, or the id is unknown. */
export class SpotifyPlaylistUnavailable extends Schema.TaggedError<SpotifyPlaylistUnavailable>()(
  "spotify_playlist_unavailable", fields, HttpApiSchema.annotations({ status: 422 })) {}

export class DeezerPlaylistPrivate extends Schema.TaggedError<DeezerPlaylistPrivate>()(
  "deezer_playlist_private", fields, HttpApiSchema.annotations({ status: 422 })) {}

export class PlaylistNotFound extends Schema.TaggedError<PlaylistNotFound>()(
  "PlaylistNotFound", fields, HttpApiSchema.annotations({ status: 404 })) {}

export class InvalidPlaylistReference extends Schema.TaggedError<InvalidPlaylistReference>()(
  "InvalidPlaylistReference", fields, HttpApiSchema.annotations({ status: 400 })) {}

/** Liked Songs and the user's playlist list need a connected Spotify account. */
export class SpotifyNotConnected extends Schema.TaggedError<SpotifyNotConnected>()(
  "spotify_not_connected", fields, HttpApiSchema.annotations({ status: 409 })) {}

export const spotifyForbiddenMessage = (playlistId: string, connected: boolean): string =>
  `Spotify does not let SoulSpot read the tracks of playlist ${playlistId}: since 2026 an app may read only the playlists ` +
  `that its logged-in user owns or collaborates on${connected ? ", and the connected account does neither" : ", and no Spotify account is connected"}. ` +
  `Ways out: connect the Spotify account that owns the playlist (Settings, "Connect Spotify"), or export the playlist ` +
  `with Exportify (exportify.net) and upload the CSV file.`

export type TrackListError =
  | SpotifyPlaylistForbidden | SpotifyPlaylistUnavailable | DeezerPlaylistPrivate | PlaylistNotFound
  | InvalidPlaylistReference | SpotifyNotConnected | CatalogCredentialsError | CatalogRateLimited | CatalogUnavailable

/** A read found the same snapshot as last time: nothing more was fetched. */
export interface Unchanged {
  readonly _tag: "Unchanged"
  readonly snapshot: string
}

export type ListRead = { readonly _tag: "List"; readonly list: TrackList } | Unchanged

/**
 * Where track lists come from (Spotify, Deezer; files are parsed by `parsePlaylistFile`).
 * `knownSnapshot`: the snapshot of the last read; when the source still has it, the read stops
 * after the first request and answers Unchanged.
 */
export class TrackListSource extends Context.Tag("soulspot/TrackListSource")<TrackListSource, {
  readonly playlist: (source: PlaylistSourceName, ref: string, knownSnapshot: string | null) => Effect.Effect<ListRead, TrackListError>
  /** The connected Spotify user's Liked Songs. */
  readonly liked: (knownSnapshot: string | null) => Effect.Effect<ListRead, TrackListError>
}>() {}
