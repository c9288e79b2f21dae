-- Session cookies are signed with a random secret kept here (one row; deleting it signs everybody out).
CREATE TABLE auth_secret (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  secret TEXT NOT NULL,
  created_at TEXT NOT NULL
);

-- Sessions signed out before they expired; a row may go once its session would have expired anyway.
CREATE TABLE revoked_sessions (
  nonce TEXT PRIMARY KEY,
  expires_at TEXT NOT NULL
);
