-- case_deadlines: the day the hearing's presiding officer must be named by (3 working days of
-- the request; of the notice for the organ's own hearing, Law 46). Rows written before this
-- column existed stay empty until `xuke projections rebuild deadlines`.
ALTER TABLE case_deadlines ADD COLUMN hearing_officer_by TEXT;
