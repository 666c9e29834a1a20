"""An independent oracle for the working-day calendar: the ``holidays`` package's China
calendar (vacanza/holidays, maintained apart from chinesecalendar, each year checked against
the State Council's notice).

How ``holidays.China`` (``country_holidays("CN")``) marks days (holidays/countries/china.py, holiday_base.py): every key of
the mapping is a day off — statutory holidays, their 补假 ("… (observed)") and the 调休 days off
("Day off (substituted from MM/DD/YYYY)"). The date in a "substituted from" label is the
weekend day worked in exchange (调休上班), unless that date is itself a day off (a holiday
moved twice). Its own ``is_working_day`` reads the same; we check our reading of the labels
against it, so the oracle rests on the labels, not on one method.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from functools import cache

import chinese_calendar
import holidays
import pytest

from xuke.application.calendar_seed import chinesecalendar_schedules
from xuke.domain.calendar import WorkingCalendar, estimated_holidays

D = dt.date
FIRST, LAST = D(2010, 1, 1), D(2026, 12, 31)
SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


@cache
def china() -> holidays.HolidayBase:
    """2010-2026 in English, so the substitution labels have one known format."""
    return holidays.country_holidays("CN", years=range(FIRST.year, LAST.year + 1), language="en_US")


@cache
def oracle_make_up_workdays() -> frozenset[dt.date]:
    """Weekend days worked in exchange for a day off, as the labels name them."""
    named = {
        D(int(y), int(m), int(d))
        for label in china().values()
        for m, d, y in SUBSTITUTED.findall(label)
    }
    return frozenset(day for day in named if day.weekday() >= 5 and day not in china())


def oracle_is_working_day(day: dt.date) -> bool:
    if day.weekday() >= 5:
        return day in oracle_make_up_workdays()
    return day not in china()


@cache
def calendar() -> WorkingCalendar:
    return WorkingCalendar({s.year: s for s in chinesecalendar_schedules()})


def every_day(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def test_our_reading_of_the_labels_is_the_packages_own() -> None:
    assert oracle_make_up_workdays(), "no substitution labels found: has the format changed?"
    for day in every_day(FIRST, LAST):
        assert oracle_is_working_day(day) == china().is_working_day(day), day


def test_the_two_sources_agree_day_for_day_from_2010_to_2026() -> None:
    # No exceptions needed: as of holidays 0.109 and chinesecalendar 1.11 they agree on every
    # day. If a future release disagrees, list the day here with the notice that settles it.
    disagreements = [
        day
        for day in every_day(FIRST, LAST)
        if oracle_is_working_day(day) == chinese_calendar.is_holiday(day)
    ]
    assert disagreements == []


def test_the_seeded_calendar_agrees_with_the_oracle_day_for_day() -> None:
    for day in every_day(FIRST, LAST):
        assert calendar().is_working_day(day) == oracle_is_working_day(day), day


def oracle_add_working_days(start: dt.date, n: int) -> dt.date:
    """Art. 82 counting from the oracle alone: the start day is not counted."""
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        counted += oracle_is_working_day(day)
    return day


def random_counts(count: int, seed: int) -> list[tuple[dt.date, int, dt.date]]:
    """Deterministic (start, n, expected) triples whose count ends within 2026."""
    rng, span = random.Random(seed), (LAST - FIRST).days
    pairs: list[tuple[dt.date, int, dt.date]] = []
    while len(pairs) < count:
        start = FIRST + dt.timedelta(days=rng.randrange(span + 1))
        n = rng.randint(1, 80)
        due = oracle_add_working_days(start, n)
        if due <= LAST:
            pairs.append((start, n, due))
    return pairs


def test_add_working_days_agrees_with_the_oracle_on_random_counts() -> None:
    wrong = [
        (start, n, due, calendar().add_working_days(start, n).date)
        for start, n, due in random_counts(4000, seed=82)
        if calendar().add_working_days(start, n).date != due
    ]
    assert wrong == []


def test_counts_ending_within_2026_are_not_provisional() -> None:
    for start, n, _ in random_counts(500, seed=83):
        assert not calendar().add_working_days(start, n).provisional


@pytest.mark.parametrize("year", [2027, 2028, 2029, 2030])
def test_the_estimate_for_an_unscheduled_year_is_the_packages_reading_too(year: int) -> None:
    # With no notice for the year, holidays.China applies the statutory days and moves a
    # weekend holiday to the next free weekday (补假) — the same rule as our estimate, and an
    # independent check of our lunar table.
    assert frozenset(holidays.country_holidays("CN", years=year)) == estimated_holidays(year)
