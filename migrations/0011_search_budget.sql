-- When each slskd search started (ms since the epoch): the budget's sliding window survives a restart.
CREATE TABLE search_starts (
  started_at INTEGER NOT NULL
);
CREATE INDEX search_starts_started_at ON search_starts (started_at);

-- Searches this service created in slskd and has not deleted yet; left over after a crash, they are deleted at start.
CREATE TABLE slskd_searches (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
);
