-- Inbound exchange (issue 15, docs/exchange-federation.md): integration events received from
-- other instances, followed over HTTP (`xuke exchange follow`) or carried by the offline ferry
-- (`xuke exchange import`). A source is named by `--name` (default: the URL's host) or, for
-- a ferry bundle, by its exporter's public key (`ed25519:…`). Each event is kept once per
-- (source, position): the page that brings it, its views and the source's progress are
-- written in one transaction.
CREATE TABLE IF NOT EXISTS inbound_sources (
    source TEXT PRIMARY KEY,
    kind TEXT NOT NULL,                    -- FOLLOW | FERRY
    url TEXT,                              -- FOLLOW: the instance followed
    last_position BIGINT NOT NULL DEFAULT 0,
    events BIGINT NOT NULL DEFAULT 0,      -- how many events were received from it
    last_contact TEXT,                     -- ISO time of the last successful pull or import
    last_error TEXT,                       -- the last failure since then, if any
    last_error_at TEXT
);
CREATE TABLE IF NOT EXISTS inbound_events (
    source TEXT NOT NULL,
    position BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    province TEXT NOT NULL,                -- first two digits of the jurisdiction + "0000"
    case_no TEXT,
    certificate_no TEXT,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (source, position)
);
CREATE INDEX IF NOT EXISTS inbound_events_province ON inbound_events (province, type);
-- This instance's Ed25519 key pair on PostgreSQL (on SQLite it is a file under
-- XUKE_DATA_DIR): one row, created on first use (application/exchange_keys.py).
CREATE TABLE IF NOT EXISTS exchange_instance_key (
    id INTEGER PRIMARY KEY,
    private_key TEXT NOT NULL,             -- PKCS#8 PEM
    public_key TEXT NOT NULL,              -- ed25519:<base64>
    created_at TEXT NOT NULL,
    CHECK (id = 1)
);
