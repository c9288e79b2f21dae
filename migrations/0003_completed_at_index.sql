-- "completed today" / "failed today" counts: without this every stats call scanned all downloads.
CREATE INDEX downloads_completed_at ON downloads (completed_at) WHERE completed_at IS NOT NULL;
