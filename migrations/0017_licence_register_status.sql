-- licence_register follows the licence (Law 40, SAMR 75: every status change is published):
-- its status and the day it last changed, and what the deadline watcher asks of a licence —
-- a renewal pending (Law 50: deemed granted the day after validTo), the last day to file one
-- (reminders 60 and 30 days before), open 撤销 / 撤回 proceedings and their decide-by (SAMR 45).
-- Built from the Licence events; a register built before them has every row VALID and the
-- rest empty until `xuke projections rebuild licence_register`.
ALTER TABLE licence_register ADD COLUMN licence_id TEXT;
ALTER TABLE licence_register ADD COLUMN status TEXT NOT NULL DEFAULT 'VALID';
ALTER TABLE licence_register ADD COLUMN status_changed_on TEXT;
ALTER TABLE licence_register ADD COLUMN term_case_no TEXT;
ALTER TABLE licence_register ADD COLUMN pending_renewal_case TEXT;
ALTER TABLE licence_register ADD COLUMN renewal_months_before INTEGER;
ALTER TABLE licence_register ADD COLUMN renewal_working_days_before INTEGER;
ALTER TABLE licence_register ADD COLUMN renewal_apply_by TEXT;
ALTER TABLE licence_register ADD COLUMN proceedings_open INTEGER NOT NULL DEFAULT 0;
ALTER TABLE licence_register ADD COLUMN proceedings_decide_by TEXT;
CREATE INDEX IF NOT EXISTS licence_register_licence ON licence_register (licence_id);
CREATE INDEX IF NOT EXISTS licence_register_status ON licence_register (status, certificate_no);
CREATE INDEX IF NOT EXISTS licence_register_term ON licence_register (status, valid_to);
CREATE INDEX IF NOT EXISTS licence_register_apply_by ON licence_register (status, renewal_apply_by);
CREATE INDEX IF NOT EXISTS licence_register_proceedings
    ON licence_register (proceedings_open, proceedings_decide_by);
-- The register page filtered by status: its total from licences kept per item and status.
CREATE TABLE IF NOT EXISTS licence_register_status_counts (
    item_code TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (item_code, status)
);
INSERT INTO licence_register_status_counts (item_code, status, n)
    SELECT item_code, status, COUNT(*) FROM licence_register GROUP BY item_code, status;
