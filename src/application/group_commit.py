"""Group commit (合并提交): the events of concurrent commands written in one transaction, with
the views that must show them (inline views) written in that same transaction.

eventsourcing's PostgreSQL recorder takes an EXCLUSIVE lock on the events table for every
insert, so that notification ids are issued in commit order; concurrent commands then queue
for that lock one transaction at a time. Here the first command to arrive becomes the
*leader*: it writes everything queued behind it in one transaction (one lock, one commit)
while the next ones queue up for the next leader. A lone command is written at once, as before.

Each command keeps its own outcome: the events of a command are never split, and when the
joint transaction fails on a unique key (a version clash — optimistic concurrency — or a
duplicate idempotency record), the batch is written again command by command, so only the
commands that really clash get ``IntegrityError`` and become CONFLICT or a replay.

Inline views (``write_path.py``, docs/write-path.md): when the composition root gives this
recorder an ``InlineViews``, the rows of the awaited views are computed from the events in
memory and written in the events' own transaction — the rows of every command of a group
together — so a command is visible in them the moment it commits, and never one without the
other.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    AggregateRecorder,
    EventStore,
    IntegrityError,
    Notification,
    Recording,
    StoredEvent,
)

from .write_path import InlineViews, insert_with_views


@dataclass
class _Pending:
    events: Sequence[StoredEvent]
    domain_events: Sequence[Any] = ()
    ids: Sequence[int] | None = None
    error: BaseException | None = None
    done: bool = field(default=False)

    def outcome(self) -> Sequence[int] | None:
        if self.error is not None:
            raise self.error
        return self.ids


class GroupCommitRecorder:
    """Wraps the application's recorder; ``insert_events`` joins the next group commit,
    everything else goes straight to the recorder. ``grouping=False``: every command writes
    its own transaction at once (``XUKE_GROUP_COMMIT=false``), inline views still included."""

    def __init__(
        self, recorder: AggregateRecorder, max_commands: int = 64, *, grouping: bool = True
    ) -> None:
        self.recorder, self.max_commands, self.grouping = recorder, max_commands, grouping
        self.views: InlineViews | None = None  # set by the composition root (bootstrap)
        self._queue: list[_Pending] = []
        self._writing = False
        self._changed = threading.Condition()
        self.groups = self.commands = 0  # for the benchmark's report

    def __getattr__(self, name: str) -> Any:
        return getattr(self.recorder, name)

    def views_behind(self, position: int, names: Sequence[str]) -> list[str]:
        """Which of the named views this process does not know to have reached ``position``
        (read-your-writes: an inline view written with the command's events has)."""
        if self.views is None:
            return list(names)
        return self.views.behind(position, names)

    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        domain_events: Sequence[Any] = (),
        **kwargs: Any,
    ) -> Any:
        if any(value is not None for value in kwargs.values()):  # a tracking record: not ours
            return self.recorder.insert_events(stored_events, **kwargs)
        pending = _Pending(stored_events, domain_events)
        if self.views is not None and domain_events:
            self.views.preload(domain_events)  # cases as they stood: read before any lock
        if not self.grouping:
            self._write([pending])
            return pending.outcome()
        with self._changed:
            self._queue.append(pending)
        while True:
            with self._changed:
                while not pending.done and self._writing:
                    self._changed.wait()
                if pending.done:
                    return pending.outcome()
                self._writing = True  # this command leads the next group
                group = self._queue[: self.max_commands]
                del self._queue[: self.max_commands]
            try:
                self._write(group)
            finally:
                with self._changed:
                    self._writing = False
                    self._changed.notify_all()

    def _write(self, group: list[_Pending]) -> None:
        self.groups, self.commands = self.groups + 1, self.commands + len(group)
        try:
            if len(group) > 1:
                try:
                    self._write_together(group)
                    return
                except IntegrityError:
                    pass  # somebody clashes: find out who, one command at a time
                except BaseException as e:
                    for pending in group:
                        pending.error = e
                    return
            for pending in group:
                try:
                    pending.ids = self._insert(pending.events, pending.domain_events)
                except BaseException as e:
                    pending.error = e
        finally:
            for pending in group:
                pending.done = True

    def _write_together(self, group: list[_Pending]) -> None:
        events = [event for pending in group for event in pending.events]
        domain = [event for pending in group for event in pending.domain_events]
        ids = self._insert(events, domain)
        start = 0
        for pending in group:
            end = start + len(pending.events)
            pending.ids = list(ids[start:end]) if ids is not None else None
            start = end

    def _insert(self, events: Sequence[StoredEvent], domain: Sequence[Any]) -> Any:
        if self.views is None or len(domain) != len(events):
            return self.recorder.insert_events(events)
        return insert_with_views(self.recorder, events, domain, self.views)


class WritePathEventStore(EventStore[Any]):
    """eventsourcing's ``EventStore`` that hands the recorder the domain events beside their
    stored form, so inline views need not decode what the command has just encoded."""

    def put(
        self, domain_events: Sequence[DomainEventProtocol[Any]], **kwargs: Any
    ) -> list[Recording[Any]]:
        if not isinstance(self.recorder, GroupCommitRecorder):
            return super().put(domain_events, **kwargs)
        stored = [self.mapper.to_stored_event(e) for e in domain_events]
        ids = self.recorder.insert_events(stored, domain_events=domain_events, **kwargs)
        if not ids:
            return []
        return [
            Recording(
                d,
                Notification(
                    originator_id=s.originator_id,
                    originator_version=s.originator_version,
                    topic=s.topic,
                    state=s.state,
                    id=n,
                ),
            )
            for d, s, n in zip(domain_events, stored, ids, strict=True)
        ]
