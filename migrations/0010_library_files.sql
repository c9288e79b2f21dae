-- The library index: one row per audio file in the library folder, its tags read once (kept
-- current by each import), so a track already there is answered with that file.
CREATE TABLE library_files (
  path        TEXT PRIMARY KEY,
  size        INTEGER NOT NULL,
  mtime_ms    INTEGER NOT NULL,
  title       TEXT,
  artist      TEXT,
  album       TEXT,
  isrc        TEXT,
  -- folded (foldForKey) artist and title, for the lookup
  artist_key  TEXT NOT NULL,
  title_key   TEXT NOT NULL,
  indexed_at  TEXT NOT NULL,
  -- the scan that last saw the file (NULL: recorded by an import), so a scan can drop the files gone
  scan_id     TEXT
);
CREATE INDEX library_files_isrc ON library_files (isrc) WHERE isrc IS NOT NULL;
CREATE INDEX library_files_meta ON library_files (artist_key, title_key);
