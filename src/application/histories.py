"""Case histories kept decoded between requests (auditors' 回溯).

A case's history never changes; it only grows. So events decoded once stay true, and each
look asks the store only for events newer than those kept — one indexed query, usually empty
— instead of reading and decoding the whole history again. The case as it stood after a
version is kept the same way: it can never change either. Both caches are bounded, least
recently used first out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import LRUCache

if TYPE_CHECKING:
    from eventsourcing.application import Repository
    from eventsourcing.persistence import EventStore

    from xuke.domain.case import LicenseCase

KEPT_CASES = 512


class CaseHistories:
    def __init__(
        self, events: EventStore[UUID], repository: Repository[UUID], maxsize: int = KEPT_CASES
    ) -> None:
        self._store, self._repository = events, repository
        self._events: LRUCache[UUID, tuple[Any, ...]] = LRUCache(maxsize)
        self._states: LRUCache[tuple[UUID, int], LicenseCase] = LRUCache(maxsize)

    def events(self, case_id: UUID) -> tuple[Any, ...]:
        """Every stored event of the case so far (empty for an unknown case). Versions run
        1, 2, 3 … without gaps, so the kept ones end at version ``len(kept)``."""
        try:
            kept = self._events.get(case_id)
        except KeyError:
            kept = ()
        newer = tuple(self._store.get(case_id, gt=len(kept)))
        if newer:
            kept += newer
            self._events.put(case_id, kept)
        return kept

    def state(self, case_id: UUID, version: int) -> LicenseCase:
        """The case after ``version`` (a known version of a known case): from snapshots and
        the events after them the first time, then kept. Read-only for callers."""
        try:
            return self._states.get((case_id, version))
        except KeyError:
            case: LicenseCase = self._repository.get(case_id, version=version)
            self._states.put((case_id, version), case)
            return case
