-- webhooks: the partners' subscriptions and each one's delivery state (the outbox is the
-- exchange_events table itself; docs/exchange.md, "Webhooks"). A deliverer claims a row
-- (claimed_by / claimed_until: a lease) before posting, so two deliverers never post the
-- same subscriber's events at once; delivered_up_to moves only on a 2xx answer.
CREATE TABLE IF NOT EXISTS webhooks (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    owner_org TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    secret TEXT NOT NULL,
    idempotency_key TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    delivered_up_to BIGINT NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    claimed_by TEXT,
    claimed_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS webhooks_idempotency ON webhooks (owner_id, idempotency_key);
CREATE INDEX IF NOT EXISTS webhooks_due ON webhooks (active, next_attempt_at);
