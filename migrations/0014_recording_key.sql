-- The folded artist|title of a track, so a request under another request key (no album, another
-- album spelling) finds the same recording through an index. Rows stored before this migration get
-- theirs when the repository starts (the folding is Unicode-aware, which SQL cannot do).
ALTER TABLE tracks ADD COLUMN recording_key TEXT;
CREATE INDEX tracks_recording_key ON tracks (recording_key);
