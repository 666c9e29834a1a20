"""The views keep dates and times as ISO text; a row's optional ones become Python's here."""

from __future__ import annotations

import datetime as dt


def day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def moment(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None
