-- Media-server scans waiting for their quiet timer: one row per imported folder per server, kept
-- until the scan that covers it has run (or was given up), so a restart resumes the scan.
-- target_id has no foreign key: a row of a target removed meanwhile is dropped at the next start.
CREATE TABLE notification_pending_scans (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  target_id  TEXT NOT NULL,
  folder     TEXT NOT NULL,
  -- the end of the quiet spell this import started: a server is scanned once its latest has passed
  due_at     TEXT NOT NULL
);
CREATE INDEX notification_pending_scans_target ON notification_pending_scans (target_id, due_at);
