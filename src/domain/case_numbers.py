"""Case numbers (案件编号): human-readable, unique per authority and year.

Each authority-year has its own small sequence aggregate. A process reserves a block of
numbers from it (``NumbersReserved``) and numbers its filings from the block without touching
the sequence again, so filings at one authority share transactions and several processes never
clash on it (``application/case_number_blocks.py``). Two processes reserving at once is an
ordinary optimistic-concurrency conflict on the sequence: the loser reserves the next block.
Numbers stay unique (a case's id follows from its number); a block's numbers not used before
its process stops are skipped, so the numbers may have gaps and, across processes, need not
follow filing order. ``NumberIssued`` (one number per filing) is kept for the history written
before blocks.
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

    class NumbersReserved(Aggregate.Event):
        """A block of numbers, ``first`` to ``last``, taken by one process."""

        first: int
        last: int

        def apply(self, seq: Any) -> None:
            seq.last_number = self.last

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

    def reserve(self, count: int, actor: Actor, at: dt.datetime) -> range:
        """The next ``count`` numbers, for one process to hand out."""
        first = self.last_number + 1
        self.trigger_event(
            self.NumbersReserved, first=first, last=first + count - 1, actor=actor, timestamp=at
        )
        return range(first, self.last_number + 1)
