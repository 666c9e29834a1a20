"""One transaction for a batch of events and the inline views' rows (docs/write-path.md).

eventsourcing's ``insert_events`` opens and commits its own transaction; here the same steps
are taken (its own statements: the table lock, NOTIFY, the insert), and between the insert and
the commit the inline views write their rows on the same connection. On PostgreSQL everything
up to the insert goes in one pipelined round trip, the views' position check included; the
views' writes are pipelined too, so a group of commands costs a handful of round trips.

The application layer knows nothing of views: it is handed an object with this protocol by
the composition root (``xuke.projections.inline.InlineViews``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from eventsourcing.persistence import (
    AggregateRecorder,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.utils import retry


class InlineViews(Protocol):
    """Views written in the events' transaction."""

    def preload(self, domain_events: Sequence[Any]) -> None:
        """Before any lock: make sure what the views need of the aggregates as they stood
        before these events is at hand (a cached case, else read from the store)."""

    def claim(self, cursor: Callable[[], Any], sqlite: bool, first_id: int | None) -> Any:
        """Queue (PostgreSQL, after the table lock, before the insert) or run (SQLite, after
        the insert) the reads that say which views are caught up with the log."""

    def write(
        self,
        cursor: Any,
        sqlite: bool,
        claim: Any,
        stored: Sequence[StoredEvent],
        domain_events: Sequence[Any],
        ids: Sequence[int],
    ) -> Any:
        """Write the caught-up views' rows and move their positions, in the transaction;
        returns what ``committed`` is told once the transaction has committed."""

    def committed(self, written: Any) -> None:
        """The transaction committed: the views written are known to stand at its end."""

    def forget(self, domain_events: Sequence[Any]) -> None:
        """The transaction failed: whatever was advanced for these events is dropped."""

    def behind(self, position: int, names: Sequence[str]) -> list[str]:
        """The named views not known (in this process) to have reached ``position``."""


# Seam for tests: called between the events' insert and the views' rows (fault injection).
def _between_events_and_views() -> None:
    return None


# Seam for tests: called once the transaction has committed, before its caller hears so (a
# lost acknowledgement: the commit happened, the client saw an error).
def _after_commit() -> None:
    return None


def insert_with_views(
    recorder: AggregateRecorder,
    stored: Sequence[StoredEvent],
    domain_events: Sequence[Any],
    views: InlineViews,
) -> Sequence[int] | None:
    """Insert ``stored`` and write the inline views' rows in one transaction; returns the
    notification ids. Any failure rolls back both and is raised as eventsourcing's error."""
    from eventsourcing.postgres import PostgresApplicationRecorder
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    if not stored:
        return []
    started: list[bool] = []  # did the views begin (and so advance their cached cases)?
    try:
        if isinstance(recorder, PostgresApplicationRecorder):
            written, ids = _postgres(recorder, stored, domain_events, views, started)
        elif isinstance(recorder, SQLiteApplicationRecorder):
            written, ids = _sqlite(recorder, stored, domain_events, views, started)
        else:  # eventsourcing's in-memory recorder (unit tests): no views to write
            return recorder.insert_events(stored)
    except BaseException:
        if started:  # a clash at the insert leaves the cases preloaded for the retry
            views.forget(domain_events)
        raise
    views.committed(written)
    return list(ids)


@retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
def _postgres(
    recorder: Any,
    stored: Sequence[StoredEvent],
    domain: Sequence[Any],
    views: InlineViews,
    started: list[bool],
) -> tuple[Any, Sequence[int]]:
    """eventsourcing's ``PostgresApplicationRecorder.insert_events``, with the views' reads
    queued behind the table lock and their writes before the commit. BEGIN and COMMIT are
    sent in the pipeline too (the connection is in autocommit mode, as eventsourcing's are):
    the commit costs no round trip of its own."""
    with recorder.datastore.get_connection() as conn:
        try:
            with conn.pipeline() as pipeline:
                with conn.cursor() as curs:
                    curs.execute("BEGIN")
                    recorder._lock_table(curs)
                claim = views.claim(conn.cursor, False, None)
                with conn.cursor() as curs:
                    recorder._insert_stored_events(curs, stored)  # (locks again: no-op), NOTIFY
                    pipeline.sync()  # a version clash is raised here, as IntegrityError
                    ids = recorder._fetch_ids_after_insert_events(curs, stored)
                started.append(True)
                _between_events_and_views()
                with conn.cursor() as curs:
                    written = views.write(curs, False, claim, stored, domain, ids)
                    curs.execute("COMMIT")
            _after_commit()
        except BaseException:
            with contextlib.suppress(Exception):  # a lost connection rolls back by itself
                conn.rollback()  # whatever was sent: nothing of it stays
            raise
    return written, ids


def _sqlite(
    recorder: Any,
    stored: Sequence[StoredEvent],
    domain: Sequence[Any],
    views: InlineViews,
    started: list[bool],
) -> tuple[Any, Sequence[int]]:
    with recorder.datastore.transaction(commit=True) as curs:
        ids = recorder._insert_events(curs, stored)  # the write lock is taken here
        started.append(True)
        _between_events_and_views()
        cursor = curs.sqlite_cursor
        claim = views.claim(lambda: cursor, True, ids[0])
        written = views.write(cursor, True, claim, stored, domain, ids)
    _after_commit()
    return written, ids
