import { FetchHttpClient } from "@effect/platform"
import { Effect, Either, Layer } from "effect"
import { parsePlaylistRef } from "../../domain/playlist-ref.js"
import { InvalidPlaylistReference, type ListRead, type TrackListError, TrackListSource } from "../../domain/ports/TrackListSource.js"
import { SpotifyAccount } from "../spotify/account.js"
import { DeezerPlaylists } from "./deezer-playlists.js"
import { SpotifyAlbums } from "./spotify.js"
import { SpotifyPlaylists } from "./spotify-playlists.js"

export const makeTrackListSource = Effect.gen(function*() {
  const spotify = yield* SpotifyPlaylists
  const deezer = yield* DeezerPlaylists
  return TrackListSource.of({
    playlist: (source, ref, knownSnapshot) => {
      const id = parsePlaylistRef(source, ref)
      if (Either.isLeft(id)) return Effect.fail(new InvalidPlaylistReference({ message: id.left }))
      const read: Effect.Effect<ListRead, TrackListError> = source === "spotify"
        ? spotify.playlist(id.right, knownSnapshot)
        : deezer.playlist(id.right, knownSnapshot)
      return read.pipe(Effect.annotateLogs({ playlistSource: source, playlistId: id.right }))
    },
    liked: (knownSnapshot) => spotify.liked(knownSnapshot)
  })
})

/** Spotify and Deezer playlists, Liked Songs, and the Spotify account they read with (needs SqlClient and Settings). */
export const TrackListLayer = Layer.effect(TrackListSource, makeTrackListSource).pipe(
  Layer.provideMerge(Layer.mergeAll(SpotifyPlaylists.Default, DeezerPlaylists.Default)),
  Layer.provideMerge(Layer.mergeAll(SpotifyAccount.Default, SpotifyAlbums.Default)),
  Layer.provide(FetchHttpClient.layer))
