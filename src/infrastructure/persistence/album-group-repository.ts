import { SqlClient, SqlSchema } from "@effect/sql"
import { Effect, Layer, Option, Schema } from "effect"
import type { AlbumGroup, AlbumMember } from "../../domain/album-group.js"
import { AlbumGroups } from "../../domain/ports/AlbumGroups.js"

/** One row per (album track, download of it), album columns repeated. */
const GroupRow = Schema.Struct({
  albumId: Schema.String,
  title: Schema.String,
  artist: Schema.String,
  coverUrl: Schema.NullOr(Schema.String),
  totalTracks: Schema.Number,
  trackId: Schema.String,
  discNumber: Schema.Number,
  trackNumber: Schema.Number,
  homeAlbum: Schema.String,
  downloadId: Schema.NullOr(Schema.String),
  status: Schema.NullOr(Schema.String),
  importStatus: Schema.NullOr(Schema.String)
})
type GroupRow = typeof GroupRow.Type

/** Rows of one album (in disc, track order) folded into its summary. */
const summarize = (rows: ReadonlyArray<GroupRow>): AlbumGroup => {
  const first = rows[0]!
  const tracks = new Set<string>()
  const done = new Set<string>()
  const failed = new Set<string>()
  const settled = new Set<string>()
  const imported = new Set<string>()
  const members: Array<AlbumMember> = []
  for (const r of rows) {
    tracks.add(r.trackId)
    if (r.status === "COMPLETED") done.add(r.trackId)
    // a failure counts only while nothing else of that track is running or done
    if (r.status === "FAILED") failed.add(r.trackId)
    else if (r.status !== null && r.status !== "CANCELLED") settled.add(r.trackId)
    if (r.importStatus === "IMPORTED") imported.add(r.trackId)
    if (r.downloadId !== null && r.homeAlbum === r.albumId) {
      members.push({ downloadId: r.downloadId, discNumber: r.discNumber, trackNumber: r.trackNumber })
    }
  }
  return {
    albumId: first.albumId,
    title: first.title,
    artist: first.artist,
    coverUrl: first.coverUrl,
    totalTracks: Math.max(first.totalTracks, tracks.size),
    done: done.size,
    failed: [...failed].filter((t) => !settled.has(t)).length,
    inLibrary: imported.size,
    members
  }
}

/** A track's home album: the one stored last of those holding it. */
const HOME_OF = (track: string) => `(SELECT x.album_id FROM album_tracks x JOIN albums y ON y.id = x.album_id
  WHERE x.track_id = ${track} ORDER BY y.created_at DESC, y.id DESC LIMIT 1)`

/**
 * The home albums of the asked tracks (a JSON array), then every track of those albums with its
 * downloads and imports, in album order. Every step is an index lookup: album_tracks_track,
 * album_tracks' key, downloads_track, download_imports' key.
 */
export const GROUP_SQL = `WITH asked AS (SELECT DISTINCT value AS track_id FROM json_each(?)),
  wanted AS (SELECT DISTINCT ${HOME_OF("asked.track_id")} AS album_id FROM asked)
SELECT a.id AS album_id, a.title, a.artist, a.cover_url, a.total_tracks,
  at.track_id, at.disc_number, at.track_number, d.id AS download_id, d.status, i.status AS import_status,
  ${HOME_OF("at.track_id")} AS home_album
FROM wanted w JOIN albums a ON a.id = w.album_id JOIN album_tracks at ON at.album_id = a.id
LEFT JOIN downloads d ON d.track_id = at.track_id LEFT JOIN download_imports i ON i.download_id = d.id
ORDER BY a.id, at.disc_number, at.track_number, d.created_at, d.id`

export const makeAlbumGroupRepository = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const rowsOf = SqlSchema.findAll({
    Request: Schema.Array(Schema.String),
    Result: GroupRow,
    execute: (trackIds) => sql.unsafe(GROUP_SQL, [JSON.stringify(trackIds)])
  })

  const ofTracks = (trackIds: ReadonlyArray<string>) =>
    trackIds.length === 0 ? Effect.succeed([]) : rowsOf(trackIds).pipe(
      Effect.map((rows) => {
        const byAlbum = new Map<string, Array<GroupRow>>()
        for (const r of rows) {
          const list = byAlbum.get(r.albumId)
          if (list) list.push(r)
          else byAlbum.set(r.albumId, [r])
        }
        return [...byAlbum.values()].map(summarize)
      }),
      Effect.orDie,
      Effect.withSpan("AlbumGroups.ofTracks", { attributes: { tracks: trackIds.length } })
    )

  const coverOf = SqlSchema.findOne({
    Request: Schema.String,
    Result: Schema.Struct({ coverUrl: Schema.String }),
    execute: (id) => sql`SELECT cover_url FROM albums WHERE id = ${id} AND cover_url IS NOT NULL`
  })

  return AlbumGroups.of({
    ofTracks,
    coverUrl: (id) => coverOf(id).pipe(Effect.map(Option.map((r) => r.coverUrl)), Effect.orDie)
  })
})

export const AlbumGroupsLive = Layer.effect(AlbumGroups, makeAlbumGroupRepository)
