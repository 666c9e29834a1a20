-- case_deadlines: the applicant of each case (统一社会信用代码 or 公民身份号码, and the name),
-- so that an applicant's own cases (myApplications) and the staff case search (searchCases)
-- read one table. Rows written before these columns existed stay empty until
-- `xuke projections rebuild deadlines`.
ALTER TABLE case_deadlines ADD COLUMN applicant_code TEXT;
ALTER TABLE case_deadlines ADD COLUMN applicant_name TEXT;
