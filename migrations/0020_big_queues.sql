-- Big queues: per-status counts kept by triggers, keyset indexes for the lists and the
-- dispatcher, and a full-text index over track titles, artists and albums.

-- Stats read these seven rows instead of counting 100,000 downloads per request.
CREATE TABLE download_counts (
  status  TEXT PRIMARY KEY,
  n       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO download_counts (status, n)
  SELECT s.status, (SELECT count(*) FROM downloads d WHERE d.status = s.status)
  FROM (SELECT 'WAITING' AS status UNION ALL SELECT 'PENDING' UNION ALL SELECT 'QUEUED' UNION ALL SELECT 'DOWNLOADING'
        UNION ALL SELECT 'COMPLETED' UNION ALL SELECT 'FAILED' UNION ALL SELECT 'CANCELLED') s;

CREATE TRIGGER downloads_count_insert AFTER INSERT ON downloads BEGIN
  UPDATE download_counts SET n = n + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER downloads_count_delete AFTER DELETE ON downloads BEGIN
  UPDATE download_counts SET n = n - 1 WHERE status = OLD.status;
END;
CREATE TRIGGER downloads_count_status AFTER UPDATE OF status ON downloads WHEN OLD.status <> NEW.status BEGIN
  UPDATE download_counts SET n = n - 1 WHERE status = OLD.status;
  UPDATE download_counts SET n = n + 1 WHERE status = NEW.status;
END;

-- "Completed today" and "failed today" from per-day counts (the UTC day of completed_at), kept
-- the same way: without them each stats call read every row finished today.
CREATE TABLE download_day_counts (
  day     TEXT NOT NULL,
  status  TEXT NOT NULL,
  n       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, status)
) WITHOUT ROWID;
INSERT INTO download_day_counts (day, status, n)
  SELECT substr(completed_at, 1, 10), status, count(*) FROM downloads
  WHERE completed_at IS NOT NULL AND status IN ('COMPLETED', 'FAILED') GROUP BY 1, 2;

CREATE TRIGGER downloads_day_insert AFTER INSERT ON downloads
  WHEN NEW.completed_at IS NOT NULL AND NEW.status IN ('COMPLETED', 'FAILED') BEGIN
  INSERT INTO download_day_counts (day, status, n) VALUES (substr(NEW.completed_at, 1, 10), NEW.status, 1)
    ON CONFLICT (day, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER downloads_day_delete AFTER DELETE ON downloads
  WHEN OLD.completed_at IS NOT NULL AND OLD.status IN ('COMPLETED', 'FAILED') BEGIN
  UPDATE download_day_counts SET n = n - 1 WHERE day = substr(OLD.completed_at, 1, 10) AND status = OLD.status;
END;
CREATE TRIGGER downloads_day_leave AFTER UPDATE OF status, completed_at ON downloads
  WHEN OLD.completed_at IS NOT NULL AND OLD.status IN ('COMPLETED', 'FAILED')
    AND (OLD.status IS NOT NEW.status OR OLD.completed_at IS NOT NEW.completed_at) BEGIN
  UPDATE download_day_counts SET n = n - 1 WHERE day = substr(OLD.completed_at, 1, 10) AND status = OLD.status;
END;
CREATE TRIGGER downloads_day_enter AFTER UPDATE OF status, completed_at ON downloads
  WHEN NEW.completed_at IS NOT NULL AND NEW.status IN ('COMPLETED', 'FAILED')
    AND (OLD.status IS NOT NEW.status OR OLD.completed_at IS NOT NEW.completed_at) BEGIN
  INSERT INTO download_day_counts (day, status, n) VALUES (substr(NEW.completed_at, 1, 10), NEW.status, 1)
    ON CONFLICT (day, status) DO UPDATE SET n = n + 1;
END;

-- The active list in its order (priority desc, then age, then id) as one ascending key, so a
-- cursor is a range start: (-priority, created_at, id) > (?, ?, ?). status is carried for filters.
CREATE INDEX downloads_active_order ON downloads (-priority, created_at, id, status)
  WHERE status IN ('WAITING', 'PENDING', 'QUEUED', 'DOWNLOADING');

-- What the dispatcher may search now: WAITING rows in queue order with next_attempt_at in the
-- index, so rows in back-off are skipped without reading the table.
CREATE INDEX downloads_waiting_due ON downloads (-priority, created_at, id, next_attempt_at)
  WHERE status = 'WAITING';

-- "Is this track already queued or downloaded?" on every queue request: without an index on
-- track_id the COMPLETED half of that question read every completed row. downloads_track
-- (track_id), created by migrations/0030_playlists.sql, answers it.

-- GET /api/downloads and History: newest first, with or without a status filter.
CREATE INDEX downloads_created ON downloads (created_at, id);
CREATE INDEX downloads_status_created ON downloads (status, created_at, id);

-- Text filter (title, artist, album). The FTS rows are keyed by the tracks' rowid; a VACUUM may
-- renumber rowids, so one must be followed by: INSERT INTO tracks_fts (tracks_fts) VALUES ('rebuild').
CREATE VIRTUAL TABLE tracks_fts USING fts5(title, artist, album, content = 'tracks', tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO tracks_fts (tracks_fts) VALUES ('rebuild');

CREATE TRIGGER tracks_fts_insert AFTER INSERT ON tracks BEGIN
  INSERT INTO tracks_fts (rowid, title, artist, album) VALUES (NEW.rowid, NEW.title, NEW.artist, NEW.album);
END;
CREATE TRIGGER tracks_fts_delete AFTER DELETE ON tracks BEGIN
  INSERT INTO tracks_fts (tracks_fts, rowid, title, artist, album) VALUES ('delete', OLD.rowid, OLD.title, OLD.artist, OLD.album);
END;
CREATE TRIGGER tracks_fts_update AFTER UPDATE OF title, artist, album ON tracks
  WHEN OLD.title IS NOT NEW.title OR OLD.artist IS NOT NEW.artist OR OLD.album IS NOT NEW.album BEGIN
  INSERT INTO tracks_fts (tracks_fts, rowid, title, artist, album) VALUES ('delete', OLD.rowid, OLD.title, OLD.artist, OLD.album);
  INSERT INTO tracks_fts (rowid, title, artist, album) VALUES (NEW.rowid, NEW.title, NEW.artist, NEW.album);
END;
