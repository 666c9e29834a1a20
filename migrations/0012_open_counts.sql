-- Open tasks and open cases counted per jurisdiction and due date, kept by the inbox and
-- deadlines projections: "overdue today", "warnings today" and compliance's overdue cases sum
-- a few hundred of these rows instead of counting a million view rows. Filled here from the
-- views as they stand, so an existing database needs no rebuild.
CREATE TABLE IF NOT EXISTS open_task_counts (
    jurisdiction_code TEXT NOT NULL,
    due_on TEXT NOT NULL,
    yellow_from TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (jurisdiction_code, due_on, yellow_from)
);
INSERT INTO open_task_counts (jurisdiction_code, due_on, yellow_from, n)
    SELECT jurisdiction_code, due_on, COALESCE(yellow_from, ''), COUNT(*) FROM inbox_tasks
    WHERE is_open = 1 AND due_on IS NOT NULL
    GROUP BY jurisdiction_code, due_on, COALESCE(yellow_from, '');
CREATE TABLE IF NOT EXISTS open_case_counts (
    jurisdiction_code TEXT NOT NULL,
    item_code TEXT NOT NULL,
    due_on TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (jurisdiction_code, item_code, due_on)
);
INSERT INTO open_case_counts (jurisdiction_code, item_code, due_on, n)
    SELECT jurisdiction_code, item_code, due_on, COUNT(*) FROM case_deadlines
    WHERE is_open = 1 GROUP BY jurisdiction_code, item_code, due_on;
-- compliance: cases closed in a period
CREATE INDEX IF NOT EXISTS case_deadlines_closed ON case_deadlines (status, closed_on);
