-- Limits on lookups by secret and on anonymous writes (issue 17, DESIGN §15): one counter per
-- (scope, client, time slot), shared by every entry point and every API process. Slots are
-- fixed windows (`slot` = seconds since the epoch // window); rows of past slots are swept.
CREATE TABLE IF NOT EXISTS rate_limit_hits (
    scope TEXT NOT NULL,
    client TEXT NOT NULL,
    slot BIGINT NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (scope, client, slot)
);
CREATE INDEX IF NOT EXISTS rate_limit_hits_slot ON rate_limit_hits (slot);
