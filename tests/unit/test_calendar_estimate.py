"""The estimate for unloaded years (补假 included), holiday names, ``day_off_reason`` and the
latest plausible reading. Expected dates are worked out by hand from a 2027/2028 wall calendar:
1 Jan 2027 is a Friday, 1 May 2027 a Saturday, 1 Oct 2027 a Friday, 1 Jan 2028 a Saturday."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xuke.application.calendar_seed import chinesecalendar_schedules, parse_year_file
from xuke.domain.calendar import (
    WorkingCalendar,
    YearSchedule,
    estimated_days_off,
    estimated_holidays,
)
from xuke.domain.errors import ValidationFailed

D = dt.date


@cache
def official() -> WorkingCalendar:
    """The seed alone: 2004-2026 loaded, 2027 onwards estimated."""
    return WorkingCalendar({s.year: s for s in chinesecalendar_schedules()}, version=3)


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


# --- 补假 in the central estimate --------------------------------------------------------------

# The 2027 estimate by hand: 元旦 1 Jan (Fri); 春节 5 Feb (Fri, eve) to 8 Feb (Mon); 清明 5 Apr
# (Mon); 劳动节 1-2 May (Sat, Sun); 端午 9 Jun (Wed); 中秋 15 Sep (Wed); 国庆 1-3 Oct (Fri-Sun).
# Weekend holidays: 6, 7 Feb; 1, 2 May; 2, 3 Oct. Their make-up days: 6 Feb -> Tue 9 Feb (Mon
# 8 Feb is already off), 7 Feb -> Wed 10 Feb; 1 May -> Mon 3 May, 2 May -> Tue 4 May;
# 2 Oct -> Mon 4 Oct, 3 Oct -> Tue 5 Oct.
HOLIDAYS_2027 = {
    D(2027, 1, 1),
    *days_between(D(2027, 2, 5), D(2027, 2, 8)),
    D(2027, 4, 5),
    D(2027, 5, 1),
    D(2027, 5, 2),
    D(2027, 6, 9),
    D(2027, 9, 15),
    *days_between(D(2027, 10, 1), D(2027, 10, 3)),
}
MAKE_UP_2027 = {
    D(2027, 2, 9),
    D(2027, 2, 10),
    D(2027, 5, 3),
    D(2027, 5, 4),
    D(2027, 10, 4),
    D(2027, 10, 5),
}


def test_the_2027_estimate_makes_up_each_weekend_holiday_on_the_next_free_weekday() -> None:
    assert estimated_holidays(2027) == frozenset(HOLIDAYS_2027 | MAKE_UP_2027)


def test_make_up_days_are_not_working_days_and_the_day_after_them_is() -> None:
    calendar = official()
    for day in MAKE_UP_2027:
        assert not calendar.is_working_day(day), day
    for day in (D(2027, 2, 11), D(2027, 5, 5), D(2027, 10, 6)):
        assert calendar.is_working_day(day), day


def test_counting_over_the_2027_spring_festival_skips_the_make_up_days() -> None:
    # Thursday 4 Feb + 1: 5 (eve), 6-7 (weekend), 8 (春节), 9-10 (补假) are off.
    due = official().add_working_days(D(2027, 2, 4), 1)
    assert due.date == D(2027, 2, 11)
    assert due.provisional


def test_a_new_years_day_on_saturday_is_made_up_on_monday() -> None:
    # 1 Jan 2028 is a Saturday; Sunday 2 Jan is no holiday, so Monday 3 Jan is the 补假.
    assert D(2028, 1, 3) in estimated_holidays(2028)
    assert D(2028, 1, 2) not in estimated_holidays(2028)
    assert estimated_days_off(2028)[D(2028, 1, 3)] == "补假（元旦）"


def test_the_estimate_names_its_days() -> None:
    names = estimated_days_off(2027)
    assert names[D(2027, 1, 1)] == "元旦"
    assert names[D(2027, 2, 5)] == "春节"
    assert names[D(2027, 4, 5)] == "清明节"
    assert names[D(2027, 5, 2)] == "劳动节"
    assert names[D(2027, 6, 9)] == "端午节"
    assert names[D(2027, 9, 15)] == "中秋节"
    assert names[D(2027, 10, 3)] == "国庆节"
    assert names[D(2027, 2, 9)] == names[D(2027, 2, 10)] == "补假（春节）"
    assert names[D(2027, 5, 4)] == "补假（劳动节）"
    assert names[D(2027, 10, 5)] == "补假（国庆节）"


def test_two_festivals_on_one_day_keep_both_names() -> None:
    # Mid-Autumn 2028 falls on 3 October, inside National Day.
    assert estimated_days_off(2028)[D(2028, 10, 3)] == "国庆节、中秋节"


# --- names on a loaded schedule ----------------------------------------------------------------


def test_year_schedule_names_survive_a_json_round_trip_with_date_keys() -> None:
    schedule = YearSchedule(
        year=2027,
        holidays=frozenset({D(2027, 1, 1), D(2027, 2, 6)}),
        names={D(2027, 1, 1): "元旦", D(2027, 2, 6): "春节"},
        source="test",
    )
    decoded = YearSchedule.model_validate_json(schedule.model_dump_json())
    assert decoded == schedule
    assert decoded.names == {D(2027, 1, 1): "元旦", D(2027, 2, 6): "春节"}
    assert hash(decoded) == hash(schedule)


def test_a_schedule_stored_before_names_existed_still_decodes() -> None:
    old = '{"year": 2027, "holidays": ["2027-01-01"], "workdays": [], "source": "old event"}'
    assert YearSchedule.model_validate_json(old).names == {}


def test_the_seed_names_every_holiday_in_chinese() -> None:
    schedules = {s.year: s for s in chinesecalendar_schedules()}
    assert all(s.names.keys() == s.holidays for s in schedules.values())
    assert schedules[2026].names[D(2026, 2, 17)] == "春节"
    assert schedules[2026].names[D(2026, 4, 6)] == "清明节"
    assert schedules[2026].names[D(2026, 6, 19)] == "端午节"
    assert schedules[2026].names[D(2026, 9, 25)] == "中秋节"
    assert schedules[2026].names[D(2026, 10, 7)] == "国庆节"
    assert schedules[2026].names[D(2026, 5, 5)] == "劳动节"
    assert schedules[2026].names[D(2026, 1, 2)] == "元旦"
    assert schedules[2015].names[D(2015, 9, 3)] == "抗战胜利纪念日"


def write_year(tmp_path: Path, body: object) -> Path:
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(body, ensure_ascii=False), "utf-8")
    return path


def test_a_year_file_may_name_its_holidays(tmp_path: Path) -> None:
    path = write_year(
        tmp_path,
        {
            "holidays": ["2027-01-01", "2027-02-06"],
            "workdays": ["2027-02-20"],
            "names": {"2027-01-01": "元旦", "2027-02-06": "春节"},
            "source": "国务院办公厅通知",
        },
    )
    schedule = parse_year_file(2027, path)
    assert schedule.names == {D(2027, 1, 1): "元旦", D(2027, 2, 6): "春节"}
    assert parse_year_file(2027, write_year(tmp_path, {"holidays": []})).names == {}


@pytest.mark.parametrize(
    "names",
    [
        {"2027-03-01": "春节"},  # not one of the holidays
        ["2027-01-01"],  # not an object
        {"1 Jan": "元旦"},  # not a date
    ],
)
def test_a_year_file_with_bad_names_is_refused(tmp_path: Path, names: object) -> None:
    path = write_year(tmp_path, {"holidays": ["2027-01-01"], "names": names})
    with pytest.raises(ValidationFailed):
        parse_year_file(2027, path)


# --- day_off_reason ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (D(2026, 2, 12), None),  # an ordinary Thursday
        (D(2026, 2, 14), None),  # Saturday made a working day (调休上班)
        (D(2026, 3, 1), "周末"),  # an ordinary Sunday
        (D(2026, 2, 15), "春节"),  # a Sunday inside the Spring Festival break
        (D(2026, 10, 5), "国庆节"),
        (D(2015, 9, 3), "抗战胜利纪念日"),
        (D(2027, 2, 9), "补假（春节）"),  # estimated
        (D(2027, 2, 13), "周末"),  # estimated year, ordinary Saturday
        (D(2027, 2, 11), None),  # estimated year, working day
    ],
)
def test_day_off_reason(day: dt.date, reason: str | None) -> None:
    assert official().day_off_reason(day) == reason


def test_a_loaded_holiday_without_a_name_falls_back_to_a_generic_reason() -> None:
    year = YearSchedule(year=2027, holidays=frozenset({D(2027, 3, 3)}), source="test")
    calendar = WorkingCalendar({**official().schedules, 2027: year})
    assert calendar.day_off_reason(D(2027, 3, 3)) == "法定节假日"
    assert calendar.day_off_reason(D(2027, 2, 9)) is None  # loaded: no estimated 补假 any more


@pytest.mark.parametrize("latest", [False, True])
def test_day_off_reason_agrees_with_is_working_day_every_day(latest: bool) -> None:
    calendar = official().latest_plausible if latest else official()
    for day in days_between(D(2024, 1, 1), D(2031, 12, 31)):
        assert (calendar.day_off_reason(day) is None) == calendar.is_working_day(day), day


# --- the latest plausible reading --------------------------------------------------------------


def test_latest_plausible_keeps_the_schedules_and_version_and_is_its_own_latest() -> None:
    central = official()
    latest = central.latest_plausible
    assert latest.schedules == central.schedules
    assert latest.version == central.version
    assert latest.latest_plausible is latest
    assert central.latest_plausible is latest  # cached


def test_loaded_years_read_the_same_on_the_latest_plausible_calendar() -> None:
    central, latest = official(), official().latest_plausible
    for day in days_between(D(2004, 1, 1), D(2026, 12, 31)):
        assert latest.is_working_day(day) == central.is_working_day(day), day


def test_the_latest_reading_of_spring_festival_2027_runs_to_16_february() -> None:
    # Eve 5 Feb to the 7th day 12 Feb off; Saturday 6 and Sunday 7 Feb made up after the
    # break on Monday 15 and Tuesday 16 Feb (13-14 are a weekend): the first working day is
    # Wednesday 17 Feb.
    latest = official().latest_plausible
    for day in days_between(D(2027, 2, 5), D(2027, 2, 16)):
        assert not latest.is_working_day(day), day
    assert latest.add_working_days(D(2027, 2, 4), 1).date == D(2027, 2, 17)
    assert latest.day_off_reason(D(2027, 2, 15)) == "补假（春节）"


def test_the_latest_reading_of_national_day_2027_runs_to_12_october() -> None:
    # 1-8 Oct off (Fri to Fri); Saturday 2 and Sunday 3 made up on Monday 11 and Tuesday 12
    # (9-10 are a weekend). Central: 1-3 Oct, 补假 4-5 Oct, so Wednesday 6 Oct.
    assert official().add_working_days(D(2027, 9, 30), 1).date == D(2027, 10, 6)
    assert official().latest_plausible.add_working_days(D(2027, 9, 30), 1).date == D(2027, 10, 13)


def test_the_latest_reading_widens_the_other_festivals_by_a_day_each_side() -> None:
    latest = official().latest_plausible
    # 端午 Wednesday 9 Jun 2027: Tuesday 8 and Thursday 10 off too; Friday 11 works.
    assert [latest.is_working_day(D(2027, 6, d)) for d in range(7, 12)] == [
        True,
        False,
        False,
        False,
        True,
    ]
    # 1-3 Jan 2027: Sat 2 and Sun 3 are made up on Mon 4 and Tue 5.
    assert latest.add_working_days(D(2026, 12, 31), 1).date == D(2027, 1, 6)


def test_every_central_day_off_is_off_in_the_latest_reading() -> None:
    central, latest = official(), official().latest_plausible
    for day in days_between(D(2027, 1, 1), D(2032, 12, 31)):
        assert central.is_working_day(day) or not latest.is_working_day(day), day


@settings(max_examples=2000, deadline=None)
@given(
    start=st.dates(min_value=D(2025, 1, 1), max_value=D(2031, 12, 31)),
    n=st.integers(min_value=0, max_value=200),
)
def test_the_latest_plausible_due_date_is_never_earlier(start: dt.date, n: int) -> None:
    central, latest = official(), official().latest_plausible
    assert latest.add_working_days(start, n).date >= central.add_working_days(start, n).date


def naive_add(calendar: WorkingCalendar, start: dt.date, n: int) -> dt.date:
    """Day by day from the public pieces: loaded schedules, else weekends and the estimate."""

    def working(day: dt.date) -> bool:
        if day.year in calendar.schedules:
            return calendar.schedules[day.year].is_working_day(day)
        off = estimated_holidays(day.year, estimate=calendar.estimate)
        return day.weekday() < 5 and day not in off

    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        counted += working(day)
    return day


@pytest.mark.parametrize("latest", [False, True])
def test_the_index_fast_path_agrees_with_counting_day_by_day(latest: bool) -> None:
    # Only 2026 loaded: the index covers 2026-2036, estimated years inside it.
    only_2026 = WorkingCalendar({2026: official().schedules[2026]})
    calendar = only_2026.latest_plausible if latest else only_2026
    for start in days_between(D(2026, 11, 1), D(2029, 12, 31))[::5]:
        for n in (1, 7, 20, 60):
            assert calendar.add_working_days(start, n).date == naive_add(calendar, start, n)
