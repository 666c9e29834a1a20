"""Group commit over eventsourcing's in-memory recorder, made slow like a busy disk so that
commands queue behind a leader: they share transactions, keep their own outcomes, and a
clash fails only the command that clashes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

from xuke.application.group_commit import GroupCommitRecorder


class SlowRecorder(POPOApplicationRecorder):
    """Every transaction takes 50 ms; how many there were is counted."""

    def __init__(self) -> None:
        super().__init__()
        self.transactions = 0
        self.first_waits_for: Callable[[], bool] = lambda: True

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        self.transactions += 1
        deadline = time.monotonic() + 5
        while self.transactions == 1 and not self.first_waits_for():
            if time.monotonic() > deadline:  # a busy machine: let the test say what it saw
                break
            time.sleep(0.005)
        time.sleep(0.05)
        return super().insert_events(stored_events, **kwargs)


def event(case: UUID, version: int) -> StoredEvent:
    return StoredEvent(originator_id=case, originator_version=version, topic="t", state=b"{}")


def run_concurrently(recorder: GroupCommitRecorder, commands: list[list[StoredEvent]]) -> list[Any]:
    outcomes: list[Any] = [None] * len(commands)

    def command(n: int) -> None:
        try:
            outcomes[n] = recorder.insert_events(commands[n], tracking=None)  # as Application does
        except IntegrityError as e:
            outcomes[n] = e

    threads = [threading.Thread(target=command, args=(n,)) for n in range(len(commands))]
    threads[0].start()
    time.sleep(0.01)  # the first leads alone; the others queue behind it
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_commands_queued_behind_a_leader_share_one_transaction() -> None:
    slow = SlowRecorder()
    recorder = GroupCommitRecorder(slow)
    # The leader's transaction lasts until the nine others are queued, however busy the machine.
    slow.first_waits_for = lambda: len(recorder._queue) == 9
    commands = [[event(uuid4(), 1), event(uuid4(), 1)] for _ in range(10)]
    outcomes = run_concurrently(recorder, commands)
    assert slow.transactions == 2 and (recorder.groups, recorder.commands) == (2, 10)
    ids = sorted(i for outcome in outcomes for i in outcome)
    assert ids == list(range(1, 21))  # each command got its own two notification ids
    assert all(len(outcome) == 2 for outcome in outcomes)
    stored = slow.select_notifications(start=1, limit=100)
    assert len(stored) == 20


def test_a_clash_in_a_group_fails_only_the_command_that_clashes() -> None:
    slow = SlowRecorder()
    recorder = GroupCommitRecorder(slow)
    case = uuid4()
    commands = [[event(uuid4(), 1)], [event(case, 1)], [event(uuid4(), 1)], [event(case, 1)]]
    outcomes = run_concurrently(recorder, commands)
    failed = [n for n, outcome in enumerate(outcomes) if isinstance(outcome, IntegrityError)]
    assert failed in ([1], [3])  # one of the two writers of the case's version 1, nobody else
    assert len(slow.select_notifications(start=1, limit=100)) == 3


def test_other_calls_go_straight_to_the_recorder() -> None:
    slow = SlowRecorder()
    recorder = GroupCommitRecorder(slow)
    recorder.insert_events([event(uuid4(), 1)])
    assert recorder.max_notification_id() == 1
    with pytest.raises(AttributeError):
        _ = recorder.no_such_method
