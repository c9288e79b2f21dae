-- Tracks are requests for a recording; request_key makes "the same track" one row.
CREATE TABLE tracks (
  id            TEXT PRIMARY KEY,
  request_key   TEXT NOT NULL UNIQUE,
  title         TEXT NOT NULL,
  artist        TEXT NOT NULL,
  album         TEXT,
  duration_ms   INTEGER,
  isrc          TEXT,
  track_number  INTEGER,
  disc_number   INTEGER,
  spotify_id    TEXT,
  deezer_id     TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);

CREATE TABLE albums (
  id            TEXT PRIMARY KEY,
  source        TEXT NOT NULL CHECK (source IN ('spotify', 'deezer', 'local')),
  source_id     TEXT NOT NULL,
  title         TEXT NOT NULL,
  artist        TEXT NOT NULL,
  total_tracks  INTEGER NOT NULL,
  release_date  TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  UNIQUE (source, source_id)
);

CREATE TABLE album_tracks (
  album_id      TEXT NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
  track_id      TEXT NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
  disc_number   INTEGER NOT NULL DEFAULT 1,
  track_number  INTEGER NOT NULL,
  PRIMARY KEY (album_id, track_id)
);
CREATE INDEX album_tracks_track ON album_tracks (track_id);

CREATE TABLE downloads (
  id                 TEXT PRIMARY KEY,
  track_id           TEXT NOT NULL REFERENCES tracks (id),
  status             TEXT NOT NULL CHECK (status IN ('WAITING','PENDING','QUEUED','DOWNLOADING','COMPLETED','FAILED','CANCELLED')),
  priority           INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN -1000 AND 1000),
  slskd_id           TEXT,
  username           TEXT,
  filename           TEXT,
  size               INTEGER,
  bytes_transferred  INTEGER NOT NULL DEFAULT 0,
  speed_bps          REAL NOT NULL DEFAULT 0,
  eta_seconds        INTEGER,
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at    TEXT,
  error              TEXT,
  quality_profile    TEXT NOT NULL DEFAULT 'balanced',
  -- when the transfer was last seen making progress, for stall detection
  progress_at        TEXT,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  completed_at       TEXT
);
-- one active download per track, whatever races the API sees
CREATE UNIQUE INDEX downloads_one_active_per_track ON downloads (track_id)
  WHERE status IN ('WAITING', 'PENDING', 'QUEUED', 'DOWNLOADING');
CREATE INDEX downloads_queue ON downloads (status, priority DESC, created_at);
CREATE INDEX downloads_updated ON downloads (updated_at);
CREATE INDEX downloads_transfer ON downloads (username, filename);

-- Ranked search results per download: the explanation in the UI and the fallback list for retries.
CREATE TABLE download_candidates (
  download_id  TEXT NOT NULL REFERENCES downloads (id) ON DELETE CASCADE,
  rank         INTEGER NOT NULL,
  username     TEXT NOT NULL,
  filename     TEXT NOT NULL,
  size         INTEGER NOT NULL,
  score        REAL NOT NULL,
  accepted     INTEGER NOT NULL CHECK (accepted IN (0, 1)),
  reasons      TEXT NOT NULL DEFAULT '[]',
  query        TEXT,
  -- NULL = not tried yet; otherwise why it was given up ('failed: ...')
  outcome      TEXT,
  created_at   TEXT NOT NULL,
  PRIMARY KEY (download_id, rank)
);

CREATE TABLE app_settings (
  key         TEXT PRIMARY KEY,
  value       TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
