-- Quality profiles as data: the built-in four and any the user adds. `definition` is the
-- QualityProfile JSON (src/domain/matching/profiles.ts). Built-in rows are refreshed from the
-- code at start-up, so the seed below is only their first version.
CREATE TABLE quality_profiles (
  name        TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 40),
  definition  TEXT NOT NULL CHECK (json_valid(definition)),
  built_in    INTEGER NOT NULL DEFAULT 0 CHECK (built_in IN (0, 1)),
  updated_at  TEXT NOT NULL
);

INSERT INTO quality_profiles (name, definition, built_in, updated_at) VALUES
  ('lossless', '{"name":"lossless","description":"Lossless only (FLAC, ALAC, WAV, AIFF); set maxBitDepth to 16 or 24 to limit hi-res files.","formats":["flac","alac","aiff","wav"],"minBitRate":null,"maxBitRate":null,"vbrFactor":1,"minSampleRate":null,"maxSampleRate":null,"minBitDepth":16,"maxBitDepth":null,"minSize":null,"maxSize":null,"minLosslessBytesPerSecond":44000,"bitrateSizeTolerance":0.8}', 1, '2026-11-24T00:00:00.000Z'),
  ('balanced', '{"name":"balanced","description":"Lossless preferred; lossy from 256 kbps (VBR V0 included). The default.","formats":["flac","alac","aiff","wav","mp3","aac","opus","ogg"],"minBitRate":256,"maxBitRate":null,"vbrFactor":0.85,"minSampleRate":null,"maxSampleRate":null,"minBitDepth":null,"maxBitDepth":null,"minSize":null,"maxSize":null,"minLosslessBytesPerSecond":44000,"bitrateSizeTolerance":0.8}', 1, '2026-11-24T00:00:00.000Z'),
  ('space-saver', '{"name":"space-saver","description":"Lossy only, 192-320 kbps, MP3 320 or V0 first; lossless files are rejected to save space.","formats":["mp3","aac","opus","ogg"],"minBitRate":192,"maxBitRate":320,"vbrFactor":0.85,"minSampleRate":null,"maxSampleRate":null,"minBitDepth":null,"maxBitDepth":null,"minSize":null,"maxSize":null,"minLosslessBytesPerSecond":44000,"bitrateSizeTolerance":0.8}', 1, '2026-11-24T00:00:00.000Z'),
  ('any', '{"name":"any","description":"Any audio format from 64 kbps; still prefers lossless, then higher bitrates.","formats":["flac","alac","aiff","wav","ape","wv","mp3","aac","opus","ogg","wma"],"minBitRate":64,"maxBitRate":null,"vbrFactor":1,"minSampleRate":null,"maxSampleRate":null,"minBitDepth":null,"maxBitDepth":null,"minSize":null,"maxSize":null,"minLosslessBytesPerSecond":44000,"bitrateSizeTolerance":0.8}', 1, '2026-11-24T00:00:00.000Z')
;
