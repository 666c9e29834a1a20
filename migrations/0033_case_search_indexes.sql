-- Indexes for myApplications and searchCases (projections/case_search.py). A search walks
-- one of the two sort indexes (due date or received date, then case number) and stops after
-- a page. They also carry every column a filter looks at, so the filters are checked in the
-- index and the capped count is an index-only scan: the table itself is read only for the
-- page's own rows. An applicant's own cases seek on the third.
CREATE INDEX IF NOT EXISTS case_deadlines_search_due ON case_deadlines
    (due_on, case_no, jurisdiction_code, status, stage, item_code, received_on, done_on,
     yellow_from, applicant_code, applicant_name);
CREATE INDEX IF NOT EXISTS case_deadlines_search_received ON case_deadlines
    (received_on, case_no, jurisdiction_code, status, stage, item_code, due_on, done_on,
     yellow_from, applicant_code, applicant_name);
CREATE INDEX IF NOT EXISTS case_deadlines_applicant ON case_deadlines (applicant_code, received_on, case_no);
