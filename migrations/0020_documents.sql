-- Legal documents (issue 14): every document a case or licence has issued, by its number
-- (文号) — what verification (`verifyDocument`, /verify/{number}) and the download route
-- look up. The holder's name is masked for persons as the register masks it; the PDF's
-- bytes are in the blob store under `sha256`. A case's certificate also names its
-- certificate_no (whose licence's status a verification shows).
CREATE TABLE IF NOT EXISTS documents (
    number TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    case_no TEXT,
    certificate_no TEXT,
    holder_name TEXT NOT NULL,
    trigger_version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_case ON documents (case_no);
CREATE INDEX IF NOT EXISTS documents_certificate ON documents (certificate_no);
-- The licences the view has seen (from their events): a licence's document names its
-- licence by id only.
CREATE TABLE IF NOT EXISTS document_licences (
    licence_id TEXT PRIMARY KEY,
    certificate_no TEXT NOT NULL,
    holder_name TEXT NOT NULL
);
