"""Group commit (合并提交): the events of concurrent commands written in one transaction.

eventsourcing's PostgreSQL recorder takes an EXCLUSIVE lock on the events table for every
insert, so that notification ids are issued in commit order; concurrent commands then queue
for that lock one transaction at a time. Here the first command to arrive becomes the
*leader*: it writes everything queued behind it in one transaction (one lock, one commit)
while the next ones queue up for the next leader. A lone command is written at once, as before.

Each command keeps its own outcome: the events of a command are never split, and when the
joint transaction fails on a unique key (a version clash — optimistic concurrency — or a
duplicate idempotency record), the batch is written again command by command, so only the
commands that really clash get ``IntegrityError`` and become CONFLICT or a replay.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import AggregateRecorder, IntegrityError, StoredEvent


@dataclass
class _Pending:
    events: Sequence[StoredEvent]
    ids: Sequence[int] | None = None
    error: BaseException | None = None
    done: bool = field(default=False)

    def outcome(self) -> Sequence[int] | None:
        if self.error is not None:
            raise self.error
        return self.ids


class GroupCommitRecorder:
    """Wraps the application's recorder; ``insert_events`` joins the next group commit,
    everything else goes straight to the recorder."""

    def __init__(self, recorder: AggregateRecorder, max_commands: int = 64) -> None:
        self.recorder, self.max_commands = recorder, max_commands
        self._queue: list[_Pending] = []
        self._writing = False
        self._changed = threading.Condition()
        self.groups = self.commands = 0  # for the benchmark's report

    def __getattr__(self, name: str) -> Any:
        return getattr(self.recorder, name)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        if any(value is not None for value in kwargs.values()):  # a tracking record: not ours
            return self.recorder.insert_events(stored_events, **kwargs)
        pending = _Pending(stored_events)
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
                    pending.ids = self.recorder.insert_events(pending.events)
                except BaseException as e:
                    pending.error = e
        finally:
            for pending in group:
                pending.done = True

    def _write_together(self, group: list[_Pending]) -> None:
        events = [event for pending in group for event in pending.events]
        ids = self.recorder.insert_events(events)
        start = 0
        for pending in group:
            end = start + len(pending.events)
            pending.ids = list(ids[start:end]) if ids is not None else None
            start = end
