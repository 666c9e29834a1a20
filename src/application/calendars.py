"""The working-day calendar in force (Law 82), read from its aggregate in the event store.

One cheap look for newer calendar events per call, so a year an ADMIN loaded in another
process counts at once; the indexed ``WorkingCalendar`` is built once per calendar version.
"""

from __future__ import annotations

import threading
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from xuke.domain.calendar import CALENDAR_ID, HolidayCalendar, WorkingCalendar, YearSchedule
from xuke.domain.errors import Conflict
from xuke.domain.model import DomainEvent

from .calendar_seed import chinesecalendar_schedules
from .principal import SYSTEM, Principal


class CalendarAccess:
    def __init__(self, app: Any) -> None:
        self.app = app  # the event-sourced application: events, repository, save, clock
        self._calendar: HolidayCalendar | None = None
        self._working: WorkingCalendar | None = None
        self._lock = threading.Lock()

    def seed(self) -> bool:
        """Create the calendar from chinesecalendar's official years, once (``xuke migrate``)."""
        if any(True for _ in self.app.events.get(CALENDAR_ID, limit=1)):
            return False
        calendar = HolidayCalendar.open(
            chinesecalendar_schedules(), SYSTEM.acting_as(None), self.app.clock.now()
        )
        try:
            self.app.save(calendar)
        except IntegrityError:
            return False  # another process seeded it first
        return True

    def working(self) -> WorkingCalendar:
        with self._lock:
            if self._calendar is None or any(
                True for _ in self.app.events.get(CALENDAR_ID, gt=self._calendar.version, limit=1)
            ):
                try:
                    self._calendar = self.app.repository.get(CALENDAR_ID)
                except AggregateNotFoundError:
                    raise RuntimeError(
                        "the working-day calendar is missing: run `xuke migrate`"
                    ) from None
            if self._working is None or self._working.version != self._calendar.version:
                self._working = self._calendar.working_calendar()  # indexed once per version
            return self._working

    def history(self) -> list[DomainEvent]:
        """Which calendar applied when: the seed and every year an ADMIN loaded."""
        return [e for e in self.app.events.get(CALENDAR_ID) if isinstance(e, DomainEvent)]

    def load_year(self, principal: Principal, role: Any, schedule: YearSchedule) -> int:
        """Record a year's State Council schedule; returns the calendar's new version. Every
        deadline is a function of the calendar, so open cases are recomputed from it."""
        calendar: HolidayCalendar = self.app.repository.get(CALENDAR_ID)
        calendar.load_year(schedule, principal.acting_as(role), self.app.clock.now())
        try:
            self.app.save(calendar)
        except IntegrityError:
            raise Conflict("节假日安排正被他人修改，请重试") from None
        return calendar.version
