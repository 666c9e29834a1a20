-- case_deadlines: the lower authority that reviews a case first (Law 43), so that its staff
-- find the case in searchCases as they may read it (authorization.can_view). Rows written
-- before this column existed stay empty until `xuke projections rebuild deadlines`.
ALTER TABLE case_deadlines ADD COLUMN preliminary_org TEXT;
-- searchCases' second branch (projections/case_search.py): the cases a jurisdiction reviews
-- first though another decides them, walked in either sort order. Partial: only the cases of
-- Law 43 items are in them, and like the 0033 indexes they carry every filtered column.
CREATE INDEX IF NOT EXISTS case_deadlines_preliminary_due ON case_deadlines
    (due_on, case_no, preliminary_org, jurisdiction_code, status, stage, item_code, received_on,
     done_on, yellow_from, applicant_code, applicant_name) WHERE preliminary_org IS NOT NULL;
CREATE INDEX IF NOT EXISTS case_deadlines_preliminary_received ON case_deadlines
    (received_on, case_no, preliminary_org, jurisdiction_code, status, stage, item_code, due_on,
     done_on, yellow_from, applicant_code, applicant_name) WHERE preliminary_org IS NOT NULL;
-- A caller whose jurisdiction reviews no such case (most cities) seeks here and finds none at
-- once, instead of walking the whole of the partial index above (the planner chooses).
-- It holds the scope's other column too, so the branch's capped count is an index-only scan.
CREATE INDEX IF NOT EXISTS case_deadlines_preliminary_org ON case_deadlines
    (preliminary_org, jurisdiction_code) WHERE preliminary_org IS NOT NULL;
