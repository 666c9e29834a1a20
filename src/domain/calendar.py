"""The working-day calendar (Art. 82: periods count working days, not statutory holidays).

The calendar is an aggregate: loading a year's State Council schedule (holidays and make-up
working days, 调休) is an event, so every deadline can say which calendar it was computed on
and can be recomputed when a new year is loaded. A year with no loaded schedule falls back to
an estimate — weekends, the fixed-date statutory holidays, the lunar festivals where we know
their dates and the make-up day (补假) for each of them that falls on a weekend — and every
deadline that touches it is ``provisional``. Nothing irreversible is decided on that estimate:
``WorkingCalendar.latest_plausible`` reads unloaded years as generously as any schedule could be.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from xuke.domain.model import Actor, Aggregate, Immutable

CALENDAR_ID: UUID = uuid5(NAMESPACE_URL, "xuke:working-day-calendar")

Estimate = Literal["central", "latest"]
"""How a year with no loaded schedule is read: ``central`` is our best guess; ``latest`` the
latest plausible reading (a generous superset of days off, so counts end no earlier)."""

# Fixed-date statutory holidays (《全国年节及纪念日放假办法》, 2024 revision in force 2025):
# New Year 1 Jan; Labour Day 1-2 May (two days since 2025); National Day 1-3 Oct.
_FIXED_HOLIDAYS: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = (
    ("元旦", ((1, 1),)),
    ("劳动节", ((5, 1), (5, 2))),
    ("国庆节", ((10, 1), (10, 2), (10, 3))),
)

# The latest plausible reading of the fixed-date breaks (name, month, first day, last day):
# wider than any State Council schedule has made them with 调休.
_LATEST_FIXED: tuple[tuple[str, int, int, int], ...] = (
    ("元旦", 1, 1, 3),
    ("劳动节", 5, 1, 5),
    ("国庆节", 10, 1, 8),
)

# Lunar festivals on the Gregorian calendar, for the estimate only: Spring Festival (eve and
# first three days, four days since 2025), Qingming, Dragon Boat, Mid-Autumn. Our own table of
# astronomical dates; the State Council's schedule replaces all of it when a year is loaded.
_LUNAR_ESTIMATES: dict[int, tuple[tuple[int, int], ...]] = {
    2027: ((2, 5), (2, 6), (2, 7), (2, 8), (4, 5), (6, 9), (9, 15)),
    2028: ((1, 25), (1, 26), (1, 27), (1, 28), (4, 4), (5, 28), (10, 3)),
    2029: ((2, 12), (2, 13), (2, 14), (2, 15), (4, 4), (6, 16), (9, 22)),
    2030: ((2, 2), (2, 3), (2, 4), (2, 5), (4, 5), (6, 5), (9, 12)),
}
_LUNAR_NAMES = ("春节", "春节", "春节", "春节", "清明节", "端午节", "中秋节")

_ONE_DAY = dt.timedelta(days=1)


class YearSchedule(Immutable):
    """One year's official schedule: days off and make-up working days (调休上班).

    ``names`` says which holiday a day off belongs to (for ``day_off_reason``); events stored
    before it existed decode with none."""

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date] = frozenset()
    source: str = ""
    names: dict[dt.date, str] = Field(default_factory=dict)

    def __hash__(self) -> int:
        """Frozen but holding a dict: hash the names as a frozenset of pairs."""
        return hash(
            (self.year, self.holidays, self.workdays, self.source, frozenset(self.names.items()))
        )

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def _name(days: dict[dt.date, str], day: dt.date, name: str) -> None:
    """Two festivals on one day (Mid-Autumn on 3 Oct 2028) keep both names."""
    if day not in days:
        days[day] = name
    elif name not in days[day].split("、"):
        days[day] = f"{days[day]}、{name}"


def _central_holidays(year: int) -> dict[dt.date, str]:
    """The statutory holiday days themselves: the fixed dates and our lunar table."""
    days: dict[dt.date, str] = {}
    for name, dates in _FIXED_HOLIDAYS:
        for month, day in dates:
            _name(days, dt.date(year, month, day), name)
    for name, (month, day) in zip(_LUNAR_NAMES, _LUNAR_ESTIMATES.get(year, ()), strict=False):
        _name(days, dt.date(year, month, day), name)
    return days


def _latest_holidays(year: int) -> dict[dt.date, str]:
    """A superset of any plausible schedule: Spring Festival eve through the 7th day of the
    first month, 1-3 Jan, 1-5 May, 1-8 Oct, and each other lunar festival ±1 day."""
    days: dict[dt.date, str] = {}
    for name, month, first, last in _LATEST_FIXED:
        for day in range(first, last + 1):
            _name(days, dt.date(year, month, day), name)
    lunar = _LUNAR_ESTIMATES.get(year)
    if lunar:
        eve = dt.date(year, *lunar[0])
        for n in range(8):
            _name(days, eve + n * _ONE_DAY, "春节")
        for name, (month, day) in zip(_LUNAR_NAMES[4:], lunar[4:], strict=True):
            for n in (-1, 0, 1):
                _name(days, dt.date(year, month, day) + n * _ONE_DAY, name)
    return days


def _with_make_up_days(holidays: dict[dt.date, str]) -> dict[dt.date, str]:
    """补假 (《全国年节及纪念日放假办法》): a holiday on a Saturday or Sunday is made up on the
    next Monday-Friday that is not already off, so consecutive weekend holidays get
    consecutive make-up days. Returns the holidays and the make-up days, named."""
    days = dict(holidays)
    for day in sorted(d for d in holidays if d.weekday() >= 5):
        make_up = day + _ONE_DAY
        while make_up.weekday() >= 5 or make_up in days:
            make_up += _ONE_DAY
        days[make_up] = f"补假（{holidays[day]}）"
    return days


def estimated_days_off(year: int, *, estimate: Estimate = "central") -> dict[dt.date, str]:
    """The named weekday-or-weekend days off we assume for a year whose schedule is not loaded.

    The latest reading also keeps every central day off, so it is a superset by construction."""
    central = _with_make_up_days(_central_holidays(year))
    if estimate == "central":
        return central
    return {**central, **_with_make_up_days(_latest_holidays(year))}


def estimated_holidays(year: int, *, estimate: Estimate = "central") -> frozenset[dt.date]:
    """The days off we assume for a year whose schedule is not loaded yet (补假 included)."""
    return frozenset(estimated_days_off(year, estimate=estimate))


@dataclass(frozen=True)
class DueDate:
    """A computed date and whether it rests on an estimated (unloaded) year."""

    date: dt.date
    provisional: bool


@dataclass(frozen=True)
class WorkingCalendar:
    """The calendar in force: loaded years, and the estimate for every other year.

    ``estimate`` says how unloaded years are read: the central estimate for the deadlines we
    show, the latest plausible one (``latest_plausible``) before anything irreversible."""

    schedules: dict[int, YearSchedule]
    version: int = 0
    estimate: Estimate = "central"

    def is_scheduled(self, year: int) -> bool:
        return year in self.schedules

    @cached_property
    def latest_plausible(self) -> WorkingCalendar:
        """The same loaded years with the latest plausible reading of the others: a deemed
        acceptance or a DEADLINE_PASSED refusal must not rest on a day an estimate guessed."""
        if self.estimate == "latest":
            return self
        return replace(self, estimate="latest")

    @cached_property
    def _estimates(self) -> dict[int, dict[dt.date, str]]:
        return {}

    def _estimated(self, year: int) -> dict[dt.date, str]:
        if year not in self._estimates:
            self._estimates[year] = estimated_days_off(year, estimate=self.estimate)
        return self._estimates[year]

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
        return day.weekday() < 5 and day not in self._estimated(day.year)

    def day_off_reason(self, day: dt.date) -> str | None:
        """Why ``day`` is not a working day (None when it is one, 调休上班 included): the
        holiday's name, or 周末 — so a notice can say why a deadline moved."""
        if self.is_working_day(day):
            return None
        schedule = self.schedules.get(day.year)
        if schedule is None:
            return self._estimated(day.year).get(day, "周末")
        if day in schedule.holidays:
            return schedule.names.get(day, "法定节假日")
        return "周末"

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
