-- A quality upgrade: the library file this import replaces (moved to quarantine before the
-- new one is published), kept so a restart finishes the swap instead of deciding again.
ALTER TABLE download_imports ADD COLUMN replaces_path TEXT;
