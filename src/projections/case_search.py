"""Cases found in the deadlines view (``case_deadlines``): an applicant's own applications
(``myApplications``) and the staff case search (``searchCases``).

Every query walks an index in its sort order — due date or received date, then case number
(migration 0033) — and stops after a page, with a keyset cursor (no OFFSET). The caller's
scope (a jurisdiction prefix) and an applicant's code seek to their rows first. The cases a
lower authority reviews first (Law 43) come from a second walk, merged in order (0034). The light is
not stored (it follows from today), so it is asked for as a condition on the stored due date,
the first YELLOW day and the day the running deadline was met (``light_of`` in
``domain/deadlines.py``, the same rule spelled in SQL). ``totalCount`` is counted up to
``COUNT_CAP`` rows: past that the screen says "1,000+" rather than count a million rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from xuke.projections.paging import (
    Page,
    check_first,
    decode_cursor,
    encode_cursor,
    jurisdiction_prefix,
    keyset,
    keyset_params,
    like_contains,
)
from xuke.projections.store import Row, ViewStore

COUNT_CAP = 1_000


class CaseSort(StrEnum):
    DUE_ASC = "DUE_ASC"  # the most urgent first
    DUE_DESC = "DUE_DESC"
    RECEIVED_ASC = "RECEIVED_ASC"
    RECEIVED_DESC = "RECEIVED_DESC"  # the newest first

    @property
    def columns(self) -> tuple[str, str]:
        return ("due_on" if self.name.startswith("DUE") else "received_on", "case_no")

    @property
    def descending(self) -> bool:
        return self.name.endswith("DESC")


@dataclass(frozen=True)
class CaseFilter:
    case_no: str | None = None
    applicant_name: str | None = None  # contains
    applicant_code: str | None = None  # exact: 统一社会信用代码 or 公民身份号码
    item_code: str | None = None
    statuses: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    lights: tuple[str, ...] = ()
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None


LIGHT_CONDITIONS = {
    # light_of: a met deadline by whether it was met in time; a running one against today
    "RED": "((done_on IS NOT NULL AND done_on > due_on) OR (done_on IS NULL AND due_on < %s))",
    "YELLOW": "(done_on IS NULL AND yellow_from <= %s AND due_on >= %s)",
    "GREEN": "((done_on IS NOT NULL AND done_on <= due_on) OR (done_on IS NULL AND yellow_from > %s))",
}


def filter_conditions(f: CaseFilter, today: dt.date) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []

    def add(condition: str, *values: Any) -> None:
        where.append(condition)
        params.extend(values)

    def one_of(column: str, values: tuple[str, ...]) -> None:
        if values:
            add(f"{column} IN ({', '.join(['%s'] * len(values))})", *values)

    if f.case_no:
        add("case_no = %s", f.case_no.strip())
    if f.applicant_code:
        add("applicant_code = %s", f.applicant_code.strip().upper())
    if f.applicant_name:
        add("applicant_name LIKE %s ESCAPE '\\'", like_contains(f.applicant_name.strip()))
    if f.item_code:
        add("item_code = %s", f.item_code.strip())
    one_of("status", f.statuses)
    one_of("stage", f.stages)
    if f.lights:
        day = today.isoformat()
        parts = [LIGHT_CONDITIONS[light] for light in f.lights]
        where.append("(" + " OR ".join(parts) + ")")
        for part in parts:
            params.extend([day] * part.count("%s"))
    for column, low, high in (
        ("due_on", f.due_from, f.due_to),
        ("received_on", f.received_from, f.received_to),
    ):
        if low:
            add(f"{column} >= %s", low.isoformat())
        if high:
            add(f"{column} <= %s", high.isoformat())
    return where, params


def _keys(
    store: ViewStore,
    where: list[str],
    params: list[Any],
    sort: CaseSort,
    cursor: list[Any] | None,
    limit: int,
) -> list[Row]:
    """Up to ``limit`` keys of one branch in ``sort`` order after the cursor: a walk of one
    sort index, the filters checked in it."""
    order = sort.columns
    condition = " AND ".join(where) or "1 = 1"
    after_cursor = f" AND {keyset(order, sort.descending)}" if cursor else ""
    direction = " DESC" if sort.descending else ""
    return store.fetchall(
        f"SELECT {', '.join(order)} FROM case_deadlines WHERE {condition}{after_cursor} "
        f"ORDER BY {', '.join(c + direction for c in order)} LIMIT %s",
        [*params, *(keyset_params(cursor) if cursor else []), limit],
    )


def _count(store: ViewStore, where: list[str], params: list[Any]) -> int:
    condition = " AND ".join(where) or "1 = 1"
    counted = store.fetchone(
        f"SELECT COUNT(*) AS n FROM (SELECT 1 FROM case_deadlines WHERE {condition} LIMIT %s) AS matches",
        [*params, COUNT_CAP],
    )
    return int(counted["n"]) if counted else 0


Branch = tuple[list[str], list[Any]]


def cases_page(
    store: ViewStore,
    branches: list[Branch],
    sort: CaseSort,
    first: int,
    after: str | None,
) -> Page[Row]:
    """One page in ``sort`` order after the cursor, and the count (capped) of all matches.

    Each branch (conditions that no row of another branch meets) walks its own index in the
    sort order and stops after a page; their keys are merged in that order, as the inbox
    merges its boxes. The page is found first by its keys alone, which the sort indexes hold
    with every filtered column (an index-only scan), and only its own rows are then read."""
    first = check_first(first)
    order = sort.columns
    cursor = decode_cursor(after, len(order))
    if cursor is not None and not all(isinstance(v, str) for v in cursor):
        raise ValueError("invalid cursor")  # our cursors hold a date and a case number
    keys = [k for w, p in branches for k in _keys(store, w, p, sort, cursor, first + 1)]
    if len(branches) > 1:
        keys.sort(key=lambda k: tuple(k[c] for c in order), reverse=sort.descending)
    page_keys = keys[:first]
    rows: dict[str, Row] = {}
    if page_keys:
        marks = ", ".join(["%s"] * len(page_keys))
        found = store.fetchall(
            f"SELECT * FROM case_deadlines WHERE case_no IN ({marks})",
            [k["case_no"] for k in page_keys],
        )
        rows = {r["case_no"]: r for r in found}
    page = [rows[k["case_no"]] for k in page_keys if k["case_no"] in rows]
    cursors = [encode_cursor([r[c] for c in order]) for r in page]
    more = len(keys) > first
    if cursor is None and not more:  # the first page holds every match: nothing to count
        return Page(page, cursors, more, len(page_keys))
    total = min(sum(_count(store, w, p) for w, p in branches), COUNT_CAP)
    return Page(page, cursors, more, total)


def search_cases(
    store: ViewStore,
    jurisdiction: str,
    found: CaseFilter,
    sort: CaseSort,
    today: dt.date,
    first: int = 20,
    after: str | None = None,
) -> Page[Row]:
    """案件查询 for staff: the cases of their jurisdiction that match ``found``, and those
    another authority decides but one of their jurisdiction reviews first (Law 43: both
    levels see the case, ``authorization.can_view``). The second branch walks the partial
    indexes of migration 0034, which hold only such cases."""
    more, more_params = filter_conditions(found, today)
    prefix = jurisdiction_prefix(jurisdiction)
    if not prefix:  # the whole country: every case is its own
        return cases_page(store, [(more, more_params)], sort, first, after)
    low, high = prefix, str(int(prefix) + 1).zfill(len(prefix))
    own = (["jurisdiction_code >= %s AND jurisdiction_code < %s", *more], [low, high, *more_params])
    reviewed_first = (
        [
            "preliminary_org IS NOT NULL AND preliminary_org >= %s AND preliminary_org < %s",
            "(jurisdiction_code < %s OR jurisdiction_code >= %s)",  # not already in ``own``
            *more,
        ],
        [low, high, low, high, *more_params],
    )
    return cases_page(store, [own, reviewed_first], sort, first, after)


def applications_page(
    store: ViewStore,
    applicant_code: str,
    today: dt.date,
    first: int = 20,
    after: str | None = None,
    statuses: tuple[str, ...] = (),
) -> Page[Row]:
    """我的申请: every case of one applicant (an enterprise's, whoever of its staff filed it),
    the newest first."""
    where, params = filter_conditions(
        CaseFilter(applicant_code=applicant_code, statuses=statuses), today
    )
    return cases_page(store, [(where, params)], CaseSort.RECEIVED_DESC, first, after)
