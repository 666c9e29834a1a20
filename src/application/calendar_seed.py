"""The seed of the working-day calendar: the official schedules packaged in ``chinesecalendar``
(2004 to its last year), and the parser for a year file an ADMIN loads (``xuke calendar load``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from importlib.metadata import version
from pathlib import Path

import chinese_calendar

from xuke.domain.calendar import YearSchedule
from xuke.domain.errors import ValidationFailed

# chinesecalendar's English holiday names, as the law names them.
_CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def chinesecalendar_schedules() -> list[YearSchedule]:
    """Every year chinesecalendar packages, its days off named (a notice says which holiday)."""
    source = f"chinesecalendar {version('chinesecalendar')}"
    years = sorted({d.year for d in chinese_calendar.holidays})
    return [
        YearSchedule(
            year=year,
            holidays=frozenset(d for d in chinese_calendar.holidays if d.year == year),
            workdays=frozenset(d for d in chinese_calendar.workdays if d.year == year),
            source=source,
            names=_holiday_names(d for d in chinese_calendar.holidays if d.year == year),
        )
        for year in years
    ]


def _holiday_names(days: Iterable[dt.date]) -> dict[dt.date, str]:
    """Chinese names from chinesecalendar's details; a day it leaves unnamed stays unnamed."""
    names = {}
    for day in days:
        _, english = chinese_calendar.get_holiday_detail(day)
        if english in _CHINESE_NAMES:
            names[day] = _CHINESE_NAMES[english]
    return names


def parse_year_file(year: int, path: Path) -> YearSchedule:
    """A year file is JSON: ``{"holidays": ["2027-01-01", …], "workdays": ["2027-02-14", …],
    "names": {"2027-01-01": "元旦", …}, "source": "国务院办公厅关于2027年部分节假日安排的通知"}``
    (``names`` optional)."""
    try:
        raw = json.loads(path.read_text("utf-8"))
        holidays = frozenset(dt.date.fromisoformat(d) for d in raw["holidays"])
        workdays = frozenset(dt.date.fromisoformat(d) for d in raw.get("workdays", []))
        names = {dt.date.fromisoformat(d): str(n) for d, n in (raw.get("names") or {}).items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise ValidationFailed(f"无法读取节假日安排文件 {path}: {e}", "file") from None
    source = str(raw.get("source") or path.name)
    return schedule_for(year, holidays, workdays, source, names=names)


def schedule_for(
    year: int,
    holidays: frozenset[dt.date],
    workdays: frozenset[dt.date],
    source: str,
    *,
    names: Mapping[dt.date, str] | None = None,
) -> YearSchedule:
    """Check a schedule is one year's and consistent before it becomes an event."""
    names = dict(names or {})
    if any(d.year != year for d in holidays | workdays):
        raise ValidationFailed(f"日期必须都在 {year} 年内", "holidays")
    if holidays & workdays:
        raise ValidationFailed("同一天不能既是假日又是调休工作日", "workdays")
    if not names.keys() <= holidays:
        raise ValidationFailed("只能为假日命名（names 中的日期必须在 holidays 中）", "names")
    return YearSchedule(year=year, holidays=holidays, workdays=workdays, source=source, names=names)
