-- exchange_events: the published feed (docs/exchange.md). One row per integration event,
-- positions gap-free 1, 2, 3 … in the order of the event store, assigned by the projection
-- "exchange" in the same transaction as its tracking position.
CREATE TABLE IF NOT EXISTS exchange_events (
    position BIGINT PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    case_no TEXT,
    certificate_no TEXT,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS exchange_events_jurisdiction ON exchange_events (jurisdiction_code, position);
CREATE INDEX IF NOT EXISTS exchange_events_type ON exchange_events (type, position);
-- What a licence's later events need and do not carry (its item, authority, term).
CREATE TABLE IF NOT EXISTS exchange_licences (
    licence_id TEXT PRIMARY KEY,
    certificate_no TEXT NOT NULL,
    item_code TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    valid_until TEXT
);
-- The working-day calendar's version as of the feed's position: each event's due dates are
-- computed with the calendar in force when it was recorded, in a rebuild too.
CREATE TABLE IF NOT EXISTS exchange_calendar (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);
