"""The working-day calendar (Art. 82: periods count working days, not statutory holidays).

The calendar is an aggregate: loading a year's State Council schedule (holidays and make-up
working days, 调休) is an event, so every deadline can say which calendar it was computed on
and can be recomputed when a new year is loaded. A year with no loaded schedule falls back to
an estimate — weekends, the fixed-date statutory holidays and the lunar festivals where we know
their dates — and every deadline that touches it is ``provisional``.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
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
        base, counts = self._index
        i = day.toordinal() - base
        if 0 < i < len(counts):
            return counts[i] != counts[i - 1]
        return self._is_working_day(day)

    def _is_working_day(self, day: dt.date) -> bool:
        schedule = self.schedules.get(day.year)
        if schedule is not None:
            return schedule.is_working_day(day)
        if day.year not in self._estimates:
            self._estimates[day.year] = estimated_holidays(day.year)
        return day.weekday() < 5 and day not in self._estimates[day.year]

    @cached_property
    def _index(self) -> tuple[int, list[int]]:
        """Cumulative working-day counts from the first scheduled year to ten years past the
        last: counting becomes a subtraction, adding a bisection."""
        years = sorted(self.schedules) or [dt.date.today().year]
        first, last = dt.date(years[0], 1, 1), dt.date(years[-1] + 10, 12, 31)
        counts, total, day = [], 0, first
        while day <= last:
            total += self._is_working_day(day)
            counts.append(total)
            day += dt.timedelta(days=1)
        return first.toordinal(), counts

    def next_working_day_on_or_after(self, day: dt.date) -> DueDate:
        """A submission received on a non-working day counts from the next working day."""
        start = day
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return DueDate(day, self.touches_unscheduled_year(start, day))

    def add_working_days(self, start: dt.date, days: int) -> DueDate:
        """The date ``days`` working days after ``start``; the start day itself is not counted."""
        if days < 0:
            raise ValueError("days must be ≥ 0")
        if days == 0:
            return DueDate(start, False)
        base, counts = self._index
        i = start.toordinal() - base
        if 0 <= i < len(counts):
            j = bisect_left(counts, counts[i] + days, lo=i + 1)
            if j < len(counts):
                due = dt.date.fromordinal(base + j)
                return DueDate(
                    due, self.touches_unscheduled_year(start + dt.timedelta(days=1), due)
                )
        day, counted = start, 0  # outside the index: count day by day
        while counted < days:
            day += dt.timedelta(days=1)
            counted += self.is_working_day(day)
        return DueDate(day, self.touches_unscheduled_year(start + dt.timedelta(days=1), day))

    def nth_working_day_back(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day counting back from ``day`` (``day`` itself is the first when
        it is a working day)."""
        base, counts = self._index
        i = day.toordinal() - base
        if 0 <= i < len(counts) and counts[i] - n + 1 >= 1:
            return dt.date.fromordinal(base + bisect_left(counts, counts[i] - n + 1))
        seen = 0
        while True:
            if self.is_working_day(day):
                seen += 1
                if seen == n:
                    return day
            day -= dt.timedelta(days=1)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many have been used by ``end``; 0 if end ≤ start."""
        if end <= start:
            return 0
        base, counts = self._index
        i, j = start.toordinal() - base, end.toordinal() - base
        if i >= 0 and j < len(counts):
            return counts[j] - counts[i]
        return sum(
            self.is_working_day(start + dt.timedelta(days=n))
            for n in range(1, (end - start).days + 1)
        )

    def touches_unscheduled_year(self, start: dt.date, end: dt.date) -> bool:
        """Does a count from ``start`` to ``end`` rest on an estimated year?"""
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
