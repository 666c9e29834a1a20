"""The seed of the working-day calendar: the official schedules packaged in ``chinesecalendar``
(2004 to its last year), and the parser for a year file an ADMIN loads (``xuke calendar load``)."""

from __future__ import annotations

import datetime as dt
import json
from importlib.metadata import version
from pathlib import Path

import chinese_calendar

from xuke.domain.calendar import YearSchedule
from xuke.domain.errors import ValidationFailed


def chinesecalendar_schedules() -> list[YearSchedule]:
    source = f"chinesecalendar {version('chinesecalendar')}"
    years = sorted({d.year for d in chinese_calendar.holidays})
    return [
        YearSchedule(
            year=year,
            holidays=frozenset(d for d in chinese_calendar.holidays if d.year == year),
            workdays=frozenset(d for d in chinese_calendar.workdays if d.year == year),
            source=source,
        )
        for year in years
    ]


def parse_year_file(year: int, path: Path) -> YearSchedule:
    """A year file is JSON: ``{"holidays": ["2027-01-01", …], "workdays": ["2027-02-14", …],
    "source": "国务院办公厅关于2027年部分节假日安排的通知"}``."""
    try:
        raw = json.loads(path.read_text("utf-8"))
        holidays = frozenset(dt.date.fromisoformat(d) for d in raw["holidays"])
        workdays = frozenset(dt.date.fromisoformat(d) for d in raw.get("workdays", []))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ValidationFailed(f"无法读取节假日安排文件 {path}: {e}", "file") from None
    return schedule_for(year, holidays, workdays, str(raw.get("source") or path.name))


def schedule_for(
    year: int, holidays: frozenset[dt.date], workdays: frozenset[dt.date], source: str
) -> YearSchedule:
    if any(d.year != year for d in holidays | workdays):
        raise ValidationFailed(f"日期必须都在 {year} 年内", "holidays")
    if holidays & workdays:
        raise ValidationFailed("同一天不能既是假日又是调休工作日", "workdays")
    return YearSchedule(year=year, holidays=holidays, workdays=workdays, source=source)
