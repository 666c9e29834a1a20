-- Each projection's position in the application's notification log, written in the same
-- transaction as its rows (exactly once).
CREATE TABLE IF NOT EXISTS projection_tracking (
    projection TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
