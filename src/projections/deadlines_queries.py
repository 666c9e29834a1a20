"""What is asked of the case_deadlines view and the sums it keeps: the deadline watcher's
questions, the compliance figures, and the lights, evaluated against today from the stored
due dates (a light is never stored, so a case turns RED with no new event). Apart from the
projection (``deadlines.py``) so that neither outgrows a room."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from xuke.domain.calendar import WorkingCalendar
from xuke.domain.deadlines import Light, LightThresholds, RunningDeadline, light_of
from xuke.projections.paging import jurisdiction_prefix
from xuke.projections.store import Row, ViewStore


@dataclass(frozen=True)
class Lights:
    """Evaluates stored deadlines against today."""

    calendar: Callable[[], WorkingCalendar]
    thresholds: LightThresholds

    def of(
        self,
        due_on: str | None,
        period_days: int | None,
        today: dt.date,
        done_on: str | None = None,
    ) -> Light:
        if due_on is None:
            return Light.GREEN
        running = RunningDeadline(
            period_days or 0,
            dt.date.fromisoformat(due_on),
            dt.date.fromisoformat(done_on) if done_on else None,
        )
        return light_of(running, today, self.calendar(), self.thresholds)


def case_deadlines(store: ViewStore, case_no: str) -> Row | None:
    return store.fetchone("SELECT * FROM case_deadlines WHERE case_no = %s", [case_no])


# ---------------------------------------------------------------- compliance (the API)

GROUP_COLUMNS = {
    "DEPARTMENT": "jurisdiction_code",
    "ITEM": "item_code",
    "MONTH": "SUBSTR({day}, 1, 7)",
}
"""What a compliance row is keyed by; a month is that of the table's own day column."""


def _group_key(group_by: str, day: str) -> str:
    return GROUP_COLUMNS[group_by].format(day=day)


def compliance(
    store: ViewStore, jurisdiction: str, start: dt.date, end: dt.date, group_by: str, today: dt.date
) -> list[Row]:
    """按时办结率 and friends, from the deadlines view: cases closed (served, 办结) between
    ``start`` and ``end``, and cases open and overdue today, per department, item or month;
    and from the licence register, the renewals granted (decided) and deemed granted by law
    in the period (Law 50: the authority did not decide before validTo)."""
    prefix = jurisdiction_prefix(jurisdiction) + "%"
    period = [start.isoformat(), end.isoformat(), prefix]
    key = _group_key(group_by, "closed_on")
    closed = store.fetchall(  # from the sums the deadlines projection keeps per closing day
        f"SELECT {key} AS key, SUM(closed) AS closed, SUM(on_time) AS closed_on_time, "
        "SUM(early) AS closed_early, SUM(working_days) * 1.0 / SUM(closed) AS average_working_days "
        "FROM closed_case_stats WHERE closed_on >= %s AND closed_on <= %s "
        f"AND jurisdiction_code LIKE %s GROUP BY {key}",
        period,
    )
    overdue_key = _group_key(group_by, "due_on")
    overdue = store.fetchall(  # from the counts the deadlines projection keeps per due date
        f"SELECT {overdue_key} AS key, SUM(n) AS overdue_open FROM open_case_counts "
        f"WHERE due_on < %s AND jurisdiction_code LIKE %s GROUP BY {overdue_key}",
        [today.isoformat(), prefix],
    )
    renewal_key = _group_key(group_by, "renewed_on")
    renewals = store.fetchall(  # from the sums the register projection keeps per renewal day
        f"SELECT {renewal_key} AS key, SUM(granted) AS renewals_granted, "
        "SUM(deemed) AS renewals_deemed FROM licence_register_renewals "
        "WHERE renewed_on >= %s AND renewed_on <= %s "
        f"AND jurisdiction_code LIKE %s GROUP BY {renewal_key}",
        period,
    )
    return _merge_groups(closed, overdue, renewals)


def _merge_groups(closed: list[Row], overdue: list[Row], renewals: list[Row]) -> list[Row]:
    """One row per group, in key order; a group with overdue cases or renewals but none
    closed counts 0 for the rest."""
    groups: dict[str, Row] = {}

    def group(key: str) -> Row:
        blank = {
            "key": key,
            "closed": 0,
            "closed_on_time": 0,
            "closed_early": 0,
            "average_working_days": 0,
            "overdue_open": 0,
            "renewals_granted": 0,
            "renewals_deemed": 0,
        }
        return groups.setdefault(key, blank)

    for row in closed:
        group(row["key"]).update(row)
    for row in overdue:
        group(row["key"])["overdue_open"] = row["overdue_open"]
    for row in renewals:
        group(row["key"]).update(
            renewals_granted=int(row["renewals_granted"] or 0),
            renewals_deemed=int(row["renewals_deemed"] or 0),
        )
    return [groups[k] for k in sorted(groups)]


# ---------------------------------------------------------------- what the watcher asks of this view

# A SUSPENDED case is overdue only if it already was when its deadlines were last computed
# (Law 45 revives no expired period; one not yet expired moves its due date with the clock).
_NOT_MERELY_SUSPENDED = "(status <> 'SUSPENDED' OR {due} < computed_on)"


class DeadlineQueries:
    """The case_deadlines questions of the deadline watcher, beside the view that answers them."""

    def __init__(self, views: ViewStore) -> None:
        self.views = views

    def awaiting_deemed_acceptance(self, today: dt.date) -> list[Row]:
        """Law 32: still SUBMITTED after the acceptance window (the case decides for sure)."""
        return self.views.fetchall(
            "SELECT case_no FROM case_deadlines WHERE status = 'SUBMITTED' AND acceptance_due < %s",
            [today.isoformat()],
        )

    def awaiting_abandonment(self, today: dt.date) -> list[Row]:
        """SAMR 15(4): awaiting corrections after the period the notice set."""
        return self.views.fetchall(
            "SELECT case_no FROM case_deadlines WHERE status = 'AWAITING_CORRECTION' AND correction_due < %s",
            [today.isoformat()],
        )

    def decisions_overdue(self, today: dt.date) -> list[Row]:
        return self.views.fetchall(
            "SELECT case_no, decision_due FROM case_deadlines WHERE is_open = 1 AND decided_on IS NULL "
            f"AND decision_due < %s AND {_NOT_MERELY_SUSPENDED.format(due='decision_due')}",
            [today.isoformat()],
        )

    def services_overdue(self, today: dt.date) -> list[Row]:
        """Law 44 (grants; a denial has a service_due only if its authority set one)."""
        return self.views.fetchall(
            "SELECT case_no, service_due FROM case_deadlines WHERE is_open = 1 AND decided_on IS NOT NULL "
            "AND service_due < %s",
            [today.isoformat()],
        )

    def commitments_broken(self, today: dt.date) -> list[Row]:
        return self.views.fetchall(
            "SELECT case_no, committed_due FROM case_deadlines WHERE is_open = 1 AND decided_on IS NULL "
            f"AND committed_due < %s AND {_NOT_MERELY_SUSPENDED.format(due='committed_due')}",
            [today.isoformat()],
        )

    def correction_notices_after_receipt(self) -> list[Row]:
        return self.views.fetchall(
            "SELECT case_no, received_on, correction_requested_on FROM case_deadlines "
            "WHERE correction_requested_on IS NOT NULL AND correction_requested_on > received_on"
        )

    def hearing_requests_lapsed(self, today: dt.date) -> list[Row]:
        """Law 47: told of the right to a hearing, not asked for it within the 5 days (the
        case decides for sure, on an estimated year too)."""
        return self.views.fetchall(
            "SELECT case_no FROM case_deadlines WHERE hearing_status = 'NOTIFIED' AND is_open = 1 "
            "AND hearing_request_by < %s",
            [today.isoformat()],
        )

    def hearing_officers_late(self, today: dt.date) -> list[Row]:
        """A hearing asked for (or the organ's own, Law 46) with no presiding officer named
        (not scheduled) within 3 working days."""
        return self.views.fetchall(
            "SELECT case_no, hearing_officer_by FROM case_deadlines WHERE is_open = 1 "
            "AND (hearing_status = 'REQUESTED' OR (hearing_status = 'NOTIFIED' "
            "AND hearing_request_by IS NULL)) AND hearing_officer_by < %s",
            [today.isoformat()],
        )

    def hearings_overdue(self, today: dt.date) -> list[Row]:
        """Law 47: a hearing asked for (or the organ's own, Art. 46) not held within 20 days."""
        return self.views.fetchall(
            "SELECT case_no, hearing_hold_by FROM case_deadlines WHERE is_open = 1 "
            "AND hearing_status IN ('NOTIFIED', 'REQUESTED', 'SCHEDULED') AND hearing_hold_by < %s",
            [today.isoformat()],
        )

    def entries_after_their_window(self) -> list[Row]:
        """Hall entries backdated past their own acceptance window."""
        return self.views.fetchall(
            "SELECT case_no, acceptance_due FROM case_deadlines "
            "WHERE filed_on IS NOT NULL AND filed_on > acceptance_due AND received_on < filed_on"
        )
