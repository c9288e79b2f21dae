-- The album's cover as the catalog gives it (Spotify's largest image, Deezer's cover_xl), so an
-- import can embed it and write cover.jpg beside the files.
ALTER TABLE albums ADD COLUMN cover_url TEXT;
