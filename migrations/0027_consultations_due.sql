-- Online consultation (issue 16 review): an answer date is counted in working days from the
-- day asked, so loading a calendar year moves it (`answer_days`, kept to count again), and
-- on an estimated year it is provisional (`due_provisional`): the watcher raises no late
-- card on it until even the latest plausible date has passed (docs/consultation.md).
ALTER TABLE consultations ADD COLUMN answer_days INTEGER;
ALTER TABLE consultations ADD COLUMN due_provisional INTEGER NOT NULL DEFAULT 0;
