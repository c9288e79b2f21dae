import { FetchHttpClient } from "@effect/platform"
import { Effect, Either, Layer } from "effect"
import { parseAlbumRef } from "../../domain/album-ref.js"
import type { AlbumSourceName } from "../../domain/album.js"
import { AlbumCatalog } from "../../domain/ports/AlbumSource.js"
import { DeezerAlbums } from "./deezer.js"
import { LocalAlbums } from "./local.js"
import { SpotifyAlbums } from "./spotify.js"

export const makeAlbumCatalog = Effect.gen(function*() {
  const spotify = yield* SpotifyAlbums
  const deezer = yield* DeezerAlbums
  const local = yield* LocalAlbums

  const fetch = (source: AlbumSourceName, albumRef: string) => {
    const ref = parseAlbumRef(source, albumRef)
    if (Either.isLeft(ref)) return Effect.fail(ref.left)
    const id = ref.right
    const adapter = source === "spotify" ? spotify : source === "deezer" ? deezer : local
    return adapter.fetchAlbum(id).pipe(
      Effect.tap((album) => Effect.logDebug(`album ${source}:${id} has ${album.tracks.length} tracks`)),
      Effect.annotateLogs({ albumSource: source, albumId: id }),
      Effect.withSpan("AlbumCatalog.fetch", { attributes: { source, id } }))
  }

  return AlbumCatalog.of({ fetch })
})

/** Spotify, Deezer and the library behind one port. Needs HttpClient, Settings and TrackRepository. */
export const AlbumCatalogLive = Layer.effect(AlbumCatalog, makeAlbumCatalog).pipe(
  Layer.provide(Layer.mergeAll(SpotifyAlbums.Default, DeezerAlbums.Default, LocalAlbums.Default)))

/** The same over the platform fetch client (as the slskd client uses): needs Settings and TrackRepository. */
export const AlbumCatalogDefault = AlbumCatalogLive.pipe(Layer.provide(FetchHttpClient.layer))
