-- A paused download keeps its status; the workers leave it alone until it is resumed
-- (README.md, "Acting on downloads").
ALTER TABLE downloads ADD COLUMN paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1));
