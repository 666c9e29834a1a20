-- inbox: the day each open task turns YELLOW, so the supervisors' warning list is an index
-- scan rather than a computation over every open task.
ALTER TABLE inbox_tasks ADD COLUMN yellow_from TEXT;
CREATE INDEX IF NOT EXISTS inbox_tasks_open_yellow ON inbox_tasks (is_open, yellow_from, due_on);
