-- licence_register: granted licences, public under Art. 40 (公示).
CREATE TABLE IF NOT EXISTS licence_register (
    certificate_no TEXT PRIMARY KEY,
    item_code TEXT NOT NULL,
    item_name TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    holder_credit_code TEXT,
    jurisdiction_code TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    case_no TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS licence_register_item ON licence_register (item_code, certificate_no);
CREATE INDEX IF NOT EXISTS licence_register_holder ON licence_register (holder_name, certificate_no);
