"""exchange_events: the published feed of integration events (docs/exchange.md).

Each stored case or licence event the vocabulary publishes (``domain/exchange.py``) becomes
one row, its ``position`` the next of a gap-free sequence 1, 2, 3 … in the order of the event
store. The positions are assigned in the page's transaction, after the last one stored, and
the tracking position moves in the same transaction (``runner.py``), so a crash or a second
runner can neither skip nor repeat a number: a consumer that saw position N has seen
everything up to N.

A licence's later events (renewed, revoked …) carry neither its item nor its authority; the
projection keeps those facts in ``exchange_licences`` from the licence's ``LicenceIssued``.

A published event is a fact as it was told: its due dates are computed with the working-day
calendar *in force when the event was recorded*, not the one in force now (unlike the other
views, which recompute when a year is loaded). The projection follows the calendar's own
events through the log, keeps the calendar's version beside its position
(``exchange_calendar``) and, when it starts, loads the calendar at that version, so a
rebuild publishes the same payloads at the same positions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

import orjson

from xuke.domain.calendar import CALENDAR_ID, HolidayCalendar, WorkingCalendar
from xuke.domain.case import LicenseCase
from xuke.domain.exchange import (
    LicenceFacts,
    Published,
    facts_after,
    licence_facts,
    publish_case_event,
    publish_licence_event,
)
from xuke.domain.licence import Licence
from xuke.projections.base import (
    CALENDAR_TOPICS,
    CaseProjection,
    Envelope,
    PreparedCases,
    is_case_topic,
)
from xuke.projections.register import LICENCE_TOPIC_PREFIX
from xuke.projections.store import Transaction
from xuke.projections.writes import Upserts, iso

COLUMNS = (
    "position", "event_id", "type", "occurred_at", "jurisdiction_code", "case_no",
    "certificate_no", "payload",
)  # fmt: skip
LICENCE_COLUMNS = ("licence_id", "certificate_no", "item_code", "jurisdiction_code", "valid_until")


class ExchangeProjection(CaseProjection):
    name = "exchange"
    awaited = False  # partners read it moments later
    partitionable = False  # one sequence of positions: built by one worker
    tables = ("exchange_events", "exchange_licences", "exchange_calendar")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.licences = Upserts(self.table("exchange_licences"), LICENCE_COLUMNS, ("licence_id",))
        self._published: list[Published] = []
        self._calendar: HolidayCalendar | None = None  # as of the last event prepared
        self._calendar_known = False
        self._working: WorkingCalendar | None = None
        self._calendar_version: int | None = None  # to store with the page

    # ---------------------------------------------------------------- the calendar then

    def _calendar_then(self) -> WorkingCalendar:
        if not self._calendar_known:
            row = self.view.store.fetchone(
                f"SELECT version FROM {self.table('exchange_calendar')} WHERE id = 1"
            )
            if row is not None:
                self._calendar = self.context.cases.load(CALENDAR_ID, int(row["version"]))
            self._calendar_known = True
        if self._working is None:
            if self._calendar is None:  # no calendar in the log yet: never for a case event
                return self.context.calendar()
            self._working = self._calendar.working_calendar()
        return self._working

    def prepare(  # type: ignore[override]  # the case views' preparation, and more
        self, page: Sequence[Envelope]
    ) -> tuple[PreparedCases, list[WorkingCalendar | None]]:
        """The case views' preparation, and the calendar in force at each event: the
        calendar's own events move it (pages are prepared in log order)."""
        prepared = super().prepare(page)
        calendars: list[WorkingCalendar | None] = []
        for envelope, _, after in prepared.steps:
            if envelope.is_calendar_event and envelope.event is not None:
                self._calendar_then()
                self._calendar = cast(Any, envelope.event).mutate(self._calendar)
                self._working = None
            calendars.append(self._calendar_then() if after is not None else None)
        return prepared, calendars

    def process_page(self, tx: Transaction, page: Sequence[Envelope], prepared: Any = None) -> None:
        cases, calendars = prepared or self.prepare(page)
        for (envelope, _, after), calendar in zip(cases.steps, calendars, strict=True):
            event = envelope.event
            if after is not None and calendar is not None:
                assert isinstance(event, LicenseCase.Event)
                published = publish_case_event(event, after, calendar)
                if published is not None:
                    self._published.append(published)
            elif envelope.is_calendar_event:
                self._calendar_version = envelope.originator_version
            elif event is not None:
                self.on_other_event(tx, envelope)
        self.flush(tx)

    def wants(self, topic: str) -> bool:
        return (
            is_case_topic(topic)
            or topic in CALENDAR_TOPICS
            or topic.startswith(LICENCE_TOPIC_PREFIX)
        )

    def on_other_event(self, tx: Transaction, envelope: Envelope) -> None:
        event = envelope.event
        if event is None or not envelope.topic.startswith(LICENCE_TOPIC_PREFIX):
            return
        if isinstance(event, Licence.LicenceIssued):
            facts: LicenceFacts | None = licence_facts(event)
            published = publish_licence_event(event, None)
        else:
            facts = self._facts(tx, envelope.originator_id)
            published = publish_licence_event(event, facts)
            facts = facts_after(event, facts) if facts is not None else None
        if facts is not None:
            self.licences.put(
                {
                    "licence_id": str(envelope.originator_id),
                    "certificate_no": facts.certificate_no,
                    "item_code": facts.item_code,
                    "jurisdiction_code": facts.jurisdiction_code,
                    "valid_until": iso(facts.valid_until),
                }
            )
        if published is not None:
            self._published.append(published)

    def _facts(self, tx: Transaction, licence_id: UUID) -> LicenceFacts | None:
        row = self.licences.get(str(licence_id)) or tx.fetchone(
            f"SELECT * FROM {self.licences.table} WHERE licence_id = %s", [str(licence_id)]
        )
        if row is None:
            return None
        until = row["valid_until"]
        return LicenceFacts(
            row["certificate_no"], row["item_code"], row["jurisdiction_code"],
            dt.date.fromisoformat(until) if until else None,
        )  # fmt: skip

    def flush(self, tx: Transaction) -> None:
        self.licences.flush(tx)
        if self._calendar_version is not None:
            tx.execute(
                f"INSERT INTO {self.table('exchange_calendar')} (id, version) VALUES (1, %s) "
                "ON CONFLICT (id) DO UPDATE SET version = excluded.version",
                [self._calendar_version],
            )
            self._calendar_version = None
        if not self._published:
            return
        table = self.table("exchange_events")
        last = tx.fetchone(f"SELECT MAX(position) AS p FROM {table}")
        position = int(last["p"] or 0) if last else 0
        rows = []
        for p in self._published:
            position += 1
            rows.append(
                (
                    position,
                    p.event_id,
                    p.type,
                    p.occurred_at,
                    p.jurisdiction_code,
                    p.case_no,
                    p.certificate_no,
                    orjson.dumps(p.payload).decode(),
                )
            )
        self._published.clear()
        tx.executemany(
            f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})",
            rows,
        )
