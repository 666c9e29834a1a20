-- The national views over inbound exchange events (docs/exchange-federation.md), written in
-- the same transaction as the events: the register of every followed province's licences,
-- and each case's deadline facts for supervision by province. Keyed by the natural numbers
-- (certificate and case numbers carry their authority's code), so a province received by two
-- routes (followed and ferried) is still counted once.
CREATE TABLE IF NOT EXISTS national_register (
    certificate_no TEXT PRIMARY KEY,
    item_code TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    status TEXT NOT NULL,                  -- VALID | EXPIRED | REVOKED | WITHDRAWN | CANCELLED
    issued_on TEXT,
    valid_until TEXT,
    province TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    case_no TEXT,
    source TEXT NOT NULL,
    updated_position BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS national_register_province
    ON national_register (province, certificate_no);
CREATE TABLE IF NOT EXISTS national_cases (
    case_no TEXT PRIMARY KEY,
    province TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    item_code TEXT,
    received_on TEXT,
    accepted_on TEXT,
    decision_due TEXT,
    decided_on TEXT,
    decision TEXT,                         -- GRANT | DENY
    on_time INTEGER,                       -- 1 / 0 once decided
    not_accepted_on TEXT,
    closed_on TEXT,
    closed_reason TEXT,
    source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS national_cases_province ON national_cases (province, case_no);
