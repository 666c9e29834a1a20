-- case_deadlines: every field of the contract's Deadlines type per case; the light is
-- evaluated at query time from due_on, yellow_from and today.
CREATE TABLE IF NOT EXISTS case_deadlines (
    case_id TEXT PRIMARY KEY,
    case_no TEXT NOT NULL UNIQUE,
    item_code TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    is_open INTEGER NOT NULL,
    acceptance_due TEXT NOT NULL,
    decision_due TEXT,
    committed_due TEXT,
    service_due TEXT,
    working_days_used INTEGER NOT NULL,
    working_days_suspended INTEGER NOT NULL,
    extended INTEGER NOT NULL,
    provisional INTEGER NOT NULL,
    due_on TEXT NOT NULL,
    yellow_from TEXT NOT NULL,
    done_on TEXT,
    received_on TEXT NOT NULL,
    accepted_on TEXT,
    decided_on TEXT,
    closed_on TEXT,
    horizon TEXT NOT NULL,
    computed_on TEXT,  -- the date the stored values were computed as of (the last event's)
    clock TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS case_deadlines_open_due ON case_deadlines (is_open, due_on, case_no);
CREATE INDEX IF NOT EXISTS case_deadlines_open_yellow ON case_deadlines (is_open, yellow_from, case_no);
CREATE INDEX IF NOT EXISTS case_deadlines_horizon ON case_deadlines (horizon, received_on);
