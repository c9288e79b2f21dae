-- Imported playlists (Spotify, Deezer, Liked Songs, uploaded files) and which tracks they held.
-- A watched playlist is re-read on a schedule; `snapshot` is Spotify's snapshot_id or Deezer's
-- checksum of the last read, so an unchanged playlist costs one request.
CREATE TABLE playlists (
  id              TEXT PRIMARY KEY,
  source          TEXT NOT NULL CHECK (source IN ('spotify', 'deezer', 'file')),
  source_id       TEXT NOT NULL,
  title           TEXT NOT NULL,
  watch           INTEGER NOT NULL DEFAULT 0 CHECK (watch IN (0, 1)),
  snapshot        TEXT,
  total_tracks    INTEGER NOT NULL DEFAULT 0,
  priority        INTEGER NOT NULL DEFAULT 0,
  quality_profile TEXT,
  last_synced_at  TEXT,
  last_error      TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  UNIQUE (source, source_id)
);

CREATE TABLE playlist_tracks (
  playlist_id  TEXT NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
  track_id     TEXT NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
  position     INTEGER NOT NULL,
  PRIMARY KEY (playlist_id, track_id)
);
CREATE INDEX playlist_tracks_track ON playlist_tracks (track_id);

-- Batch imports look up existing downloads of many tracks, and playlist counts join on it.
CREATE INDEX downloads_track ON downloads (track_id);
