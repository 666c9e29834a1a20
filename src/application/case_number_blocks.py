"""Case numbers from blocks (案件编号号段): each process reserves a block of numbers from the
authority-year's ``CaseNumberSequence`` in a small transaction of its own, then hands them to
its filings from memory. A filing therefore no longer writes the sequence: filings at one
authority share group commits, and API processes never clash on the sequence (only two
reservations at once do, and the loser takes the next block).

A number taken by a filing that did not happen is given back (the act refused, the database
went away, the request was a replay), unless the store refused the filing on a unique key —
then the number may already be a case's, and it is skipped. A number given back that turns out
to be taken (a commit whose answer was lost) is refused by the store the same way: a case's id
follows from its number, so two cases can never share one.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import threading
import time
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from xuke.domain.case_numbers import CaseNumberSequence
from xuke.domain.errors import Conflict
from xuke.domain.model import Actor

BLOCK_SIZE = 20  # numbers a process reserves at a time (at most this many skipped per stop)
RESERVE_RETRIES = 50


class NumberBlocks:
    def __init__(self, app: Any, size: int = BLOCK_SIZE) -> None:
        self.app, self.size = app, size
        self._free: dict[tuple[str, int], list[int]] = {}
        self._locks: dict[tuple[str, int], threading.Lock] = {}
        self._guard = threading.Lock()
        self.reservations = 0  # blocks reserved by this process (for tests and metrics)

    def _lock(self, key: tuple[str, int]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def take(self, authority: str, year: int, actor: Actor, at: dt.datetime) -> int:
        """The lowest free number of this process's block, reserving a block when none is left."""
        key = (authority, year)
        with self._lock(key):
            free = self._free.setdefault(key, [])
            if not free:
                for number in self._reserve(authority, year, actor, at):
                    heapq.heappush(free, number)
            return heapq.heappop(free)

    def give_back(self, authority: str, year: int, number: int) -> None:
        key = (authority, year)
        with self._lock(key):
            heapq.heappush(self._free.setdefault(key, []), number)

    def _reserve(self, authority: str, year: int, actor: Actor, at: dt.datetime) -> range:
        for attempt in range(RESERVE_RETRIES):
            try:
                sequence: CaseNumberSequence = self.app.repository.get(
                    CaseNumberSequence.id_for(authority, year)
                )
            except AggregateNotFoundError:
                sequence = CaseNumberSequence.start(authority, year, actor, at)
            numbers = sequence.reserve(self.size, actor, at)
            try:
                self.app.save(sequence)
            except IntegrityError:  # another process reserved first: the next block is ours
                time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                continue
            self.reservations += 1
            return numbers
        raise Conflict("案件编号分配繁忙，请稍后重试")
