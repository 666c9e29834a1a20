"""inbox: one task per (case, stage visit). 新建 NEW — tasks of cases the user filed, not yet
sent on; 待办 TODO — open tasks assigned to the user or waiting for a group they belong to;
已办 DONE — tasks the user completed (sent on to the next stage)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

from xuke.domain.case import LicenseCase
from xuke.domain.case_records import Task
from xuke.domain.deadlines import running_deadline, yellow_from
from xuke.projections.base import Before, CaseProjection
from xuke.projections.deadlines import clock_from_json, clock_json
from xuke.projections.paging import (
    Page,
    check_first,
    decode_cursor,
    encode_cursor,
    jurisdiction_prefix,
    keyset,
    keyset_params,
)
from xuke.projections.store import Row, Transaction, ViewStore
from xuke.projections.writes import Upserts, add_to_counters, iso, open_counts

COLUMNS = (
    "task_id", "case_id", "case_no", "item_name", "applicant_name", "jurisdiction_code", "stage",
    "candidate_group", "assignee", "created_by", "arrived_at", "completed_at", "completed_by",
    "due_on", "period_days", "clock", "computed_on", "is_open", "yellow_from",
)  # fmt: skip


def task_row(case: LicenseCase, task: Task) -> dict[str, Any]:
    return {
        "task_id": case.task_id(task),
        "case_id": str(case.id),
        "case_no": case.case_no,
        "item_name": case.item_name,
        "applicant_name": case.applicant.name,
        "jurisdiction_code": case.jurisdiction_code,
        "stage": task.stage.value,
        "candidate_group": task.candidate_group,
        "assignee": task.assignee,
        "created_by": case.filed_by.id if task.no == 1 else None,
        "arrived_at": iso(task.arrived_at),
        "completed_at": None,
        "completed_by": None,
        "due_on": None,
        "period_days": None,
        "clock": None,
        "computed_on": None,
        "is_open": 1,
        "yellow_from": None,
    }


class InboxProjection(CaseProjection):
    name = "inbox"
    tables = ("inbox_tasks", "inbox_counts", "open_task_counts")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = Upserts(self.table("inbox_tasks"), COLUMNS, ("task_id",))
        dims = ("jurisdiction_code", "due_on", "yellow_from")  # overdue and warnings today
        self.open_counts = open_counts(self.table("open_task_counts"), self.rows, dims)
        self.counts: Counter[tuple[str, str]] = Counter()

    def on_case_event(
        self, tx: Transaction, event: LicenseCase.Event, before: Before | None, after: LicenseCase
    ) -> None:
        old, new = (before.task if before else None), after.task
        if old is not None and (new is None or new.no != old.no):  # sent on: 已办 for the sender
            done = task_row(after, old)
            done.update(completed_at=iso(event.timestamp), completed_by=event.actor.id, is_open=0)
            self.rows.put(done)
            self._count(old, after, -1)
            self.counts[(user_owner(event.actor.id), "DONE")] += 1
        if new is not None:
            self.rows.put(task_row(after, new))
            if old is None or new.no != old.no:
                self._count(new, after, +1)
            elif new.assignee != old.assignee:  # claimed: from the group's TODO to the user's
                self._count(old, after, -1)
                self._count(new, after, +1)

    def _count(self, task: Task, case: LicenseCase, delta: int) -> None:
        """An open task counts in its holder's TODO (the assignee, else the group), and the
        first task of a case in its filer's NEW."""
        holder = (
            user_owner(task.assignee) if task.assignee else group_owner(task.candidate_group or "")
        )
        self.counts[(holder, "TODO")] += delta
        if task.no == 1:
            self.counts[(user_owner(case.filed_by.id), "NEW")] += delta

    def on_case_settled(self, case: LicenseCase, last_event_on: dt.date) -> None:
        """The open task's due date follows the case's running deadline."""
        row = self.rows.get(case.task_id()) if case.task else None
        if row is None:
            return
        clock = case.clock()
        running = running_deadline(clock, self.calendar, last_event_on)
        row.update(due_on=iso(running.due), period_days=running.total_days)
        row.update(yellow_from=iso(yellow_from(running, self.calendar, self.context.thresholds)))
        row.update(clock=clock_json(clock), computed_on=iso(last_event_on))

    def on_calendar_changed(self, tx: Transaction, today: dt.date, year: int) -> None:
        calendar = self.calendar
        rows = tx.fetchall(
            f"SELECT * FROM {self.rows.table} WHERE is_open = 1 AND due_on >= %s", [f"{year}-01-01"]
        )
        for row in (r for r in rows if self.owns(r["case_id"])):
            as_of = dt.date.fromisoformat(row["computed_on"])
            running = running_deadline(clock_from_json(row["clock"]), calendar, as_of)
            yellow = iso(yellow_from(running, calendar, self.context.thresholds))
            self.rows.put(
                {
                    **row,
                    "due_on": iso(running.due),
                    "period_days": running.total_days,
                    "yellow_from": yellow,
                }
            )

    def flush(self, tx: Transaction) -> None:
        self.open_counts.flush(tx)
        self.rows.flush(tx)
        deltas = {key: (n,) for key, n in self.counts.items()}
        add_to_counters(tx, self.table("inbox_counts"), ("owner", "box"), ("n",), deltas)
        self.counts.clear()


def user_owner(user_id: str) -> str:
    return f"user:{user_id}"


def group_owner(group: str) -> str:
    return f"group:{group}"


def open_tasks_arrived_before(views: ViewStore, day: dt.date) -> list[Row]:
    """Tasks still open that arrived before ``day`` (the watcher's held-stage check)."""
    return views.fetchall(
        "SELECT task_id, case_no, stage, arrived_at FROM inbox_tasks WHERE is_open = 1 AND arrived_at < %s",
        [day.isoformat()],
    )


# ---------------------------------------------------------------- what the API asks of this view


class InboxBox(StrEnum):
    NEW = "NEW"  # 新建
    TODO = "TODO"  # 待办
    DONE = "DONE"  # 已办


OPEN_ORDER: tuple[str, ...] = ("due_on", "arrived_at", "task_id")
DONE_ORDER: tuple[str, ...] = ("completed_at", "task_id")


def inbox_page(
    store: ViewStore,
    user_id: str,
    groups: Sequence[str],
    box: InboxBox,
    first: int = 20,
    after: str | None = None,
    delegators: Sequence[str] = (),
) -> Page[Row]:
    """新建 / 待办 / 已办 of one user. NEW and TODO are ordered by due date then arrival;
    DONE by completion, newest first. TODO also holds the tasks claimed by ``delegators``,
    the users whose work this one does today (委托代办)."""
    first = check_first(first)
    order, descending, filters = _box_query(user_id, groups, box, delegators)
    cursor = decode_cursor(after, len(order))
    direction = " DESC" if descending else ""
    sort = ", ".join(c + direction for c in order)
    rows: list[Row] = []
    for where, params in filters:  # one index-ordered query per branch, merged below
        after_cursor = f" AND {keyset(order, descending)}" if cursor else ""
        rows += store.fetchall(
            f"SELECT * FROM inbox_tasks WHERE {where}{after_cursor} ORDER BY {sort} LIMIT %s",
            [*params, *(keyset_params(cursor) if cursor else []), first + 1],
        )
    total = inbox_total(store, user_id, groups, box, delegators)
    rows.sort(key=lambda r: tuple(r[c] or "" for c in order), reverse=descending)
    page = rows[:first]
    return Page(
        page, [encode_cursor([r[c] for c in order]) for r in page], len(rows) > first, total
    )


Filters = list[tuple[str, list[Any]]]


def _box_query(
    user_id: str, groups: Sequence[str], box: InboxBox, delegators: Sequence[str] = ()
) -> tuple[tuple[str, ...], bool, Filters]:
    """A box's sort order, its direction and the branches (condition, parameters) it merges."""
    if box is InboxBox.DONE:
        return DONE_ORDER, True, [("completed_by = %s", [user_id])]
    if box is InboxBox.NEW:
        return OPEN_ORDER, False, [("created_by = %s AND is_open = 1", [user_id])]
    filters: Filters = [("assignee = %s AND is_open = 1", [u]) for u in (user_id, *delegators)]
    # One query per group: an IN list cannot walk the index in due order (44 ms at
    # 1 M cases, against 0.5 ms for each group on its own); the branches merge in inbox_page.
    filters += [
        ("candidate_group = %s AND assignee IS NULL AND is_open = 1", [group]) for group in groups
    ]
    return OPEN_ORDER, False, filters


def inbox_total(
    store: ViewStore,
    user_id: str,
    groups: Sequence[str],
    box: InboxBox,
    delegators: Sequence[str] = (),
) -> int:
    """From the counts the inbox projection keeps: a lookup, whatever the size of the box."""
    owners = [f"user:{user_id}"]
    if box is InboxBox.TODO:
        owners += [f"user:{d}" for d in delegators] + [f"group:{g}" for g in groups]
    marks = ", ".join(["%s"] * len(owners))
    row = store.fetchone(
        f"SELECT SUM(n) AS n FROM inbox_counts WHERE box = %s AND owner IN ({marks})",
        [box.value, *owners],
    )
    return int(row["n"] or 0) if row else 0


def _open_tasks_page(
    store: ViewStore,
    where: str,
    params: list[Any],
    first: int,
    after: str | None,
    total: Callable[[], int] | None = None,
) -> Page[Row]:
    first = check_first(first)
    cursor = decode_cursor(after, len(OPEN_ORDER))
    after_cursor = f" AND {keyset(OPEN_ORDER, False)}" if cursor else ""
    rows = store.fetchall(
        f"SELECT * FROM inbox_tasks WHERE {where}{after_cursor} ORDER BY {', '.join(OPEN_ORDER)} LIMIT %s",
        [*params, *(keyset_params(cursor) if cursor else []), first + 1],
    )
    page = rows[:first]
    cursors = [encode_cursor([r[c] for c in OPEN_ORDER]) for r in page]
    count = total() if total else store.count("inbox_tasks", where, params)
    return Page(page, cursors, len(rows) > first, count)


def _open_task_total(store: ViewStore, where: str, params: list[Any]) -> int:
    """Open tasks counted from the counts the inbox projection keeps per due date."""
    row = store.fetchone(
        f"SELECT COALESCE(SUM(n), 0) AS n FROM open_task_counts WHERE {where}", params
    )
    return int(row["n"]) if row else 0


def overdue_page(
    store: ViewStore, jurisdiction: str, today: dt.date, first: int = 20, after: str | None = None
) -> Page[Row]:
    """监察: open tasks whose deadline has passed (RED), the longest overdue first."""
    where = "due_on < %s AND jurisdiction_code LIKE %s"
    params = [today.isoformat(), jurisdiction_prefix(jurisdiction) + "%"]
    return _open_tasks_page(
        store, f"is_open = 1 AND {where}", params, first, after,
        lambda: _open_task_total(store, where, params),
    )  # fmt: skip


def warnings_page(
    store: ViewStore, jurisdiction: str, today: dt.date, first: int = 20, after: str | None = None
) -> Page[Row]:
    """预警: open tasks that are YELLOW today (not yet overdue)."""
    where = "yellow_from <= %s AND due_on >= %s AND jurisdiction_code LIKE %s"
    day = today.isoformat()
    params = [day, day, jurisdiction_prefix(jurisdiction) + "%"]
    return _open_tasks_page(
        store, f"is_open = 1 AND {where}", params, first, after,
        lambda: _open_task_total(store, f"yellow_from <> '' AND {where}", params),
    )  # fmt: skip
