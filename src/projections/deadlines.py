"""case_deadlines: every field of the contract's ``Deadlines`` per case, recomputed on each
case event and whenever a calendar year is loaded. Lights are not stored: they follow from
``due_on``, ``yellow_from`` and today, so a case turns RED with no new event. What the
watcher and the API ask of this view is in ``deadlines_queries.py``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import TypeAdapter

from xuke.domain.calendar import WorkingCalendar
from xuke.domain.case import LicenseCase
from xuke.domain.deadlines import (
    CaseClock,
    LightThresholds,
    compute_deadlines,
    hearing_hold_due,
    hearing_officer_due,
    hearing_request_due,
    running_deadline,
    yellow_from,
)
from xuke.domain.model import local_date
from xuke.domain.stages import TERMINAL
from xuke.projections.base import CaseProjection
from xuke.projections.store import Transaction
from xuke.projections.writes import KeptSums, Upserts, iso, open_counts

CLOCK = TypeAdapter(CaseClock)
# The applicant's name as searched (migration 0033 indexes it): long enough for any real name,
# short enough for a B-tree entry on PostgreSQL whatever the name (a text may have 2,000).
SEARCH_NAME_CHARS = 200

COLUMNS = (
    "case_id", "case_no", "item_code", "jurisdiction_code", "status", "stage", "is_open",
    "acceptance_due", "decision_due", "committed_due", "service_due", "working_days_used",
    "working_days_suspended", "extended", "provisional", "due_on", "yellow_from", "done_on",
    "received_on", "accepted_on", "decided_on", "closed_on", "horizon", "computed_on", "clock", "correction_requested_on",
    "correction_due", "filed_on", "hearing_status", "hearing_request_by", "hearing_hold_by",
    "hearing_officer_by", "applicant_code", "applicant_name", "preliminary_org",
)  # fmt: skip


def clock_json(clock: CaseClock) -> str:
    return CLOCK.dump_json(clock).decode()


def clock_from_json(text: str) -> CaseClock:
    return CLOCK.validate_json(text)


def deadline_columns(
    clock: CaseClock, calendar: WorkingCalendar, today: dt.date, thresholds: LightThresholds
) -> dict[str, Any]:
    """The stored deadline fields of one case, as of ``today`` (the event's date)."""
    deadlines = compute_deadlines(clock, calendar, today, thresholds)
    running = running_deadline(clock, calendar, today)
    request_by = hearing_request_due(clock, calendar)  # Law 47
    hold_by = hearing_hold_due(clock, calendar)
    officer_by = hearing_officer_due(clock, calendar)
    reached = [
        today,
        running.due,
        *(
            d
            for d in (
                deadlines.decision_due,
                deadlines.committed_due,
                deadlines.service_due,
                deadlines.correction_due,
                request_by.date if request_by else None,
                hold_by.date if hold_by else None,
            )
            if d
        ),
    ]
    return {
        "horizon": iso(max(reached)),  # the last day any of these computations looked at
        "computed_on": iso(today),
        "acceptance_due": iso(deadlines.acceptance_due),
        "decision_due": iso(deadlines.decision_due),
        "committed_due": iso(deadlines.committed_due),
        "service_due": iso(deadlines.service_due),
        "correction_due": iso(deadlines.correction_due),
        "working_days_used": deadlines.working_days_used,
        "working_days_suspended": deadlines.working_days_suspended,
        "extended": int(deadlines.extended),
        "provisional": int(deadlines.provisional),
        "due_on": iso(running.due),
        "yellow_from": iso(yellow_from(running, calendar, thresholds)),
        "done_on": iso(running.done_on),
        "clock": clock_json(clock),
        "hearing_request_by": iso(request_by.date) if request_by else None,
        "hearing_hold_by": iso(hold_by.date) if hold_by else None,
        "hearing_officer_by": iso(officer_by.date) if officer_by else None,
    }


def closed_measure(row: dict[str, Any]) -> tuple[int, ...] | None:
    """What a closed (办结) case adds to compliance: one case, decided within the legal limit,
    within the committed one, and its working days."""
    if row["status"] != "CLOSED" or not row["closed_on"]:
        return None
    decided, committed = row["decided_on"], row["committed_due"]
    on_time = int(
        decided is not None and row["decision_due"] is not None and decided <= row["decision_due"]
    )
    early = int(decided is not None and committed is not None and decided <= committed)
    return 1, on_time, early, int(row["working_days_used"])


class DeadlinesProjection(CaseProjection):
    name = "deadlines"
    tables = ("case_deadlines", "open_case_counts", "closed_case_stats")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = Upserts(self.table("case_deadlines"), COLUMNS, ("case_id",))
        dims = ("jurisdiction_code", "item_code", "due_on")  # compliance's overdue cases
        self.open_counts = open_counts(self.table("open_case_counts"), self.rows, dims)
        self.closed_stats = KeptSums(
            self.table("closed_case_stats"), self.rows,
            ("jurisdiction_code", "item_code", "closed_on"),
            ("closed", "on_time", "early", "working_days"), closed_measure,
            ("status", "closed_on", "decided_on", "decision_due", "committed_due", "working_days_used"),
        )  # fmt: skip

    def on_case_settled(self, case: LicenseCase, last_event_on: dt.date) -> None:
        clock = case.clock()
        self.rows.put(
            {
                "case_id": str(case.id),
                "case_no": case.case_no,
                "item_code": case.item_code,
                "jurisdiction_code": case.jurisdiction_code,
                "status": case.status.value,
                "stage": case.stage.value,
                "is_open": int(case.status not in TERMINAL),
                "received_on": iso(clock.received_on),
                "accepted_on": iso(clock.accepted_on),
                "decided_on": iso(clock.decided_on),
                "closed_on": iso(case.closed_on),
                "filed_on": iso(local_date(case.created_on)),
                "correction_requested_on": iso(case.correction.requested_on)
                if case.correction
                else None,
                "hearing_status": case.hearing.status.value if case.hearing else None,
                "applicant_code": case.applicant.identity,  # myApplications, searchCases
                "applicant_name": case.applicant.name[:SEARCH_NAME_CHARS],
                "preliminary_org": case.preliminary_org,  # Law 43: searchCases finds it there
                **deadline_columns(clock, self.calendar, last_event_on, self.context.thresholds),
            }
        )

    def on_calendar_changed(self, tx: Transaction, today: dt.date, year: int) -> None:
        """Loading a year recomputes every case whose deadlines reach into it — among them
        every open case whose deadline was provisional — as of the same day as before."""
        calendar = self.calendar
        rows = tx.fetchall(
            f"SELECT * FROM {self.rows.table} WHERE horizon >= %s AND received_on <= %s",
            [f"{year}-01-01", f"{year}-12-31"],
        )
        for row in (r for r in rows if self.owns(r["case_id"])):
            clock, as_of = clock_from_json(row["clock"]), dt.date.fromisoformat(row["computed_on"])
            self.rows.put(
                {**row, **deadline_columns(clock, calendar, as_of, self.context.thresholds)}
            )

    def flush(self, tx: Transaction) -> None:
        self.open_counts.flush(tx)
        self.closed_stats.flush(tx)
        self.rows.flush(tx)
