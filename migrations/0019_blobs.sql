-- Materials as files (issue 14): the blob store's index, content-addressed by SHA-256. On
-- PostgreSQL `data` holds the bytes (same database, backups and transactions as the events);
-- on the embedded default (SQLite) the bytes live under XUKE_DATA_DIR/blobs/ab/cd/<sha256>
-- and `data` stays NULL. `uploaded_at` is the latest upload (the sweeper's clock);
-- `uploaded_by` the first uploader, or NULL for a file the system made (a document), which is
-- referenced from the start; `referenced_at` is set once a case refers to the file: blobs
-- still unreferenced a day after their upload are swept.
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    data BYTEA,
    uploaded_at TEXT NOT NULL,
    uploaded_by TEXT,
    referenced_at TEXT
);
CREATE INDEX IF NOT EXISTS blobs_unreferenced ON blobs (uploaded_at) WHERE referenced_at IS NULL;
-- Everyone who uploaded the bytes (the same file is stored once): only they may refer to it,
-- so another applicant cannot attach your file by its hash.
CREATE TABLE IF NOT EXISTS blob_uploads (
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    PRIMARY KEY (sha256, uploaded_by)
);
