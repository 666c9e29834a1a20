"""Case numbers (案件编号): human-readable, unique per authority and year.

Each authority-year has its own small sequence aggregate. Numbering two cases at the same
authority at once is an ordinary optimistic-concurrency conflict on that sequence (the loser
takes the next number), so no global lock is needed and authorities never contend.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from xuke.domain.model import Actor, Aggregate


def case_id_for(case_no: str) -> UUID:
    """A case's id follows from its number, so looking a case up needs no index."""
    return uuid5(NAMESPACE_URL, f"xuke:case:{case_no}")


CASE_NO = re.compile(r"\d{6}-\d{4}-[A-Z0-9]+-\d{6,}")


def is_case_no(text: str) -> bool:
    """Shaped like a case number (``440100-2026-GYCP-000123``)? Anything else names no case."""
    return CASE_NO.fullmatch(text) is not None


def format_case_no(authority_code: str, year: int, abbreviation: str, number: int) -> str:
    """e.g. ``440100-2026-GYCP-000123``."""
    return f"{authority_code}-{year}-{abbreviation}-{number:06d}"


class CaseNumberSequence(Aggregate):
    authority_code: str
    year: int
    last_number: int

    def __init__(self) -> None:
        """State is set by ``Started.apply``."""

    @staticmethod
    def id_for(authority_code: str, year: int) -> UUID:
        return uuid5(NAMESPACE_URL, f"xuke:case-number-sequence:{authority_code}:{year}")

    class Started(Aggregate.Created):
        authority_code: str
        year: int

        def apply(self, seq: Any) -> None:
            seq.authority_code, seq.year, seq.last_number = self.authority_code, self.year, 0

    class NumberIssued(Aggregate.Event):
        number: int

        def apply(self, seq: Any) -> None:
            seq.last_number = self.number

    @classmethod
    def start(
        cls, authority_code: str, year: int, actor: Actor, at: dt.datetime
    ) -> CaseNumberSequence:
        return cls._create(
            cls.Started,
            id=cls.id_for(authority_code, year),
            authority_code=authority_code,
            year=year,
            actor=actor,
            timestamp=at,
        )

    def issue(self, actor: Actor, at: dt.datetime) -> int:
        self.trigger_event(
            self.NumberIssued, number=self.last_number + 1, actor=actor, timestamp=at
        )
        return self.last_number
