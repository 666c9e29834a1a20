-- Every FORBIDDEN attempt, recorded for supervision (docs/roles.md): who, as what, tried what, on
-- which case, and why it was refused.
CREATE TABLE IF NOT EXISTS denied_access (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    user_id TEXT NOT NULL,
    roles TEXT NOT NULL,
    org_code TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    action TEXT NOT NULL,
    case_no TEXT,
    case_jurisdiction TEXT,
    reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS denied_access_at ON denied_access (at);
CREATE INDEX IF NOT EXISTS denied_access_case_jurisdiction ON denied_access (case_jurisdiction, at);
