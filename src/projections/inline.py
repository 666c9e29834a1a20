"""Inline views: the awaited views (inbox, public status, deadlines, supervision) written in
the same transaction as the events they show (docs/write-path.md).

The rows come from the very projection classes the asynchronous runner drives — the same
``prepare`` and ``process_page`` over a page of envelopes, here the page of the events just
inserted, decoded already (they are the command's own) — so the inline path and a rebuild
cannot drift apart. Each view's position in ``projection_tracking`` moves in the same
transaction, so the runner finds nothing left to do.

A view is written inline only when it is caught up: its position is the last event before
this transaction's. Otherwise (a rebuild swapped in, a writer with inline views off, a view
added since) its rows are left to the runner, which catches up from its position, and
commands wait for it as before; once it has caught up, the next transaction writes it
inline again. So a position never skips an event.

What the views read while applying a page (stored rows of the view, the calendar's version)
they read in the transaction itself; what they need of a case as it stood before a command
(the before-state) is read before the transaction from a cache of cases (the state the last
inline page left), eventsourcing's aggregate cache, or the store.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections.abc import Callable, Sequence
from copy import deepcopy
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qs, urlparse
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import Notification, StoredEvent

from xuke.domain.calendar import CALENDAR_ID, HolidayCalendar, WorkingCalendar
from xuke.domain.case import LicenseCase
from xuke.projections.base import Before, CaseStates, PageContext, ViewProjection, envelope_of
from xuke.projections.runner import INLINE_VIEWS, PROJECTIONS
from xuke.projections.source import EventSource
from xuke.projections.store import Transaction, ViewStore
from xuke.projections.tracking import ViewTracking
from xuke.projections.writes import iso


def inline_projections() -> list[type[ViewProjection]]:
    """The views written inline: those a mutation's caller reads next (``INLINE_VIEWS``).
    Every other view (audit trail, register, documents, exchange, and any new one until it
    is named there) is left to the asynchronous runner."""
    return [PROJECTIONS[n] for n in INLINE_VIEWS if n in PROJECTIONS]


class SharedCases(CaseStates):
    """The cases as the last inline page left them, shared by the views of every
    transaction, and filled before a transaction with the cases it will need."""

    def __init__(self, load: Callable[[UUID, int], LicenseCase], size: int = 20_000) -> None:
        super().__init__(load, size)
        self.lock = threading.Lock()

    def has(self, case_id: UUID, version: int) -> bool:
        with self.lock:
            case = self._cache.get(case_id)
            return case is not None and case.version == version

    def put(self, case: LicenseCase) -> None:
        with self.lock:
            self._cache[case.id] = case
            self._cache.move_to_end(case.id)
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)

    def drop(self, case_ids: set[UUID]) -> None:
        with self.lock:
            for case_id in case_ids:
                self._cache.pop(case_id, None)


class PageCases(CaseStates):
    """One transaction's view of the shared cases: each event advances them once, however
    many views ask; each view gets the case as of that event (as ``CaseProjection.prepare``
    would, copied before the next event of the case changes it)."""

    def __init__(self, shared: SharedCases) -> None:
        super().__init__(shared._load, 0)
        self.shared = shared
        self.advanced: dict[tuple[UUID, int], tuple[Before | None, LicenseCase]] = {}

    def advance(self, event: LicenseCase.Event) -> tuple[Before | None, LicenseCase]:
        key = (event.originator_id, event.originator_version)
        if key not in self.advanced:
            with self.shared.lock:
                before, after = self.shared.advance(event)
            self.advanced[key] = (before, copy.copy(after))
        return self.advanced[key]

    def clear(self) -> None:
        self.advanced.clear()


@dataclass
class Claim:
    """The reads that decide which views are written inline: the log's head before this
    transaction, the calendar's version, and the views' positions (locked)."""

    head: int | None
    calendar: int | None
    positions: dict[str, int]


class _Queued:
    """Claim reads queued on PostgreSQL's pipeline, read after the insert's sync."""

    def __init__(self, head: Any, positions: Any) -> None:
        self.head_cursor, self.positions_cursor = head, positions

    def result(self) -> Claim:
        row = self.head_cursor.fetchone()
        positions = {r["projection"]: int(r["position"]) for r in self.positions_cursor.fetchall()}
        return Claim(row["head"], row["calendar"], positions)


class InlineViews:
    """What ``GroupCommitRecorder`` calls to write the awaited views with the events."""

    def __init__(
        self, app: EventSource, database_url: str, names: Sequence[str] | None = None
    ) -> None:
        self.app = app
        self.projections = (
            [PROJECTIONS[n] for n in names] if names is not None else inline_projections()
        )
        self.names = [p.name for p in self.projections]
        url = urlparse(database_url)
        self.schema = parse_qs(url.query).get("schema", [""])[0]
        self.channel = f"xuke_views_{self.schema}" if self.schema else "xuke_views"
        recorder: Any = app.recorder
        table = getattr(recorder, "events_table_name", "stored_events")
        datastore = getattr(recorder, "datastore", None)
        pg_schema = getattr(datastore, "schema", "")
        self.events_table = f'"{pg_schema}"."{table}"' if pg_schema else table
        self.cases = SharedCases(self._load_case)
        # Never used to write (positions move in the events' transaction), only to satisfy
        # eventsourcing's Projection interface.
        self._tracking = {n: ViewTracking(cast(ViewStore, None), n) for n in self.names}
        self._calendar: WorkingCalendar | None = None
        self._reached: dict[str, int] = {}
        self._reached_lock = threading.Lock()
        self.written = self.skipped = 0  # transactions that wrote all views / left some behind

    # ------------------------------------------------------------------ before the lock

    def preload(self, domain_events: Sequence[Any]) -> None:
        firsts: dict[UUID, int] = {}
        for event in domain_events:
            if isinstance(event, LicenseCase.Event):
                firsts.setdefault(event.originator_id, event.originator_version)
        for case_id, version in firsts.items():
            if version > 1 and not self.cases.has(case_id, version - 1):
                self.cases.put(self._before(case_id, version - 1))

    def _before(self, case_id: UUID, version: int) -> LicenseCase:
        """The case at ``version``: eventsourcing's aggregate cache holds it as the command
        loaded it (copied under the cache's own lock), else it is read from the store."""
        repository: Any = self.app.repository
        cache = getattr(repository, "cache", None)
        if cache is not None:
            lock = repository._use_fastforward_lock(case_id)
            try:
                with lock:
                    cached = cache.get(case_id)
                    if getattr(cached, "version", None) == version:
                        return cast(LicenseCase, deepcopy(cached))
            except KeyError:
                pass
            finally:
                repository._disuse_fastforward_lock(case_id)
        return self._load_case(case_id, version)

    def _load_case(self, case_id: UUID, version: int) -> LicenseCase:
        case: LicenseCase = self.app.repository.get(case_id, version=version)
        return case

    # ------------------------------------------------------------------ in the transaction

    def claim(self, cursor: Callable[[], Any], sqlite: bool, first_id: int | None) -> Any:
        names = ", ".join(["%s"] * len(self.names))
        positions_sql = (
            f"SELECT projection, position FROM projection_tracking WHERE projection IN ({names})"
        )
        if sqlite:
            tx = Transaction(cursor(), sqlite=True)
            row = tx.fetchone(
                f"SELECT (SELECT MAX(rowid) FROM {self.events_table} WHERE rowid < %s) AS head, "
                f"(SELECT MAX(originator_version) FROM {self.events_table} "
                "WHERE originator_id = %s) AS calendar",
                [first_id, CALENDAR_ID.hex],
            )
            assert row is not None
            positions = {
                r["projection"]: int(r["position"]) for r in tx.fetchall(positions_sql, self.names)
            }
            return Claim(row["head"], row["calendar"], positions)
        if self.schema:  # the views' tables live in the schema the view store's URL names
            cursor().execute(f'SET LOCAL search_path TO "{self.schema}"')
        head = cursor()
        head.execute(
            f"SELECT (SELECT MAX(notification_id) FROM {self.events_table}) AS head, "
            f"(SELECT MAX(originator_version) FROM {self.events_table} "
            "WHERE originator_id = %s) AS calendar",
            [CALENDAR_ID],
        )
        positions = cursor()
        positions.execute(positions_sql + " FOR UPDATE", self.names)
        return _Queued(head, positions)

    def write(
        self,
        cursor: Any,
        sqlite: bool,
        claim: Any,
        stored: Sequence[StoredEvent],
        domain_events: Sequence[Any],
        ids: Sequence[int],
    ) -> dict[str, int]:
        found: Claim = claim if isinstance(claim, Claim) else claim.result()
        caught_up = [p for p in self.projections if found.positions.get(p.name) == found.head]
        if len(caught_up) < len(self.projections):
            self.skipped += 1
        else:
            self.written += 1
        if not caught_up:
            return {}
        tx = Transaction(cursor, sqlite, self.channel)
        notifications = [
            Notification(
                id=n,
                originator_id=s.originator_id,
                originator_version=s.originator_version,
                topic=s.topic,
                state=s.state,
            )
            for s, n in zip(stored, ids, strict=True)
        ]
        envelopes = [envelope_of(n, e) for n, e in zip(notifications, domain_events, strict=True)]
        calendar = _Lazy(lambda: self._calendar_for(found.calendar, domain_events))
        context = PageContext(
            calendar=calendar.get, thresholds=self.app.thresholds, cases=PageCases(self.cases)
        )
        for view in caught_up:
            projection = view(self._tracking[view.name], context, self.app.mapper)
            page = [
                e for n, e in zip(notifications, envelopes, strict=True) if projection.accepts(n)
            ]
            projection.process_page(tx, page, projection.prepare(page))
        last, now = ids[-1], iso(dt.datetime.now(dt.UTC))
        moved = [v.name for v in caught_up if v.name in found.positions]
        if moved:  # one statement for all (their rows are locked by the claim)
            marks = ", ".join(["%s"] * len(moved))
            tx.execute(
                "UPDATE projection_tracking SET position = %s, updated_at = %s "
                f"WHERE projection IN ({marks})",
                [last, now, *moved],
            )
        tx.executemany(
            "INSERT INTO projection_tracking (projection, position, updated_at) VALUES (%s, %s, %s)",
            [[v.name, last, now] for v in caught_up if v.name not in found.positions],
        )
        if not sqlite:  # waiters in processes that fell back, and live subscriptions
            notes = ", ".join(["pg_notify(%s, %s)"] * len(caught_up))
            tx.execute(
                f"SELECT {notes}",
                [x for v in caught_up for x in (self.channel, f"{v.name}:{last}")],
            )
        return {v.name: last for v in caught_up}

    def _calendar_for(self, version: int | None, domain_events: Sequence[Any]) -> WorkingCalendar:
        """The calendar in force in this transaction: as committed (read again only when its
        version moved), plus any calendar event of this very page."""
        own = [e for e in domain_events if e.originator_id == CALENDAR_ID]
        if own:
            calendar: Any
            try:
                calendar = self.app.repository.get(CALENDAR_ID)  # a copy: ours to advance
            except AggregateNotFoundError:
                calendar = None
            for event in own:
                if calendar is None or event.originator_version > calendar.version:
                    calendar = event.mutate(calendar)
            assert isinstance(calendar, HolidayCalendar)
            return calendar.working_calendar()
        working = self._calendar
        if working is None or working.version != version:
            working = self._calendar = self.app.working_calendar()
        return working

    # ------------------------------------------------------------------ after

    def committed(self, written: dict[str, int]) -> None:
        with self._reached_lock:
            for name, position in written.items():
                if position > self._reached.get(name, 0):
                    self._reached[name] = position

    def forget(self, domain_events: Sequence[Any]) -> None:
        self.cases.drop(
            {e.originator_id for e in domain_events if isinstance(e, LicenseCase.Event)}
        )

    def behind(self, position: int, names: Sequence[str]) -> list[str]:
        with self._reached_lock:
            return [n for n in names if self._reached.get(n, 0) < position]


class _Lazy:
    """The calendar is looked at only by views that need it, and once."""

    def __init__(self, make: Callable[[], WorkingCalendar]) -> None:
        self._make = make
        self._value: WorkingCalendar | None = None

    def get(self) -> WorkingCalendar:
        if self._value is None:
            self._value = self._make()
        return self._value
