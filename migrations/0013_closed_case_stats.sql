-- Compliance (按时办结率): cases closed per jurisdiction, item and closing day, with how many
-- were decided within the legal and the committed limit and their working days, kept by the
-- deadlines projection so a month's compliance adds up a few hundred rows. Filled here from
-- the deadlines view as it stands, so an existing database needs no rebuild.
CREATE TABLE IF NOT EXISTS closed_case_stats (
    jurisdiction_code TEXT NOT NULL,
    item_code TEXT NOT NULL,
    closed_on TEXT NOT NULL,
    closed BIGINT NOT NULL,
    on_time BIGINT NOT NULL,
    early BIGINT NOT NULL,
    working_days BIGINT NOT NULL,
    PRIMARY KEY (jurisdiction_code, item_code, closed_on)
);
INSERT INTO closed_case_stats (jurisdiction_code, item_code, closed_on, closed, on_time, early, working_days)
    SELECT jurisdiction_code, item_code, closed_on, COUNT(*),
           SUM(CASE WHEN decided_on <= decision_due THEN 1 ELSE 0 END),
           SUM(CASE WHEN committed_due IS NOT NULL AND decided_on <= committed_due THEN 1 ELSE 0 END),
           SUM(working_days_used)
    FROM case_deadlines WHERE status = 'CLOSED' AND closed_on IS NOT NULL
    GROUP BY jurisdiction_code, item_code, closed_on;
