-- Notifications: targets, an outbox written by triggers in the transaction of the change that
-- caused each event, and one delivery per (event, target) that the delivery worker works off.

CREATE TABLE notification_targets (
  id          TEXT PRIMARY KEY,
  type        TEXT NOT NULL CHECK (type IN ('webhook', 'ntfy', 'discord', 'gotify', 'apprise', 'navidrome', 'jellyfin', 'plex', 'lidarr')),
  name        TEXT NOT NULL,
  enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  -- JSON array of event names; NULL = every event
  events      TEXT,
  -- the type's own fields as JSON, secrets included (answered as "****")
  config      TEXT NOT NULL DEFAULT '{}',
  -- 'env': configured by SOULSPOT_WEBHOOK_URL, kept out of PUT /api/notifications
  origin      TEXT NOT NULL DEFAULT 'user' CHECK (origin IN ('user', 'env')),
  position    INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

CREATE TABLE notification_outbox (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  id          TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16)))),
  type        TEXT NOT NULL,
  payload     TEXT NOT NULL,
  -- "once per thing" events (album.completed) carry a key; a second one with it is never written
  dedupe      TEXT,
  -- side effects besides messages (media-server scans after download.imported) are done
  handled     INTEGER NOT NULL DEFAULT 0 CHECK (handled IN (0, 1)),
  -- 0: no message for it (a track of an album is announced as the album); it still counts for scans
  messages    INTEGER NOT NULL DEFAULT 1 CHECK (messages IN (0, 1)),
  created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX notification_outbox_dedupe ON notification_outbox (dedupe) WHERE dedupe IS NOT NULL;
CREATE INDEX notification_outbox_unhandled ON notification_outbox (seq) WHERE handled = 0;

CREATE TABLE notification_deliveries (
  id               TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(16)))),
  outbox_seq       INTEGER NOT NULL REFERENCES notification_outbox (seq) ON DELETE CASCADE,
  target_id        TEXT NOT NULL REFERENCES notification_targets (id) ON DELETE CASCADE,
  state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'gave_up')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  -- NULL: due now
  next_attempt_at  TEXT,
  first_attempt_at TEXT,
  last_error       TEXT,
  last_status      INTEGER,
  delivered_at     TEXT,
  updated_at       TEXT,
  UNIQUE (outbox_seq, target_id)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (target_id, outbox_seq) WHERE state = 'pending';
CREATE INDEX notification_deliveries_target ON notification_deliveries (target_id, state, updated_at);

-- Small durable facts the triggers and workers share: 'import_on' (1 while the library import is
-- configured, so album.completed waits for the imports), the slskd outage state.
CREATE TABLE notification_state (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
) WITHOUT ROWID;

-- One delivery per enabled message target that wants the event.
CREATE TRIGGER notification_outbox_fan_out AFTER INSERT ON notification_outbox BEGIN
  INSERT INTO notification_deliveries (outbox_seq, target_id)
    SELECT NEW.seq, t.id FROM notification_targets t
    WHERE NEW.messages = 1 AND t.enabled = 1 AND t.type IN ('webhook', 'ntfy', 'discord', 'gotify', 'apprise')
      AND (t.events IS NULL OR EXISTS (SELECT 1 FROM json_each(t.events) e WHERE e.value = NEW.type));
END;

-- The download as messages show it (the API's field names).
CREATE VIEW notification_download_json AS
  SELECT d.id AS download_id, d.track_id AS track_id, json_object(
    'id', d.id, 'track_id', d.track_id, 'status', d.status, 'username', d.username, 'filename', d.filename,
    'size', d.size, 'attempts', d.attempts, 'error', d.error, 'quality_profile', d.quality_profile,
    'created_at', d.created_at, 'updated_at', d.updated_at, 'completed_at', d.completed_at,
    'track', json_object('id', t.id, 'title', t.title, 'artist', t.artist, 'album', t.album,
      'duration_ms', t.duration_ms, 'isrc', t.isrc, 'track_number', t.track_number, 'disc_number', t.disc_number),
    'import', (SELECT json_object('status', i.status, 'step', i.step, 'path', i.path, 'reason', i.reason)
      FROM download_imports i WHERE i.download_id = d.id)
  ) AS json
  FROM downloads d JOIN tracks t ON t.id = d.track_id;

-- Tracks that are done for album.completed: a COMPLETED download whose import is IMPORTED, or,
-- while the import is off, a COMPLETED download without an import.
CREATE VIEW notification_done_tracks AS
  SELECT d.track_id FROM downloads d LEFT JOIN download_imports i ON i.download_id = d.id
  WHERE d.status = 'COMPLETED' AND (i.status = 'IMPORTED' OR (i.download_id IS NULL
    AND coalesce((SELECT value FROM notification_state WHERE key = 'import_on'), '0') = '0'));

-- Albums whose every track is done and that were not announced yet, with their message.
CREATE VIEW notification_albums_done AS
  SELECT a.id AS album_id, json_object('album', json_object('id', a.id, 'title', a.title, 'artist', a.artist,
      'total_tracks', (SELECT count(*) FROM album_tracks x WHERE x.album_id = a.id),
      'done_tracks', (SELECT count(*) FROM album_tracks x WHERE x.album_id = a.id))) AS payload
  FROM albums a
  WHERE EXISTS (SELECT 1 FROM album_tracks x WHERE x.album_id = a.id)
    AND NOT EXISTS (SELECT 1 FROM album_tracks x WHERE x.album_id = a.id
      AND NOT EXISTS (SELECT 1 FROM notification_done_tracks v WHERE v.track_id = x.track_id))
    AND NOT EXISTS (SELECT 1 FROM notification_outbox o WHERE o.dedupe = 'album.completed:' || a.id);

-- Tracks of an album are announced once, as the album; failures and reviews still come per track.
CREATE TRIGGER notification_download_completed AFTER UPDATE OF status ON downloads
  WHEN NEW.status = 'COMPLETED' AND OLD.status <> 'COMPLETED' BEGIN
  INSERT INTO notification_outbox (type, payload, created_at)
    SELECT 'download.completed', json_object('download', json(j.json)), NEW.updated_at
    FROM notification_download_json j
    WHERE j.download_id = NEW.id AND NOT EXISTS (SELECT 1 FROM album_tracks at WHERE at.track_id = NEW.track_id);
  INSERT INTO notification_outbox (type, payload, dedupe, created_at)
    SELECT 'album.completed', v.payload, 'album.completed:' || v.album_id, NEW.updated_at
    FROM notification_albums_done v WHERE v.album_id IN (SELECT album_id FROM album_tracks WHERE track_id = NEW.track_id);
END;

CREATE TRIGGER notification_download_failed AFTER UPDATE OF status ON downloads
  WHEN NEW.status = 'FAILED' AND OLD.status <> 'FAILED' BEGIN
  INSERT INTO notification_outbox (type, payload, created_at)
    SELECT 'download.failed', json_object('download', json(j.json), 'reason', NEW.error), NEW.updated_at
    FROM notification_download_json j WHERE j.download_id = NEW.id;
END;

CREATE TRIGGER notification_import_imported AFTER UPDATE OF status ON download_imports
  WHEN NEW.status = 'IMPORTED' AND OLD.status <> 'IMPORTED' BEGIN
  INSERT INTO notification_outbox (type, payload, messages, created_at)
    SELECT 'download.imported', json_object('download', json(j.json)),
      NOT EXISTS (SELECT 1 FROM album_tracks at WHERE at.track_id = j.track_id), NEW.updated_at
    FROM notification_download_json j WHERE j.download_id = NEW.download_id;
  INSERT INTO notification_outbox (type, payload, dedupe, created_at)
    SELECT 'album.completed', v.payload, 'album.completed:' || v.album_id, NEW.updated_at
    FROM notification_albums_done v WHERE v.album_id IN (
      SELECT at.album_id FROM album_tracks at JOIN downloads d ON d.track_id = at.track_id WHERE d.id = NEW.download_id);
END;

CREATE TRIGGER notification_import_review AFTER UPDATE OF status ON download_imports
  WHEN NEW.status = 'NEEDS_REVIEW' AND OLD.status <> 'NEEDS_REVIEW' BEGIN
  INSERT INTO notification_outbox (type, payload, created_at)
    SELECT 'download.needs_review', json_object('download', json(j.json), 'reason', NEW.reason), NEW.updated_at
    FROM notification_download_json j WHERE j.download_id = NEW.download_id;
END;
