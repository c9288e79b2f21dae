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
  updated_at = excluded.updated_at`
