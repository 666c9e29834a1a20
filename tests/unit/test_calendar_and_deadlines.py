"""Art. 82 and the legal clocks as dated scenarios over the real 2026 holidays."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest

from xuke.application.calendar_seed import chinesecalendar_schedules, schedule_for
from xuke.domain.calendar import WorkingCalendar, YearSchedule
from xuke.domain.deadlines import (
    CaseClock,
    Light,
    LightThresholds,
    SuspensionPeriod,
    acceptance_due,
    compute_deadlines,
    public_notice_served_on,
)
from xuke.domain.errors import ValidationFailed

D = dt.date


@cache
def official() -> WorkingCalendar:
    return WorkingCalendar({s.year: s for s in chinesecalendar_schedules()})


def with_2027(extra_holidays: frozenset[dt.date] = frozenset()) -> WorkingCalendar:
    holidays = frozenset({D(2027, 1, 1)}) | extra_holidays
    year = YearSchedule(year=2027, holidays=holidays, source="test schedule")
    return WorkingCalendar({**official().schedules, 2027: year}, version=2)


def test_a_20_day_item_accepted_on_29_september_2026_is_due_on_2_november() -> None:
    # National Day 1-7 October are off, Saturday 10 October is a make-up working day.
    assert official().add_working_days(D(2026, 9, 29), 20).date == D(2026, 11, 2)


def test_the_count_crosses_spring_festival_2026_and_its_make_up_saturdays() -> None:
    # 15-23 Feb off; Saturdays 14 and 28 Feb are working days.
    due = official().add_working_days(D(2026, 2, 10), 20)
    assert due.date == D(2026, 3, 16)
    assert not due.provisional


def test_the_day_of_the_event_is_not_counted() -> None:
    assert official().add_working_days(D(2026, 11, 23), 1).date == D(2026, 11, 24)
    assert official().add_working_days(D(2026, 11, 27), 1).date == D(2026, 11, 30)


def test_a_make_up_weekend_day_is_a_working_day_and_a_holiday_weekday_is_not() -> None:
    assert official().is_working_day(D(2026, 10, 10))
    assert not official().is_working_day(D(2026, 10, 5))


def test_acceptance_is_due_five_working_days_after_receipt() -> None:
    clock = CaseClock(received_on=D(2026, 9, 28), legal_days=20)
    assert acceptance_due(clock, official()).date == D(2026, 10, 10)


def test_a_receipt_on_a_holiday_keeps_its_date_and_counts_working_days_from_the_next_day() -> None:
    # SAMR 77, Law 32: received Saturday 3 October (National Day, 1-7 Oct off); counting
    # starts on the 4th and takes working days only: 8, 9, 10 (make-up Saturday), 12, 13.
    clock = CaseClock(received_on=D(2026, 10, 3), legal_days=20)
    assert acceptance_due(clock, official()).date == D(2026, 10, 13)


def test_a_saturday_receipt_is_due_on_friday() -> None:
    clock = CaseClock(received_on=D(2026, 3, 7), legal_days=20)  # the example
    assert acceptance_due(clock, official()).date == D(2026, 3, 13)


def test_a_deadline_running_into_an_unloaded_year_is_provisional_until_it_is_loaded() -> None:
    clock = CaseClock(received_on=D(2026, 11, 20), legal_days=60, accepted_on=D(2026, 11, 26))
    today = D(2026, 11, 26)
    estimate = compute_deadlines(clock, official(), today)
    assert estimate.provisional
    # The estimate keeps New Year's Day and the estimated Spring Festival (5-8 Feb) off, and
    # makes up Saturday 6 and Sunday 7 Feb (补假) on Tuesday 9 and Wednesday 10 Feb.
    assert estimate.decision_due == D(2027, 2, 25)
    # The State Council's (here: a test) schedule gives a longer Spring Festival break.
    spring_festival = frozenset(D(2027, 2, d) for d in range(5, 12) if D(2027, 2, d).weekday() < 5)
    loaded = compute_deadlines(clock, with_2027(spring_festival), today)
    assert not loaded.provisional
    assert loaded.decision_due == D(2027, 2, 26)


def test_an_estimated_year_keeps_the_fixed_date_holidays_off() -> None:
    calendar = official()
    assert not calendar.is_scheduled(2028)
    for day in (D(2028, 5, 1), D(2028, 5, 2), D(2028, 10, 2), D(2028, 10, 3)):
        assert not calendar.is_working_day(day), day


def test_suspended_working_days_move_the_decision_deadline() -> None:
    base = CaseClock(received_on=D(2026, 9, 28), legal_days=20, accepted_on=D(2026, 9, 29))
    suspended = CaseClock(
        received_on=D(2026, 9, 28),
        legal_days=20,
        accepted_on=D(2026, 9, 29),
        suspensions=(SuspensionPeriod(D(2026, 10, 12), D(2026, 10, 16)),),  # 13-16: 4 days
    )
    today = D(2026, 10, 20)
    assert compute_deadlines(base, official(), today).decision_due == D(2026, 11, 2)
    moved = compute_deadlines(suspended, official(), today)
    assert moved.working_days_suspended == 4
    assert moved.decision_due == D(2026, 11, 6)
    # Used: 30 Sep, 8, 9, 10, 12-16, 19, 20 October = 11 days, less 4 suspended.
    assert moved.working_days_used == 7


def test_the_extension_adds_ten_working_days() -> None:
    clock = CaseClock(
        received_on=D(2026, 9, 28), legal_days=20, accepted_on=D(2026, 9, 29), extended=True
    )
    assert compute_deadlines(clock, official(), D(2026, 10, 20)).decision_due == D(2026, 11, 16)


def test_service_is_due_ten_working_days_after_the_decision() -> None:
    # Mid-Autumn (25 Sep) and National Day are off, 10 October is worked.
    clock = CaseClock(
        received_on=D(2026, 9, 1),
        legal_days=20,
        accepted_on=D(2026, 9, 2),
        decided_on=D(2026, 9, 24),
    )
    assert compute_deadlines(clock, official(), D(2026, 9, 24)).service_due == D(2026, 10, 15)


def test_service_by_public_notice_is_deemed_done_thirty_days_later() -> None:
    assert public_notice_served_on(D(2026, 11, 2)) == D(2026, 12, 2)


@pytest.mark.parametrize(
    ("today", "light"),
    [
        (D(2026, 10, 9), Light.GREEN),  # 17 of 20 days left
        (D(2026, 10, 21), Light.GREEN),  # 12 of 20 used
        (D(2026, 10, 23), Light.YELLOW),  # 14 of 20: over 2/3 used
        (D(2026, 10, 29), Light.YELLOW),  # 2 days left
        (D(2026, 11, 2), Light.YELLOW),  # the last day
        (D(2026, 11, 3), Light.RED),  # overdue, without any new event
    ],
)
def test_the_light_changes_with_today_alone(today: dt.date, light: Light) -> None:
    clock = CaseClock(received_on=D(2026, 9, 28), legal_days=20, accepted_on=D(2026, 9, 29))
    assert compute_deadlines(clock, official(), today).light is light


def test_light_thresholds_are_configurable() -> None:
    clock = CaseClock(received_on=D(2026, 9, 28), legal_days=20, accepted_on=D(2026, 9, 29))
    strict = LightThresholds(yellow_days_left=17, yellow_fraction_used=0.9)
    assert compute_deadlines(clock, official(), D(2026, 10, 9)).light is Light.GREEN
    assert compute_deadlines(clock, official(), D(2026, 10, 9), strict).light is Light.YELLOW


def test_a_decision_made_in_time_stays_green_after_the_deadline() -> None:
    clock = CaseClock(
        received_on=D(2026, 9, 28), legal_days=20, accepted_on=D(2026, 9, 29),
        decided_on=D(2026, 10, 30), served_on=D(2026, 11, 2),
    )  # fmt: skip
    assert compute_deadlines(clock, official(), D(2027, 3, 1)).light is Light.GREEN


def test_a_year_schedule_must_stay_inside_its_year() -> None:
    with pytest.raises(ValidationFailed):
        schedule_for(2027, frozenset({D(2026, 12, 31)}), frozenset(), "x")
    with pytest.raises(ValidationFailed):
        schedule_for(2027, frozenset({D(2027, 2, 6)}), frozenset({D(2027, 2, 6)}), "x")
