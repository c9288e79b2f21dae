-- The Spotify user logged in with PKCE (one account per SoulSpot). Tokens live only here.
CREATE TABLE spotify_account (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  user_id         TEXT NOT NULL,
  display_name    TEXT,
  access_token    TEXT NOT NULL,
  refresh_token   TEXT NOT NULL,
  scopes          TEXT NOT NULL DEFAULT '',
  expires_at      TEXT NOT NULL,
  -- 'reconnect' once a refresh was refused with invalid_grant: Spotify is not called again
  error           TEXT,
  connected_at    TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);

-- Login attempts in flight: state -> PKCE verifier, single use, valid for 10 minutes.
CREATE TABLE spotify_login_states (
  state          TEXT PRIMARY KEY,
  verifier       TEXT NOT NULL,
  redirect_uri   TEXT NOT NULL,
  created_at     TEXT NOT NULL
);
