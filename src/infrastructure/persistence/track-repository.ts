import { SqlClient, SqlSchema } from "@effect/sql"
import { Array as Arr, Effect, Layer, Option, Schema } from "effect"
import { randomUUID } from "node:crypto"
import type { Album, AlbumSourceName } from "../../domain/album.js"
import { TrackRepository, type AlbumInput, type AlbumWithTracks } from "../../domain/ports/TrackRepository.js"
import { cleanTrackInput, recordingKey, type Track, type TrackInput } from "../../domain/track.js"
import { AlbumRow, AlbumTrackRow, nowIso, TRACK_COLUMNS, TrackRow } from "./rows.js"
import { backfillRecordingKeys, resolveRequestKeys, TRACK_MERGE_ON_CONFLICT } from "./track-merge.js"

const ALBUM_COLUMNS = "id, title, artist, source, source_id, total_tracks, release_date, cover_url"

export const makeTrackRepository = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* backfillRecordingKeys(sql).pipe(Effect.orDie)

  const findByRequestKey = SqlSchema.findOne({
    Request: Schema.String,
    Result: TrackRow,
    execute: (key) => sql`SELECT ${sql.literal(TRACK_COLUMNS)} FROM tracks WHERE request_key = ${key}`
  })

  const find = SqlSchema.findOne({
    Request: Schema.String,
    Result: TrackRow,
    execute: (id) => sql`SELECT ${sql.literal(TRACK_COLUMNS)} FROM tracks WHERE id = ${id}`
  })

  // What we already know is kept; a later request only fills gaps (the first spelling stays).
  const upsert = (input: TrackInput) => Effect.gen(function*() {
    const t = cleanTrackInput(input)
    // the same recording already stored under another key (no album, another spelling) is that track
    const recording = recordingKey(t)
    const key = (yield* resolveRequestKeys(sql, [t], [recording]))[0]!
    const now = yield* nowIso
    yield* sql`INSERT INTO tracks ${sql.insert({
      id: randomUUID(), requestKey: key, title: t.title, artist: t.artist, album: t.album ?? null,
      durationMs: t.durationMs ?? null, isrc: t.isrc ?? null, trackNumber: t.trackNumber ?? null,
      discNumber: t.discNumber ?? null, spotifyId: t.spotifyId ?? null, deezerId: t.deezerId ?? null,
      recordingKey: recording, createdAt: now, updatedAt: now
    })} ${sql.literal(TRACK_MERGE_ON_CONFLICT)}`
    return Option.getOrThrow(yield* findByRequestKey(key))
  })

  const albumTrackList = SqlSchema.findAll({
    Request: Schema.String,
    Result: TrackRow,
    execute: (albumId) => sql`SELECT ${sql.literal(TRACK_COLUMNS.split(", ").map((c) => `t.${c}`).join(", "))}
      FROM album_tracks at JOIN tracks t ON t.id = at.track_id
      WHERE at.album_id = ${albumId} ORDER BY at.disc_number, at.track_number`
  })

  const withTracks = (album: Option.Option<Album>) =>
    Option.match(album, {
      onNone: () => Effect.succeed(Option.none<AlbumWithTracks>()),
      onSome: (a) => Effect.map(albumTrackList(a.id), (tracks) => Option.some({ album: a, tracks }))
    })

  const albumBySource = SqlSchema.findOne({
    Request: Schema.Struct({ source: Schema.String, sourceId: Schema.String }),
    Result: AlbumRow,
    execute: ({ source, sourceId }) =>
      sql`SELECT ${sql.literal(ALBUM_COLUMNS)} FROM albums WHERE source = ${source} AND source_id = ${sourceId}`
  })

  const albumById = SqlSchema.findOne({
    Request: Schema.String,
    Result: AlbumRow,
    execute: (id) => sql`SELECT ${sql.literal(ALBUM_COLUMNS)} FROM albums WHERE id = ${id}`
  })

  const findAlbum = (source: AlbumSourceName, sourceId: string) => Effect.flatMap(albumBySource({ source, sourceId }), withTracks)
  const findAlbumById = (id: string) => Effect.flatMap(albumById(id), withTracks)

  const upsertAlbum = (input: AlbumInput) => Effect.gen(function*() {
    const now = yield* nowIso
    yield* sql`INSERT INTO albums ${sql.insert({
      id: randomUUID(), source: input.source, sourceId: input.sourceId, title: input.title, artist: input.artist,
      totalTracks: input.tracks.length, releaseDate: input.releaseDate, coverUrl: input.coverUrl ?? null, createdAt: now, updatedAt: now
    })} ON CONFLICT (source, source_id) DO UPDATE SET title = excluded.title, artist = excluded.artist,
      total_tracks = excluded.total_tracks, release_date = excluded.release_date,
      cover_url = coalesce(excluded.cover_url, albums.cover_url), updated_at = excluded.updated_at`
    const album = Option.getOrThrow(yield* albumBySource({ source: input.source, sourceId: input.sourceId }))
    let position = 0
    for (const t of input.tracks) {
      position++
      const track: Track = yield* upsert(t)
      yield* sql`INSERT INTO album_tracks ${sql.insert({
        albumId: album.id, trackId: track.id, discNumber: t.discNumber ?? 1, trackNumber: t.trackNumber ?? position
      })} ON CONFLICT (album_id, track_id) DO UPDATE SET disc_number = excluded.disc_number, track_number = excluded.track_number`
    }
    return Option.getOrThrow(yield* findAlbumById(album.id))
  }).pipe(sql.withTransaction)

  const albumMembership = SqlSchema.findAll({
    Request: Schema.Array(Schema.String),
    Result: AlbumTrackRow,
    execute: (trackIds) => sql`SELECT album_id, track_id FROM album_tracks WHERE ${sql.in("track_id", trackIds)}`
  })

  return TrackRepository.of({
    upsert: (t) => upsert(t).pipe(Effect.orDie, Effect.withSpan("TrackRepository.upsert")),
    find: (id) => find(id).pipe(Effect.orDie),
    findByRequestKey: (k) => findByRequestKey(k).pipe(Effect.orDie),
    upsertAlbum: (a) => upsertAlbum(a).pipe(Effect.orDie, Effect.withSpan("TrackRepository.upsertAlbum")),
    findAlbum: (s, id) => findAlbum(s, id).pipe(Effect.orDie),
    findAlbumById: (id) => findAlbumById(id).pipe(Effect.orDie),
    albumsOfTracks: (trackIds) => Effect.gen(function*() {
      const out = new Map<string, Array<string>>()
      for (const chunk of Arr.chunksOf(trackIds, 500)) {
        for (const r of yield* albumMembership(chunk)) out.set(r.albumId, [...(out.get(r.albumId) ?? []), r.trackId])
      }
      return out
    }).pipe(Effect.orDie)
  })
})

export const TrackRepositoryLive = Layer.effect(TrackRepository, makeTrackRepository)
