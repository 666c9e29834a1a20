-- case_deadlines: the correction period's end (SAMR 15(4): the watcher records the deemed
-- abandonment) and the day a case was entered, which a backdated hall entry makes later than
-- its receipt (a late entry past its own acceptance window is carded).
ALTER TABLE case_deadlines ADD COLUMN correction_due TEXT;
ALTER TABLE case_deadlines ADD COLUMN filed_on TEXT;
CREATE INDEX IF NOT EXISTS case_deadlines_correction_due ON case_deadlines (status, correction_due);
