-- audit_trail: one row per stored event in global order, hash-chained:
-- hash = SHA-256(previous hash || canonical bytes of the stored event).
CREATE TABLE IF NOT EXISTS audit_trail (
    position BIGINT PRIMARY KEY,
    notification_id BIGINT NOT NULL UNIQUE,
    originator_id TEXT NOT NULL,
    originator_version INTEGER NOT NULL,
    case_no TEXT,
    event_type TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT,
    org_code TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_trail_case ON audit_trail (case_no, position);
CREATE INDEX IF NOT EXISTS audit_trail_originator ON audit_trail (originator_id, originator_version);
