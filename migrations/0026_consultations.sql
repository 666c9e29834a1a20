-- Online consultation (网上咨询, issue 16): every question on the board and its answer. The
-- asker's contact is here for the authority's staff; public reads never select it. `late`:
-- answered after `answer_due` (a CONSULTATION_LATE card follows, see docs/consultation.md).
CREATE TABLE IF NOT EXISTS consultations (
    consultation_id TEXT PRIMARY KEY,
    item_code TEXT,
    question TEXT NOT NULL,
    contact TEXT NOT NULL,
    channel TEXT NOT NULL,
    authority TEXT NOT NULL,
    asked_at TEXT NOT NULL,
    answer_due TEXT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT,
    answered_at TEXT,
    answered_by_org TEXT,
    published INTEGER NOT NULL,
    late INTEGER NOT NULL
);
-- The staff's board (their authority's, by status, newest first) and the public Q&A of an item.
CREATE INDEX IF NOT EXISTS consultations_authority ON consultations (authority, status, asked_at);
CREATE INDEX IF NOT EXISTS consultations_public ON consultations (item_code, published, asked_at);
-- The watcher: open questions past their answer date.
CREATE INDEX IF NOT EXISTS consultations_due ON consultations (status, answer_due);
