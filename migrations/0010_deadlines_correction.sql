-- case_deadlines: when the correction notice went out, so a late one can be carded.
ALTER TABLE case_deadlines ADD COLUMN correction_requested_on TEXT;
CREATE INDEX IF NOT EXISTS case_deadlines_correction ON case_deadlines (correction_requested_on);
