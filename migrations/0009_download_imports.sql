-- Library import of a COMPLETED download: one row per download, the step it reached (so a
-- restart resumes there) and what the user sees.
CREATE TABLE download_imports (
  download_id   TEXT PRIMARY KEY REFERENCES downloads (id) ON DELETE CASCADE,
  status        TEXT NOT NULL CHECK (status IN ('IMPORTING', 'IMPORTED', 'NEEDS_REVIEW', 'IMPORT_FAILED')),
  -- LOCATING, VERIFYING, STAGING, PUBLISHING, CLEANING, DONE
  step          TEXT NOT NULL,
  -- the review was accepted: skip verification
  accepted      INTEGER NOT NULL DEFAULT 0 CHECK (accepted IN (0, 1)),
  source_path   TEXT,
  staging_path  TEXT,
  path          TEXT,
  reason        TEXT,
  checks        TEXT NOT NULL DEFAULT '[]',
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX download_imports_status ON download_imports (status);
