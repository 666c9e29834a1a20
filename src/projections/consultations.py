"""consultations: the question board (网上咨询) — what the public Q&A, the authority's staff
and the deadline watcher read. One row per question; the asker's contact is kept for the
staff and never selected by a public read (``PUBLIC_COLUMNS``).

An open question's answer date is counted again whenever a calendar year is loaded (as a
case's deadlines are, ``deadlines.py``), with the calendar then in force: a rebuild, which
meets the same events with the same calendar, ends with the same rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic

from xuke.domain.calendar import HolidayCalendar, WorkingCalendar
from xuke.domain.consultation import Consultation
from xuke.domain.model import local_date
from xuke.projections.base import CALENDAR_TOPICS, Envelope, ViewProjection
from xuke.projections.paging import (
    Page,
    check_first,
    decode_cursor,
    encode_cursor,
    keyset,
    keyset_params,
)
from xuke.projections.store import Row, Transaction, ViewStore
from xuke.projections.writes import iso

TOPIC_PREFIX = get_topic(Consultation) + "."
PUBLIC_COLUMNS = (
    "consultation_id, item_code, question, asked_at, answer_due, status, answer, answered_at, "
    "answered_by_org, published, due_provisional"
)


class ConsultationsProjection(ViewProjection):
    name = "consultations"
    tables = ("consultations",)
    # Payloads are read from the aggregate itself, so no mutation need wait for this view.
    awaited = False

    def wants(self, topic: str) -> bool:
        return topic.startswith(TOPIC_PREFIX) or topic in CALENDAR_TOPICS

    def prepare(self, page: Sequence[Envelope]) -> WorkingCalendar | None:
        """The calendar in force, read before the write transaction (as the case views do),
        when the page loads a year."""
        if any(isinstance(e.event, HolidayCalendar.YearScheduleLoaded) for e in page):
            return self.context.calendar()
        return None

    def process_page(self, tx: Transaction, page: Sequence[Envelope], prepared: Any = None) -> None:
        table = self.table("consultations")
        for envelope in page:
            event: Any = envelope.event
            key = str(envelope.originator_id)
            if isinstance(event, Consultation.Asked):
                tx.execute(
                    f"INSERT INTO {table} (consultation_id, item_code, question, contact, channel, "
                    "authority, asked_at, answer_due, status, published, late, answer_days, "
                    "due_provisional) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'OPEN', 0, 0, %s, %s) "
                    "ON CONFLICT (consultation_id) DO NOTHING",
                    [key, event.item_code, event.question, event.contact, event.channel.value,
                     event.authority, iso(event.timestamp), iso(event.answer_due),
                     event.answer_days, int(event.due_provisional)],
                )  # fmt: skip
            elif isinstance(event, Consultation.Answered):
                due = [] if event.answer_due is None else [iso(event.answer_due)]
                tx.execute(
                    f"UPDATE {table} SET status = 'ANSWERED', answer = %s, answered_at = %s, "
                    "answered_by_org = %s, published = %s, late = %s"
                    + (", answer_due = %s, due_provisional = %s" if due else "")
                    + " WHERE consultation_id = %s",
                    [event.answer, iso(event.timestamp), event.org_code, int(event.published),
                     int(event.late), *due, *([int(event.due_provisional)] if due else []), key],
                )  # fmt: skip
            elif isinstance(event, HolidayCalendar.YearScheduleLoaded):
                calendar = prepared if prepared is not None else self.context.calendar()
                self.recount(tx, calendar, event.schedule.year)

    def recount(self, tx: Transaction, calendar: WorkingCalendar, year: int) -> None:
        """Count again every open question whose answer date reaches into ``year``."""
        table = self.table("consultations")
        rows = tx.fetchall(
            f"SELECT consultation_id, asked_at, answer_days FROM {table} WHERE status = 'OPEN' "
            "AND answer_days IS NOT NULL AND answer_due >= %s AND asked_at <= %s",
            [f"{year}-01-01", f"{year + 1}-01-01"],
        )
        for row in rows:
            asked_on = local_date(dt.datetime.fromisoformat(row["asked_at"]))
            due = calendar.add_working_days(asked_on, int(row["answer_days"]))
            tx.execute(
                f"UPDATE {table} SET answer_due = %s, due_provisional = %s "
                "WHERE consultation_id = %s",
                [iso(due.date), int(due.provisional), row["consultation_id"]],
            )


def consultation_page(
    store: ViewStore,
    first: int,
    after: str | None,
    *,
    item_code: str | None = None,
    authority: str | None = None,
    status: str | None = None,
) -> Page[Row]:
    """Questions newest first. Without ``authority``: the public board (published answers
    only, no contact). With it: that authority's questions in every status, contact included."""
    first = check_first(first)
    conditions: list[str] = []
    params: list[Any] = []
    if authority is None:
        conditions.append("published = 1")
        columns = PUBLIC_COLUMNS
    else:
        conditions.append("authority = %s")
        params.append(authority)
        columns = "*"
    if item_code is not None:
        conditions.append("item_code = %s")
        params.append(item_code)
    if status is not None:
        conditions.append("status = %s")
        params.append(status)
    where = " AND ".join(conditions)
    cursor = decode_cursor(after, 2)
    beyond = f" AND {keyset(('asked_at', 'consultation_id'), True)}" if cursor else ""
    rows = store.fetchall(
        f"SELECT {columns} FROM consultations WHERE {where}{beyond} "
        "ORDER BY asked_at DESC, consultation_id DESC LIMIT %s",
        [*params, *(keyset_params(cursor) if cursor else []), first + 1],
    )
    page = rows[:first]
    cursors = [encode_cursor([r["asked_at"], r["consultation_id"]]) for r in page]
    return Page(page, cursors, len(rows) > first, store.count("consultations", where, params))


def open_consultations_past(store: ViewStore, day: dt.date) -> list[Row]:
    """Questions still OPEN after their answer date (the watcher's CONSULTATION_LATE cards;
    it checks a provisional date against the latest plausible reading before any card)."""
    return store.fetchall(
        "SELECT consultation_id, item_code, authority, answer_due, due_provisional "
        "FROM consultations "
        "WHERE status = 'OPEN' AND answer_due < %s ORDER BY answer_due",
        [day.isoformat()],
    )
