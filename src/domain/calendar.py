"""The working-day calendar (Art. 82: periods count working days, not statutory holidays).

The calendar is an aggregate: loading a year's State Council schedule (holidays and make-up
working days, 调休) is an event, so every deadline can say which calendar it was computed on
and can be recomputed when a new year is loaded. A year with no loaded schedule falls back to
an estimate — weekends, the fixed-date statutory holidays and the lunar festivals where we know
their dates — and every deadline that touches it is ``provisional``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from xuke.domain.model import Actor, Aggregate, Immutable

CALENDAR_ID: UUID = uuid5(NAMESPACE_URL, "xuke:working-day-calendar")

# Fixed-date statutory holidays (《全国年节及纪念日放假办法》, 2024 revision in force 2025):
# New Year 1 Jan; Labour Day 1-2 May (two days since 2025); National Day 1-3 Oct.
_FIXED_HOLIDAYS = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))

# Lunar festivals on the Gregorian calendar, for the estimate only: Spring Festival (eve and
# first three days, four days since 2025), Qingming, Dragon Boat, Mid-Autumn. Our own table of
# astronomical dates; the State Council's schedule replaces all of it when a year is loaded.
_LUNAR_ESTIMATES: dict[int, tuple[tuple[int, int], ...]] = {
    2027: ((2, 5), (2, 6), (2, 7), (2, 8), (4, 5), (6, 9), (9, 15)),
    2028: ((1, 25), (1, 26), (1, 27), (1, 28), (4, 4), (5, 28), (10, 3)),
    2029: ((2, 12), (2, 13), (2, 14), (2, 15), (4, 4), (6, 16), (9, 22)),
    2030: ((2, 2), (2, 3), (2, 4), (2, 5), (4, 5), (6, 5), (9, 12)),
}


class YearSchedule(Immutable):
    """One year's official schedule: days off and make-up working days (调休上班)."""

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date] = frozenset()
    source: str = ""

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def estimated_holidays(year: int) -> frozenset[dt.date]:
    """The days off we assume for a year whose schedule is not loaded yet."""
    days = _FIXED_HOLIDAYS + _LUNAR_ESTIMATES.get(year, ())
    return frozenset(dt.date(year, m, d) for m, d in days)


@dataclass(frozen=True)
class DueDate:
    """A computed date and whether it rests on an estimated (unloaded) year."""

    date: dt.date
    provisional: bool


@dataclass(frozen=True)
class WorkingCalendar:
    """The calendar in force: loaded years, and the estimate for every other year."""

    schedules: dict[int, YearSchedule]
    version: int = 0

    def is_scheduled(self, year: int) -> bool:
        return year in self.schedules

    @cached_property
    def _estimates(self) -> dict[int, frozenset[dt.date]]:
        return {}

    def is_working_day(self, day: dt.date) -> bool:
        schedule = self.schedules.get(day.year)
        if schedule is not None:
            return schedule.is_working_day(day)
        if day.year not in self._estimates:
            self._estimates[day.year] = estimated_holidays(day.year)
        return day.weekday() < 5 and day not in self._estimates[day.year]

    def next_working_day_on_or_after(self, day: dt.date) -> DueDate:
        """A submission received on a non-working day counts from the next working day."""
        provisional = not self.is_scheduled(day.year)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
            provisional |= not self.is_scheduled(day.year)
        return DueDate(day, provisional)

    def add_working_days(self, start: dt.date, days: int) -> DueDate:
        """The date ``days`` working days after ``start``; the start day itself is not counted."""
        if days < 0:
            raise ValueError("days must be ≥ 0")
        day, counted = start, 0
        provisional = False
        while counted < days:
            day += dt.timedelta(days=1)
            provisional |= not self.is_scheduled(day.year)
            if self.is_working_day(day):
                counted += 1
        return DueDate(day, provisional)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many have been used by ``end``; 0 if end ≤ start."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def touches_unscheduled_year(self, start: dt.date, end: dt.date) -> bool:
        return any(not self.is_scheduled(y) for y in range(start.year, end.year + 1))


class HolidayCalendar(Aggregate):
    """The ADMIN-maintained calendar aggregate (one per deployment, id ``CALENDAR_ID``)."""

    class Opened(Aggregate.Created):
        """The calendar started, seeded with official schedules (e.g. chinesecalendar's data)."""

        schedules: tuple[YearSchedule, ...]

        def apply(self, aggregate: Any) -> None:
            aggregate.schedules = {s.year: s for s in self.schedules}

    class YearScheduleLoaded(Aggregate.Event):
        """An ADMIN loaded (or corrected) one year's State Council schedule."""

        schedule: YearSchedule

        def apply(self, aggregate: Any) -> None:
            aggregate.schedules = {**aggregate.schedules, self.schedule.year: self.schedule}

    schedules: dict[int, YearSchedule]

    @classmethod
    def open(cls, seed: Iterable[YearSchedule], actor: Actor, at: dt.datetime) -> HolidayCalendar:
        return cls._create(
            cls.Opened, id=CALENDAR_ID, schedules=tuple(seed), actor=actor, timestamp=at
        )

    def load_year(self, schedule: YearSchedule, actor: Actor, at: dt.datetime) -> None:
        self.trigger_event(self.YearScheduleLoaded, schedule=schedule, actor=actor, timestamp=at)

    def working_calendar(self) -> WorkingCalendar:
        return WorkingCalendar(schedules=dict(self.schedules), version=self.version)
