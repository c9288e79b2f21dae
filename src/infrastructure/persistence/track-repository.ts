import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import { randomUUID } from "node:crypto"
import type { Album, AlbumSourceName } from "../../domain/album.js"
import { TrackRepository, type AlbumInput, type AlbumWithTracks } from "../../domain/ports/TrackRepository.js"
import { cleanTrackInput, requestKey, type Track, type TrackInput } from "../../domain/track.js"
import { nowIso, toTrack, TRACK_COLUMNS, type TrackRow } from "./rows.js"
import { TRACK_MERGE_ON_CONFLICT } from "./track-merge.js"

interface AlbumRow {
  readonly id: string
  readonly title: string
  readonly artist: string
  readonly source: AlbumSourceName
  readonly sourceId: string
  readonly totalTracks: number
  readonly releaseDate: string | null
  readonly coverUrl: string | null
}

export const makeTrackRepository = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const findByRequestKey = (key: string) =>
    sql<TrackRow>`SELECT ${sql.literal(TRACK_COLUMNS)} FROM tracks WHERE request_key = ${key}`.pipe(
      Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), toTrack)))

  const find = (id: string) =>
    sql<TrackRow>`SELECT ${sql.literal(TRACK_COLUMNS)} FROM tracks WHERE id = ${id}`.pipe(
      Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), toTrack)))

  // What we already know is kept; a later request only fills gaps (the first spelling stays).
  const upsert = (input: TrackInput) => Effect.gen(function*() {
    const t = cleanTrackInput(input)
    const key = requestKey(t)
    const now = yield* nowIso
    yield* sql`INSERT INTO tracks ${sql.insert({
      id: randomUUID(), requestKey: key, title: t.title, artist: t.artist, album: t.album ?? null,
      durationMs: t.durationMs ?? null, isrc: t.isrc ?? null, trackNumber: t.trackNumber ?? null,
      discNumber: t.discNumber ?? null, spotifyId: t.spotifyId ?? null, deezerId: t.deezerId ?? null,
      createdAt: now, updatedAt: now
    })} ${sql.literal(TRACK_MERGE_ON_CONFLICT)}`
    const stored = yield* findByRequestKey(key)
    return Option.getOrThrow(stored)
  })

  const albumTracks = (album: AlbumRow) =>
    sql<TrackRow>`SELECT ${sql.literal(TRACK_COLUMNS.split(", ").map((c) => `t.${c}`).join(", "))}
      FROM album_tracks at JOIN tracks t ON t.id = at.track_id
      WHERE at.album_id = ${album.id} ORDER BY at.disc_number, at.track_number`.pipe(
      Effect.map((rows): AlbumWithTracks => ({ album: toAlbum(album), tracks: rows.map(toTrack) })))

  const findAlbum = (source: AlbumSourceName, sourceId: string) =>
    sql<AlbumRow>`SELECT id, title, artist, source, source_id, total_tracks, release_date, cover_url FROM albums
      WHERE source = ${source} AND source_id = ${sourceId}`.pipe(
      Effect.flatMap((rows) => rows[0] ? Effect.map(albumTracks(rows[0]), Option.some) : Effect.succeed(Option.none())))

  const findAlbumById = (id: string) =>
    sql<AlbumRow>`SELECT id, title, artist, source, source_id, total_tracks, release_date, cover_url FROM albums WHERE id = ${id}`.pipe(
      Effect.flatMap((rows) => rows[0] ? Effect.map(albumTracks(rows[0]), Option.some) : Effect.succeed(Option.none())))

  const upsertAlbum = (input: AlbumInput) => Effect.gen(function*() {
    const now = yield* nowIso
    yield* sql`INSERT INTO albums ${sql.insert({
      id: randomUUID(), source: input.source, sourceId: input.sourceId, title: input.title, artist: input.artist,
      totalTracks: input.tracks.length, releaseDate: input.releaseDate, coverUrl: input.coverUrl ?? null, createdAt: now, updatedAt: now
    })} ON CONFLICT (source, source_id) DO UPDATE SET title = excluded.title, artist = excluded.artist,
      total_tracks = excluded.total_tracks, release_date = excluded.release_date,
      cover_url = coalesce(excluded.cover_url, albums.cover_url), updated_at = excluded.updated_at`
    const [albumRow] = yield* sql<{ id: string }>`SELECT id FROM albums WHERE source = ${input.source} AND source_id = ${input.sourceId}`
    const albumId = albumRow!.id
    let position = 0
    for (const t of input.tracks) {
      position++
      const track: Track = yield* upsert(t)
      yield* sql`INSERT INTO album_tracks ${sql.insert({
        albumId, trackId: track.id, discNumber: t.discNumber ?? 1, trackNumber: t.trackNumber ?? position
      })} ON CONFLICT (album_id, track_id) DO UPDATE SET disc_number = excluded.disc_number, track_number = excluded.track_number`
    }
    return Option.getOrThrow(yield* findAlbumById(albumId))
  }).pipe(sql.withTransaction)

  return TrackRepository.of({
    upsert: (t) => upsert(t).pipe(Effect.orDie, Effect.withSpan("TrackRepository.upsert")),
    find: (id) => find(id).pipe(Effect.orDie),
    findByRequestKey: (k) => findByRequestKey(k).pipe(Effect.orDie),
    upsertAlbum: (a) => upsertAlbum(a).pipe(Effect.orDie, Effect.withSpan("TrackRepository.upsertAlbum")),
    findAlbum: (s, id) => findAlbum(s, id).pipe(Effect.orDie),
    findAlbumById: (id) => findAlbumById(id).pipe(Effect.orDie),
    albumsOfTracks: (trackIds) => Effect.gen(function*() {
      const out = new Map<string, Array<string>>()
      for (let i = 0; i < trackIds.length; i += 500) {
        const chunk = trackIds.slice(i, i + 500)
        const rows = yield* sql<{ albumId: string; trackId: string }>`SELECT album_id, track_id FROM album_tracks WHERE ${sql.in("track_id", chunk)}`
        for (const r of rows) out.set(r.albumId, [...(out.get(r.albumId) ?? []), r.trackId])
      }
      return out
    }).pipe(Effect.orDie)
  })
})

const toAlbum = (r: AlbumRow): Album => ({
  id: r.id, title: r.title, artist: r.artist, source: r.source, sourceId: r.sourceId,
  totalTracks: r.totalTracks, releaseDate: r.releaseDate, coverUrl: r.coverUrl
})

export const TrackRepositoryLive = Layer.effect(TrackRepository, makeTrackRepository)
