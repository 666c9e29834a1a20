"""What every read model shares: an eventsourcing ``Projection`` that processes a *page* of
stored events in one transaction together with its tracking position (exactly once,
``tracking.py``), and the case states it reasons about. How views write their rows is in
``writes.py``.

A page is applied by ``process_page``; eventsourcing's one-event ``process_event`` is the
same thing for a page of one.
"""

from __future__ import annotations

import copy
import datetime as dt
from abc import abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple, cast
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification, Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from xuke.domain.calendar import HolidayCalendar, WorkingCalendar
from xuke.domain.case import LicenseCase
from xuke.domain.case_records import Task
from xuke.domain.deadlines import LightThresholds
from xuke.domain.model import DomainEvent, local_date
from xuke.domain.stages import CaseStatus, Stage
from xuke.projections.store import Transaction
from xuke.projections.tracking import ViewTracking, write_position

CALENDAR_TOPICS = frozenset(
    get_topic(c) for c in (HolidayCalendar.Opened, HolidayCalendar.YearScheduleLoaded)
)
CASE_TOPIC_PREFIX = get_topic(LicenseCase) + "."


def is_case_topic(topic: str) -> bool:
    return topic.startswith(CASE_TOPIC_PREFIX)


@dataclass(frozen=True)
class Envelope:
    """One stored event as a projection sees it: its place in the log, its stored bytes (for
    the audit hash) and the decoded event (None when the projection does not need it)."""

    position: int
    topic: str
    originator_id: UUID
    originator_version: int
    state: bytes
    event: DomainEvent | None

    @property
    def is_case_event(self) -> bool:
        return is_case_topic(self.topic)

    @property
    def is_calendar_event(self) -> bool:
        return self.topic in CALENDAR_TOPICS


class Partition(NamedTuple):
    """One of ``count`` disjoint shares of the cases, by case id. A case's events all fall
    in one share, in log order, so a rebuild may give each share a process of its own."""

    share: int
    shares: int

    def owns(self, case_id: UUID) -> bool:
        return case_id.int % self.shares == self.share


class Before(NamedTuple):
    """What the views need of a case as it stood before an event (the rest does not change)."""

    status: CaseStatus
    stage: Stage
    task: Task | None


class CaseStates:
    """The case as it stood before and after each event, kept in an LRU cache; a case not
    cached is loaded from the event store (with snapshots) at the version before the event."""

    def __init__(self, load: Callable[[UUID, int], LicenseCase], size: int = 20_000) -> None:
        self._load, self._size = load, size
        self._cache: OrderedDict[UUID, LicenseCase] = OrderedDict()

    def load(self, aggregate_id: UUID, version: int) -> Any:
        """Any aggregate as it stood at ``version``, from the event store (the exchange view
        loads the working-day calendar as of its position)."""
        return self._load(aggregate_id, version)

    def advance(self, event: LicenseCase.Event) -> tuple[Before | None, LicenseCase]:
        case_id, version = event.originator_id, event.originator_version
        case = self._cache.pop(case_id, None)
        if case is not None and case.version != version - 1:
            case = None
        if case is None and version > 1:
            case = self._load(case_id, version - 1)
        before = Before(case.status, case.stage, case.task) if case is not None else None
        after = cast(LicenseCase, event.mutate(case))
        after.pending_events.clear()
        self._cache[case_id] = after
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return before, after

    def clear(self) -> None:
        self._cache.clear()


class PreparedCases(NamedTuple):
    """A page as the case views need it: the calendar in force, and each case event with
    the case before it and after it (non-case events with neither)."""

    calendar: WorkingCalendar
    steps: list[tuple[Envelope, Before | None, LicenseCase | None]]


@dataclass
class PageContext:
    """What a projection may consult while applying a page."""

    calendar: Callable[[], WorkingCalendar]
    thresholds: LightThresholds
    cases: CaseStates


class ViewProjection(Projection[ViewTracking]):
    """A read model: its name, its tables (for rebuilds), and how a page changes them."""

    name: str = ""
    tables: ClassVar[tuple[str, ...]] = ()
    partitionable: ClassVar[bool] = False  # may shares of the cases be built in parallel?
    # Does a mutation wait for this view before it answers (read-your-writes)? A view that
    # is not waited for lets a few events gather before each page instead (runner.py).
    awaited: ClassVar[bool] = True

    def __init__(
        self,
        view: ViewTracking,
        context: PageContext,
        mapper: Mapper[UUID],
        suffix: str = "",
        partition: Partition | None = None,
    ) -> None:
        super().__init__(view)
        self.context, self.mapper, self.suffix = context, mapper, suffix
        if partition is not None and not self.partitionable:
            raise ValueError(f"{self.name} cannot be built in shares")
        self.partition = partition

    def table(self, name: str) -> str:
        """The live table, or its shadow copy while rebuilding (``inbox_tasks__rebuild``)."""
        return name + self.suffix

    @property
    def tracking_name(self) -> str:
        share = f"@{self.partition.share}of{self.partition.shares}" if self.partition else ""
        return self.name + self.suffix + share

    def wants(self, topic: str) -> bool:
        """Which stored events it reads; the others only move its position."""
        return is_case_topic(topic) or topic in CALENDAR_TOPICS

    def owns(self, case_id: UUID | str) -> bool:
        """Is the case in this projection's share (always, unless built in shares)?"""
        if self.partition is None:
            return True
        return self.partition.owns(case_id if isinstance(case_id, UUID) else UUID(case_id))

    def accepts(self, notification: Notification) -> bool:
        """Does this projection read the stored event: the topics it wants, of its cases."""
        if not self.wants(notification.topic):
            return False
        return not is_case_topic(notification.topic) or self.owns(notification.originator_id)

    def prepare(self, page: Sequence[Envelope]) -> Any:
        """Read what the page needs from the event store, before the write transaction.
        It may run in the read-ahead thread while the previous page is being written, so it
        returns what it read (handed to ``process_page``) instead of keeping it."""
        return None

    @abstractmethod
    def process_page(self, tx: Transaction, page: Sequence[Envelope], prepared: Any = None) -> None:
        """Apply a page of events to the tables, inside ``tx``."""

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """eventsourcing's interface: a page of one event."""
        stored = self.mapper.to_stored_event(domain_event)
        envelope = envelope_of(
            Notification(
                id=tracking.notification_id,
                originator_id=stored.originator_id,
                originator_version=stored.originator_version,
                topic=stored.topic,
                state=stored.state,
            ),
            domain_event,
        )
        expected = self.view.max_tracking_id(tracking.application_name)
        prepared = self.prepare([envelope])
        with self.view.store.transaction() as tx:
            self.process_page(tx, [envelope], prepared)
            write_position(tx, self.tracking_name, tracking.notification_id, expected)


def envelope_of(notification: Notification, event: DomainEvent | None) -> Envelope:
    originator_id = notification.originator_id
    return Envelope(
        position=notification.id,
        topic=notification.topic,
        originator_id=originator_id
        if isinstance(originator_id, UUID)
        else UUID(str(originator_id)),
        originator_version=notification.originator_version,
        state=notification.state,
        event=event,
    )


class CaseProjection(ViewProjection):
    """A read model of licence cases: each case event arrives with what the case was before
    it and the case after it. What depends only on where a case ends up in the page (its
    deadlines) is computed once per case per page, in ``on_case_settled``. Loading a calendar
    year asks the view to recompute what depends on the calendar."""

    calendar: WorkingCalendar
    partitionable = True

    def prepare(self, page: Sequence[Envelope]) -> PreparedCases:
        """Everything read from the event store (the calendar, the cases before each event)
        is read here, before the page's write transaction opens: on SQLite, reading the
        store while holding the write lock could wait on a writer waiting on us."""
        steps: list[tuple[Envelope, Before | None, LicenseCase | None]] = []
        for envelope in page:
            if envelope.is_case_event:
                assert isinstance(envelope.event, LicenseCase.Event)
                before, after = self.context.cases.advance(envelope.event)
                steps.append((envelope, before, copy.copy(after)))  # as of this event
            else:
                steps.append((envelope, None, None))
        return PreparedCases(self.context.calendar(), steps)

    def process_page(self, tx: Transaction, page: Sequence[Envelope], prepared: Any = None) -> None:
        prepared = prepared or self.prepare(page)
        self.calendar = prepared.calendar  # the calendar in force, loaded years included
        self._touched: dict[UUID, tuple[LicenseCase, dt.date]] = {}
        for envelope, before, after in prepared.steps:
            if after is not None:
                event = envelope.event
                assert isinstance(event, LicenseCase.Event)
                self.on_case_event(tx, event, before, after)
                self._touched[after.id] = (after, local_date(event.timestamp))
            elif isinstance(envelope.event, HolidayCalendar.YearScheduleLoaded):
                self._settle(tx)
                year = envelope.event.schedule.year
                self.on_calendar_changed(tx, local_date(envelope.event.timestamp), year)
            elif envelope.event is not None and not envelope.is_calendar_event:
                self.on_other_event(tx, envelope)
        self._settle(tx)

    def _settle(self, tx: Transaction) -> None:
        for case, last_event_on in self._touched.values():
            self.on_case_settled(case, last_event_on)
        self._touched.clear()
        self.flush(tx)

    def on_case_event(
        self, tx: Transaction, event: LicenseCase.Event, before: Before | None, after: LicenseCase
    ) -> None:
        """What each event itself changes (steps, tasks)."""

    def on_case_settled(self, case: LicenseCase, last_event_on: dt.date) -> None:
        """What follows from where the case stands at the end of the page (deadlines)."""

    def on_other_event(self, tx: Transaction, envelope: Envelope) -> None:
        """An event of another aggregate the view ``wants`` (a licence's, say), in log order
        among the case events."""

    def on_calendar_changed(self, tx: Transaction, today: dt.date, year: int) -> None:
        """A year's schedule was loaded: recompute what was computed across that year.
        Views always compute with the calendar now in force, so a rebuild, which reaches
        this point with the same calendar, ends with the same rows."""

    def flush(self, tx: Transaction) -> None:
        """Write what the page collected."""
