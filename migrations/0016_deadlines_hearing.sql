-- case_deadlines: the case's latest hearing (Law 46-48) — its status, the applicant's window
-- to ask for it (Law 47: 5 working days) and the day it must be held by (20 working days of
-- the request). The watcher records a lapsed request window and cards a hearing held late.
ALTER TABLE case_deadlines ADD COLUMN hearing_status TEXT;
ALTER TABLE case_deadlines ADD COLUMN hearing_request_by TEXT;
ALTER TABLE case_deadlines ADD COLUMN hearing_hold_by TEXT;
CREATE INDEX IF NOT EXISTS case_deadlines_hearing ON case_deadlines (hearing_status, is_open);
