import { Effect, Option } from "effect"
import { AlbumNotFound, type CatalogAlbum } from "../../domain/ports/AlbumSource.js"
import { type AlbumWithTracks, TrackRepository } from "../../domain/ports/TrackRepository.js"
import type { TrackInput } from "../../domain/track.js"

const toCatalogAlbum = ({ album, tracks }: AlbumWithTracks): CatalogAlbum => ({
  source: album.source,
  sourceId: album.sourceId,
  title: album.title,
  artist: album.artist,
  releaseDate: album.releaseDate,
  tracks: tracks.map((t): TrackInput => ({
    title: t.title, artist: t.artist, album: t.album, durationMs: t.durationMs, isrc: t.isrc,
    trackNumber: t.trackNumber, discNumber: t.discNumber, spotifyId: t.spotifyId, deezerId: t.deezerId
  })),
  libraryId: album.id
})

/**
 * Albums already in the database: imported ones (source "local") and every Spotify or Deezer
 * album fetched before. The reference is our album id; a local album's own source id is
 * accepted too. The answer keeps the album's origin in `source`/`sourceId`.
 */
export class LocalAlbums extends Effect.Service<LocalAlbums>()("soulspot/catalog/LocalAlbums", {
  effect: Effect.gen(function*() {
    const repo = yield* TrackRepository
    const fetchAlbum = (id: string) => repo.findAlbumById(id).pipe(
      Effect.flatMap((found) => Option.isSome(found) ? Effect.succeed(found) : repo.findAlbum("local", id)),
      Effect.flatMap(Option.match({
        onNone: () => Effect.fail(new AlbumNotFound({ source: "local", albumId: id })),
        onSome: (a) => Effect.succeed(toCatalogAlbum(a))
      })),
      Effect.withSpan("LocalAlbums.fetchAlbum", { attributes: { id } }))
    return { fetchAlbum } as const
  })
}) {}
