-- inbox: one task per (case, stage visit); NEW / TODO / DONE per user (新建 / 待办 / 已办).
-- Dates and times are ISO-8601 text (times in UTC), so one DDL serves SQLite and PostgreSQL
-- and text order is time order.
CREATE TABLE IF NOT EXISTS inbox_tasks (
    task_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    case_no TEXT NOT NULL,
    item_name TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    stage TEXT NOT NULL,
    candidate_group TEXT,
    assignee TEXT,
    created_by TEXT,
    arrived_at TEXT NOT NULL,
    completed_at TEXT,
    completed_by TEXT,
    due_on TEXT,
    period_days INTEGER,
    clock TEXT,
    computed_on TEXT,  -- the date the stored values were computed as of (the last event's)
    is_open INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS inbox_tasks_todo_group ON inbox_tasks (candidate_group, is_open, due_on, arrived_at, task_id);
CREATE INDEX IF NOT EXISTS inbox_tasks_todo_assignee ON inbox_tasks (assignee, is_open, due_on, arrived_at, task_id);
CREATE INDEX IF NOT EXISTS inbox_tasks_new ON inbox_tasks (created_by, is_open, due_on, arrived_at, task_id);
CREATE INDEX IF NOT EXISTS inbox_tasks_done ON inbox_tasks (completed_by, completed_at, task_id);
CREATE INDEX IF NOT EXISTS inbox_tasks_case ON inbox_tasks (case_id);
CREATE INDEX IF NOT EXISTS inbox_tasks_open_due ON inbox_tasks (is_open, due_on);
