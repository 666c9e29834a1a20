-- supervision: cards (黄牌/红牌), 督办 orders and complaints (投诉), for the supervisors' views
-- and the compliance counts.
CREATE TABLE IF NOT EXISTS supervision_cards (
    card_id TEXT PRIMARY KEY,
    case_no TEXT NOT NULL,
    item_code TEXT NOT NULL,
    colour TEXT NOT NULL,
    cause TEXT NOT NULL,
    responsible_unit TEXT NOT NULL,
    detail TEXT NOT NULL,
    due_on TEXT,
    issued_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS supervision_cards_unit ON supervision_cards (responsible_unit, issued_at);
CREATE TABLE IF NOT EXISTS supervision_orders (
    order_id TEXT PRIMARY KEY,
    case_no TEXT NOT NULL,
    unit TEXT NOT NULL,
    instruction TEXT NOT NULL,
    respond_by TEXT NOT NULL,
    status TEXT NOT NULL,
    report TEXT,
    escalated_to TEXT,
    issued_by TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    answered_at TEXT
);
CREATE INDEX IF NOT EXISTS supervision_orders_due ON supervision_orders (status, respond_by);
CREATE INDEX IF NOT EXISTS supervision_orders_unit ON supervision_orders (unit, issued_at);
CREATE TABLE IF NOT EXISTS complaints (
    complaint_id TEXT PRIMARY KEY,
    case_no TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    channel TEXT NOT NULL,
    text TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    take_up_due TEXT NOT NULL,
    status TEXT NOT NULL,
    taken_up_by TEXT,
    taken_up_late INTEGER,
    reply TEXT,
    answered_at TEXT
);
CREATE INDEX IF NOT EXISTS complaints_jurisdiction ON complaints (jurisdiction_code, status, filed_at);
CREATE INDEX IF NOT EXISTS complaints_case ON complaints (case_no, filed_at);
