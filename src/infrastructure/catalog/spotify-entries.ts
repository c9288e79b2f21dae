import { Either, Schema } from "effect"
import type { SkippedEntry, TrackListEntry } from "../../domain/track-list.js"

/*
 * One entry of a Spotify playlist (/playlists/{id}/items) or of Liked Songs (/me/tracks) to a
 * track, or the reason it is skipped. Since 2026 the track sits under `item`; older answers (and
 * some /items answers) still use `track`, so `item ?? track` is read. Removed content is null,
 * podcasts are episodes, and local files have no id but carry the file's tags (also packed into
 * the uri spotify:local:<artist>:<album>:<title>:<seconds>).
 */

const Named = Schema.Struct({ name: Schema.optional(Schema.NullOr(Schema.String)) })
const TrackObject = Schema.Struct({
  id: Schema.optional(Schema.NullOr(Schema.String)),
  name: Schema.optional(Schema.NullOr(Schema.String)),
  type: Schema.optional(Schema.NullOr(Schema.String)),
  uri: Schema.optional(Schema.NullOr(Schema.String)),
  artists: Schema.optional(Schema.NullOr(Schema.Array(Named))),
  album: Schema.optional(Schema.NullOr(Schema.Struct({
    id: Schema.optional(Schema.NullOr(Schema.String)),
    name: Schema.optional(Schema.NullOr(Schema.String)),
    artists: Schema.optional(Schema.NullOr(Schema.Array(Named))),
    total_tracks: Schema.optional(Schema.NullOr(Schema.Number)),
    release_date: Schema.optional(Schema.NullOr(Schema.String))
  }))),
  duration_ms: Schema.optional(Schema.NullOr(Schema.Number)),
  disc_number: Schema.optional(Schema.NullOr(Schema.Number)),
  track_number: Schema.optional(Schema.NullOr(Schema.Number)),
  is_local: Schema.optional(Schema.NullOr(Schema.Boolean)),
  is_playable: Schema.optional(Schema.NullOr(Schema.Boolean)),
  external_ids: Schema.optional(Schema.NullOr(Schema.Struct({ isrc: Schema.optional(Schema.NullOr(Schema.String)) }))),
  linked_from: Schema.optional(Schema.NullOr(Schema.Struct({ id: Schema.optional(Schema.NullOr(Schema.String)) })))
})
const Entry = Schema.Struct({
  is_local: Schema.optional(Schema.NullOr(Schema.Boolean)),
  item: Schema.optional(Schema.NullOr(Schema.Unknown)),
  track: Schema.optional(Schema.NullOr(Schema.Unknown))
})
const decodeEntry = Schema.decodeUnknownEither(Entry)
const decodeTrack = Schema.decodeUnknownEither(TrackObject)

const names = (xs: ReadonlyArray<{ readonly name?: string | null | undefined }> | null | undefined): string =>
  (xs ?? []).map((a) => (a.name ?? "").trim()).filter((n) => n !== "").join(", ")

const decodePart = (s: string): string => {
  try {
    return decodeURIComponent(s.replace(/\+/g, " ")).trim()
  } catch {
    return s.replace(/\+/g, " ").trim()
  }
}

/** spotify:local:<artist>:<album>:<title>:<seconds>, parts URL-encoded with + for spaces. */
export const parseLocalUri = (uri: string): { artist: string; album: string; title: string; seconds: number | null } | null => {
  const m = /^spotify:local:([^:]*):([^:]*):([^:]*):(\d*)$/.exec(uri)
  if (!m) return null
  return { artist: decodePart(m[1]!), album: decodePart(m[2]!), title: decodePart(m[3]!), seconds: m[4] ? Number(m[4]) : null }
}

export type EntryOutcome = Either.Either<TrackListEntry, SkippedEntry>

const skip = (reason: string, trackId: string | null = null): EntryOutcome => Either.left({ trackId, line: null, reason })

/** `position` counts from 1 and only appears in reasons, so a user can find the entry in the playlist. */
export const spotifyEntry = (raw: unknown, position: number): EntryOutcome => {
  const entry = decodeEntry(raw)
  if (Either.isLeft(entry)) return skip(`entry ${position}: Spotify sent something that is not a playlist entry`)
  const inner = entry.right.item ?? entry.right.track
  if (inner === null || inner === undefined) return skip(`entry ${position}: removed from Spotify (the entry is empty)`)
  const decoded = decodeTrack(inner)
  if (Either.isLeft(decoded)) return skip(`entry ${position}: Spotify sent a track SoulSpot cannot read`)
  const t = decoded.right
  const title = (t.name ?? "").trim()
  const label = title === "" ? `entry ${position}` : `"${title}"`
  if (t.type === "episode") return skip(`${label} is a podcast episode, not music`, t.id ?? null)
  if (entry.right.is_local === true || t.is_local === true) {
    const fromUri = t.uri ? parseLocalUri(t.uri) : null
    const localTitle = title || fromUri?.title || ""
    const artist = names(t.artists) || fromUri?.artist || ""
    const album = (t.album?.name ?? "").trim() || fromUri?.album || null
    if (localTitle === "" || artist === "") return skip(`entry ${position}: a local file without title or artist tags, nothing to search for`)
    const durationMs = t.duration_ms ?? (fromUri?.seconds ? fromUri.seconds * 1000 : null)
    return Either.right({
      track: { title: localTitle, artist, album, durationMs: durationMs || null },
      album: album === null ? null : { source: "local", sourceId: `spotify-local:${artist.toLowerCase()}|${album.toLowerCase()}`, title: album, artist, totalTracks: null, releaseDate: null }
    })
  }
  if (t.is_playable === false) return skip(`${label} is not available on Spotify in your country`, t.id ?? null)
  const id = t.linked_from?.id ?? t.id ?? null
  if (id === null) return skip(`${label} has no Spotify id and is not a local file`)
  if (title === "") return skip(`entry ${position}: a track without a title`, id)
  const artist = names(t.artists) || names(t.album?.artists)
  if (artist === "") return skip(`${label} has no artist`, id)
  const albumTitle = (t.album?.name ?? "").trim() || null
  return Either.right({
    track: {
      title, artist, album: albumTitle, durationMs: t.duration_ms ?? null, isrc: t.external_ids?.isrc ?? null,
      trackNumber: t.track_number ?? null, discNumber: t.disc_number ?? null, spotifyId: id
    },
    album: t.album?.id && albumTitle
      ? {
        source: "spotify", sourceId: t.album.id, title: albumTitle, artist: names(t.album.artists) || artist,
        totalTracks: t.album.total_tracks ?? null, releaseDate: t.album.release_date ?? null
      }
      : null
  })
}
