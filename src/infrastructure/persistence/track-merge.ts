import type { SqlClient } from "@effect/sql"
import { Array as Arr, Effect } from "effect"
import { recordingKey, requestKey, sameRecording, type TrackInput } from "../../domain/track.js"

/**
 * How a track stored again merges into the row it already has (INSERT ... ON CONFLICT): what we
 * knew is kept and a later request only fills gaps, so the first spelling stays.
 */
export const TRACK_MERGE_ON_CONFLICT = `ON CONFLICT (request_key) DO UPDATE SET
  album = COALESCE(tracks.album, excluded.album),
  duration_ms = COALESCE(tracks.duration_ms, excluded.duration_ms),
  isrc = COALESCE(tracks.isrc, excluded.isrc),
  track_number = COALESCE(tracks.track_number, excluded.track_number),
  disc_number = COALESCE(tracks.disc_number, excluded.disc_number),
  spotify_id = COALESCE(tracks.spotify_id, excluded.spotify_id),
  deezer_id = COALESCE(tracks.deezer_id, excluded.deezer_id),
  recording_key = COALESCE(tracks.recording_key, excluded.recording_key),
  updated_at = excluded.updated_at`

interface Candidate {
  readonly request_key: string
  readonly recording_key: string
  readonly title: string
  readonly artist: string
  readonly album: string | null
  readonly duration_ms: number | null
  readonly isrc: string | null
  readonly track_number: number | null
  readonly disc_number: number | null
  readonly spotify_id: string | null
  readonly deezer_id: string | null
}

const CANDIDATE_COLUMNS = "request_key, recording_key, title, artist, album, duration_ms, isrc, track_number, disc_number, spotify_id, deezer_id"

const candidateInput = (c: Candidate): TrackInput => ({
  title: c.title, artist: c.artist, album: c.album, durationMs: c.duration_ms, isrc: c.isrc,
  trackNumber: c.track_number, discNumber: c.disc_number, spotifyId: c.spotify_id, deezerId: c.deezer_id
})

/** One track (the single POST, an ingest of upserts): both lookups in one statement of two index seeks, no JSON. */
const resolveOne = (sql: SqlClient.SqlClient, input: TrackInput, recording: string) => Effect.gen(function*() {
  const key = requestKey(input)
  const rows = yield* sql.unsafe<Candidate>(
    `SELECT ${CANDIDATE_COLUMNS} FROM tracks WHERE request_key = ? OR recording_key = ? ORDER BY created_at, id`, [key, recording]
  ).withoutTransform
  if (rows.some((r) => r.request_key === key)) return key
  return rows.find((c) => c.recording_key === recording && sameRecording(candidateInput(c), input))?.request_key ?? key
})

/**
 * The request key each (cleaned) track is stored under: its own when a track has it already, else the key of
 * a stored track that is the same recording (see `sameRecording`), else its own, so the insert creates it.
 * Two indexed lookups for the whole list (tracks.request_key, tracks.recording_key).
 */
export const resolveRequestKeys = (
  sql: SqlClient.SqlClient, inputs: ReadonlyArray<TrackInput>, recordingKeys: ReadonlyArray<string> = inputs.map(recordingKey)
) => Effect.gen(function*() {
  if (inputs.length === 1) return [yield* resolveOne(sql, inputs[0]!, recordingKeys[0]!)]
  const keys = inputs.map(requestKey)
  const known = new Set<string>()
  for (const chunk of Arr.chunksOf([...new Set(keys)], 5000)) {
    for (const r of yield* sql.unsafe<{ request_key: string }>(
      "SELECT request_key FROM tracks WHERE request_key IN (SELECT value FROM json_each(?))", [JSON.stringify(chunk)]
    ).withoutTransform) known.add(r.request_key)
  }
  const missing = keys.flatMap((k, i) => known.has(k) ? [] : [i])
  if (missing.length === 0) return keys
  const byRecording = new Map<string, Array<Candidate>>()
  for (const chunk of Arr.chunksOf([...new Set(missing.map((i) => recordingKeys[i]!))], 5000)) {
    for (const c of yield* sql.unsafe<Candidate>(
      `SELECT ${CANDIDATE_COLUMNS} FROM tracks
       WHERE recording_key IN (SELECT value FROM json_each(?)) ORDER BY created_at, id`, [JSON.stringify(chunk)]
    ).withoutTransform) byRecording.set(c.recording_key, [...(byRecording.get(c.recording_key) ?? []), c])
  }
  for (const i of missing) {
    const input = inputs[i]!
    const match = (byRecording.get(recordingKeys[i]!) ?? []).find((c) => sameRecording(candidateInput(c), input))
    if (match) keys[i] = match.request_key
  }
  return keys
})

/** Rows stored before tracks.recording_key existed get theirs (the folding is Unicode-aware, SQL's is not). */
export const backfillRecordingKeys = (sql: SqlClient.SqlClient) => Effect.gen(function*() {
  for (;;) {
    const rows = yield* sql.unsafe<{ id: string; title: string; artist: string }>(
      "SELECT id, title, artist FROM tracks WHERE recording_key IS NULL LIMIT 5000").withoutTransform
    if (rows.length === 0) return
    // one primary-key update a row, in one transaction (UPDATE ... FROM json_each may scan tracks per entry)
    yield* Effect.forEach(rows, (r) => sql.unsafe("UPDATE tracks SET recording_key = ? WHERE id = ?", [recordingKey(r), r.id]),
      { discard: true }).pipe(sql.withTransaction)
  }
})
