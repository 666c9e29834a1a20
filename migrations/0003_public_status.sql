-- public_status (办事进度): public fields only. No ID number, phone, address or opinion.
CREATE TABLE IF NOT EXISTS public_status (
    case_no TEXT PRIMARY KEY,
    query_code_hash TEXT NOT NULL,
    item_name TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    received_on TEXT NOT NULL,
    accepted_on TEXT,
    decision_due TEXT,
    decided_on TEXT,
    decision TEXT,
    steps TEXT NOT NULL,
    computed_on TEXT,  -- the date the stored values were computed as of (the last event's)
    clock TEXT NOT NULL  -- internal: to recompute decision_due when a calendar year is loaded
);
CREATE INDEX IF NOT EXISTS public_status_decision_due ON public_status (decision_due);
