"""Reading the views: inbox pages (keyset pagination), public status, the licence register,
the audit trail. Lights are evaluated here, against today, from the stored due dates."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

import orjson

from xuke.domain.calendar import WorkingCalendar
from xuke.domain.case_numbers import is_case_no
from xuke.domain.deadlines import Light, LightThresholds, RunningDeadline, light_of
from xuke.projections.deadlines import clock_from_json
from xuke.projections.store import Row, ViewStore

T = TypeVar("T")


class InboxBox(StrEnum):
    NEW = "NEW"  # 新建
    TODO = "TODO"  # 待办
    DONE = "DONE"  # 已办


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool
    total_count: int

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode()


def decode_cursor(cursor: str | None, size: int) -> list[Any] | None:
    """A cursor we did not make is refused, not half-understood."""
    if not cursor:
        return None
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        raise ValueError("invalid cursor") from None
    if not isinstance(values, list) or len(values) != size:
        raise ValueError("invalid cursor")
    return values


def _check_first(first: int) -> int:
    if not 1 <= first <= 100:
        raise ValueError("first must be between 1 and 100")
    return first


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


OPEN_ORDER: tuple[str, ...] = ("due_on", "arrived_at", "task_id")
DONE_ORDER: tuple[str, ...] = ("completed_at", "task_id")


def _keyset(columns: Sequence[str], descending: bool) -> str:
    """(a, b, c) > (%s, %s, %s), spelled out so both engines use the index."""
    op = "<" if descending else ">"
    clauses = []
    for i, column in enumerate(columns):
        equal = " AND ".join(f"{c} = %s" for c in columns[:i])
        clauses.append(f"({equal + ' AND ' if equal else ''}{column} {op} %s)")
    return "(" + " OR ".join(clauses) + ")"


def _keyset_params(values: Sequence[Any]) -> list[Any]:
    params: list[Any] = []
    for i in range(len(values)):
        params.extend(values[: i + 1])
    return params


def inbox_page(
    store: ViewStore,
    user_id: str,
    groups: Sequence[str],
    box: InboxBox,
    first: int = 20,
    after: str | None = None,
) -> Page[Row]:
    """新建 / 待办 / 已办 of one user. NEW and TODO are ordered by due date then arrival;
    DONE by completion, newest first."""
    first = _check_first(first)
    if box is InboxBox.DONE:
        order, descending, filters = DONE_ORDER, True, [("completed_by = %s", [user_id])]
    elif box is InboxBox.NEW:
        order, descending, filters = (
            OPEN_ORDER,
            False,
            [("created_by = %s AND is_open = 1", [user_id])],
        )
    else:
        order, descending = OPEN_ORDER, False
        filters = [("assignee = %s AND is_open = 1", [user_id])]
        # One query per group: an IN list cannot walk the index in due order (44 ms at
        # 1 M cases, against 0.5 ms for each group on its own); the branches merge below.
        filters += [
            ("candidate_group = %s AND assignee IS NULL AND is_open = 1", [group])
            for group in groups
        ]
    cursor = decode_cursor(after, len(order))
    direction = " DESC" if descending else ""
    sort = ", ".join(c + direction for c in order)
    rows: list[Row] = []
    for where, params in filters:  # one index-ordered query per branch, merged below
        keyset = f" AND {_keyset(order, descending)}" if cursor else ""
        rows += store.fetchall(
            f"SELECT * FROM inbox_tasks WHERE {where}{keyset} ORDER BY {sort} LIMIT %s",
            [*params, *(_keyset_params(cursor) if cursor else []), first + 1],
        )
    total = inbox_total(store, user_id, groups, box)
    rows.sort(key=lambda r: tuple(r[c] or "" for c in order), reverse=descending)
    page = rows[:first]
    return Page(
        page, [encode_cursor([r[c] for c in order]) for r in page], len(rows) > first, total
    )


def inbox_total(store: ViewStore, user_id: str, groups: Sequence[str], box: InboxBox) -> int:
    """From the counts the inbox projection keeps: a lookup, whatever the size of the box."""
    owners = [f"user:{user_id}"] + ([f"group:{g}" for g in groups] if box is InboxBox.TODO else [])
    marks = ", ".join(["%s"] * len(owners))
    row = store.fetchone(
        f"SELECT SUM(n) AS n FROM inbox_counts WHERE box = %s AND owner IN ({marks})",
        [box.value, *owners],
    )
    return int(row["n"] or 0) if row else 0


def public_status(store: ViewStore, case_no: str, query_code_hash: str) -> Row | None:
    """办事进度: the same answer (None) for an unknown case and a wrong code; the hashes are
    compared in constant time."""
    row = (  # a malformed number names no case (and may hold what PostgreSQL refuses)
        store.fetchone("SELECT * FROM public_status WHERE case_no = %s", [case_no])
        if is_case_no(case_no)
        else None
    )
    stored = row["query_code_hash"] if row else "0" * 64
    if not hmac.compare_digest(stored, query_code_hash) or row is None:
        return None
    row = dict(row)
    row["steps"] = orjson.loads(row["steps"])
    row["clock"] = clock_from_json(row["clock"])  # explains the deadlines; never shown as is
    for internal in ("query_code_hash", "computed_on"):
        row.pop(internal, None)
    return row


def licence_register_page(
    store: ViewStore,
    search: str | None = None,
    item_code: str | None = None,
    first: int = 20,
    after: str | None = None,
) -> Page[Row]:
    """公示: granted licences, by holder name (substring) and item."""
    where, params = ["1 = 1"], []
    if search:
        where.append("(holder_name LIKE %s OR certificate_no = %s OR holder_credit_code = %s)")
        params += [f"%{search.strip()}%", search.strip(), search.strip()]
    if item_code:
        where.append("item_code = %s")
        params.append(item_code)
    kept = None if search else functools.partial(licences_granted, item_code=item_code)
    return _page_by_key(
        store, "licence_register", "certificate_no", " AND ".join(where), params, first, after,
        total=kept,
    )  # fmt: skip


def licences_granted(store: ViewStore, item_code: str | None = None) -> int:
    """From the counts the register projection keeps (a search still counts its matches)."""
    where, params = ("item_code = %s", [item_code]) if item_code else ("1 = 1", [])
    row = store.fetchone(f"SELECT SUM(n) AS n FROM licence_register_counts WHERE {where}", params)
    return int(row["n"] or 0) if row else 0


def audit_trail_page(
    store: ViewStore, case_no: str | None = None, first: int = 50, after: str | None = None
) -> Page[Row]:
    if case_no:
        return _page_by_key(
            store, "audit_trail", "position", "case_no = %s", [case_no], first, after
        )
    return _page_by_key(
        store, "audit_trail", "position", "1 = 1", [], first, after, total=audit_trail_length
    )


def audit_trail_length(store: ViewStore) -> int:
    """The chain's positions run 1, 2, 3 … without gaps: its length is its last position,
    one index lookup (COUNT(*) read every row: seconds at 5 M entries)."""
    row = store.fetchone("SELECT MAX(position) AS n FROM audit_trail")
    return int(row["n"] or 0) if row else 0


def _page_by_key(
    store: ViewStore,
    table: str,
    key: str,
    condition: str,
    params: list[Any],
    first: int,
    after: str | None,
    total: Callable[[ViewStore], int] | None = None,
) -> Page[Row]:
    """A page of ``table`` in ``key`` order, after the cursor's key; ``total`` counts the
    rows when a count of the condition would be slow."""
    first = _check_first(first)
    cursor = decode_cursor(after, 1)
    keyset = f" AND {key} > %s" if cursor else ""
    rows = store.fetchall(
        f"SELECT * FROM {table} WHERE {condition}{keyset} ORDER BY {key} LIMIT %s",
        [*params, *(cursor or []), first + 1],
    )
    page = rows[:first]
    cursors = [encode_cursor([r[key]]) for r in page]
    count = total(store) if total else store.count(table, condition, params)
    return Page(page, cursors, len(rows) > first, count)


def case_deadlines(store: ViewStore, case_no: str) -> Row | None:
    return store.fetchone("SELECT * FROM case_deadlines WHERE case_no = %s", [case_no])


def jurisdiction_prefix(jurisdiction_code: str) -> str:
    """440000 → "44", 440100 → "4401", 000000 → "" (the whole country)."""
    if jurisdiction_code == "000000":
        return ""
    prefix = jurisdiction_code
    while prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


def _open_tasks_page(
    store: ViewStore,
    where: str,
    params: list[Any],
    first: int,
    after: str | None,
    total: Callable[[], int] | None = None,
) -> Page[Row]:
    first = _check_first(first)
    cursor = decode_cursor(after, len(OPEN_ORDER))
    keyset = f" AND {_keyset(OPEN_ORDER, False)}" if cursor else ""
    rows = store.fetchall(
        f"SELECT * FROM inbox_tasks WHERE {where}{keyset} ORDER BY {', '.join(OPEN_ORDER)} LIMIT %s",
        [*params, *(_keyset_params(cursor) if cursor else []), first + 1],
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


GROUP_COLUMNS = {
    "DEPARTMENT": "jurisdiction_code",
    "ITEM": "item_code",
    "MONTH": "SUBSTR(closed_on, 1, 7)",
}


def compliance(
    store: ViewStore, jurisdiction: str, start: dt.date, end: dt.date, group_by: str, today: dt.date
) -> list[Row]:
    """按时办结率 and friends, from the deadlines view: cases closed (served, 办结) between
    ``start`` and ``end``, and cases open and overdue today, per department, item or month."""
    key = GROUP_COLUMNS[group_by]
    prefix = jurisdiction_prefix(jurisdiction) + "%"
    closed = store.fetchall(  # from the sums the deadlines projection keeps per closing day
        f"SELECT {key} AS key, SUM(closed) AS closed, SUM(on_time) AS closed_on_time, "
        "SUM(early) AS closed_early, SUM(working_days) * 1.0 / SUM(closed) AS average_working_days "
        "FROM closed_case_stats WHERE closed_on >= %s AND closed_on <= %s "
        f"AND jurisdiction_code LIKE %s GROUP BY {key}",
        [start.isoformat(), end.isoformat(), prefix],
    )
    overdue_key = key if group_by != "MONTH" else "SUBSTR(due_on, 1, 7)"
    overdue = store.fetchall(  # from the counts the deadlines projection keeps per due date
        f"SELECT {overdue_key} AS key, SUM(n) AS overdue_open FROM open_case_counts "
        f"WHERE due_on < %s AND jurisdiction_code LIKE %s GROUP BY {overdue_key}",
        [today.isoformat(), prefix],
    )
    groups: dict[str, Row] = {}
    for row in closed:
        groups[row["key"]] = {**row, "overdue_open": 0}
    for row in overdue:
        blank = {
            "key": row["key"],
            "closed": 0,
            "closed_on_time": 0,
            "closed_early": 0,
            "average_working_days": 0,
        }
        groups.setdefault(row["key"], blank)["overdue_open"] = row["overdue_open"]
    return [groups[k] for k in sorted(groups)]


def supervision_rows(
    store: ViewStore,
    table: str,
    jurisdiction: str,
    first: int,
    after: str | None,
    status: str | None = None,
) -> Page[Row]:
    """Cards, orders or complaints of a jurisdiction, newest first (keyset on the id)."""
    column = {
        "supervision_cards": "responsible_unit",
        "supervision_orders": "unit",
        "complaints": "jurisdiction_code",
    }[table]
    key = {
        "supervision_cards": "card_id",
        "supervision_orders": "order_id",
        "complaints": "complaint_id",
    }[table]
    condition, params = f"{column} LIKE %s", [jurisdiction_prefix(jurisdiction) + "%"]
    if status:
        condition += " AND status = %s"
        params.append(status)
    return _page_by_key(store, table, key, condition, params, first, after)


def card_counts(
    store: ViewStore, jurisdiction: str, start: dt.date, end: dt.date, group_by: str
) -> dict[str, Row]:
    """Yellow and red cards issued in the period, per department, item or month."""
    key = {
        "DEPARTMENT": "responsible_unit",
        "ITEM": "item_code",
        "MONTH": "SUBSTR(issued_at, 1, 7)",
    }[group_by]
    rows = store.fetchall(
        f"SELECT {key} AS key, SUM(CASE WHEN colour = 'YELLOW' THEN 1 ELSE 0 END) AS yellow, "
        "SUM(CASE WHEN colour = 'RED' THEN 1 ELSE 0 END) AS red FROM supervision_cards "
        f"WHERE issued_at >= %s AND issued_at < %s AND responsible_unit LIKE %s GROUP BY {key}",
        [
            start.isoformat(),
            (end + dt.timedelta(days=1)).isoformat(),
            jurisdiction_prefix(jurisdiction) + "%",
        ],
    )
    return {str(r["key"]): r for r in rows}


def unit_cards(store: ViewStore, unit: str, first: int, after: str | None) -> Page[Row]:
    """The cards a unit received — shown beside its inbox."""
    return _page_by_key(
        store, "supervision_cards", "card_id", "responsible_unit = %s", [unit], first, after
    )
