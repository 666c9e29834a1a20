"""Concurrent commands on one case: one winner per version, the others CONFLICT; nothing is
lost or duplicated. Also concurrent filings at one authority: unique, gap-free numbers."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

from tests.support import file_gycp, staff
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.bootstrap import build_application
from xuke.domain.errors import Conflict
from xuke.domain.roles import Role
from xuke.domain.stages import Opinion
from xuke.settings import Settings

THREADS = 8
OPINIONS_EACH = 5
FILINGS_EACH = 2


def case_at_approval(app: LicensingApplication) -> str:
    case_no = file_gycp(app).case.case_no
    app.accept_application(staff(Role.CLERK), case_no)
    app.record_opinion(staff(Role.HANDLER), case_no, Opinion.AGREE, "同意")
    app.record_opinion(staff(Role.REVIEWER), case_no, Opinion.AGREE, "同意")
    return case_no


def test_conflicting_commands_on_one_case_lose_nothing(app: LicensingApplication) -> None:
    # At APPROVAL an opinion keeps the case there, so every command is valid at every version:
    # approvers race, losers get CONFLICT and retry with the same idempotency key.
    case_no = case_at_approval(app)
    start = threading.Barrier(THREADS)
    conflicts = [0] * THREADS

    def approver(n: int) -> None:
        principal = staff(Role.APPROVER, user=f"approver-{n}")
        start.wait()
        for k in range(OPINIONS_EACH):
            key = f"op-{n}-{k}"
            while True:
                try:
                    app.record_opinion(
                        principal, case_no, Opinion.AGREE, f"意见 {n}-{k}", idempotency_key=key
                    )
                    break
                except Conflict:
                    conflicts[n] += 1
            # The response was "lost": the client retries once more with the same key.
            assert app.record_opinion(
                principal, case_no, Opinion.AGREE, f"意见 {n}-{k}", idempotency_key=key
            ).replayed

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(approver, range(THREADS)))

    case = app.get_case(case_no)
    events = app.history(case)
    assert [e.originator_version for e in events] == list(range(1, case.version + 1))
    comments = [o.comment for o in case.opinions[2:]]
    assert sorted(comments) == sorted(
        f"意见 {n}-{k}" for n in range(THREADS) for k in range(OPINIONS_EACH)
    )
    assert case.version == 4 + THREADS * OPINIONS_EACH
    assert sum(conflicts) > 0  # the race really happened


def test_one_winner_when_several_clerks_accept_at_once(app: LicensingApplication) -> None:
    case_no = file_gycp(app).case.case_no
    start = threading.Barrier(THREADS)

    def clerk(n: int) -> str:
        start.wait()
        try:
            app.accept_application(staff(Role.CLERK, user=f"clerk-{n}"), case_no)
        except Exception as e:  # CONFLICT, or INVALID_STATE for a late loader
            return getattr(e, "code", type(e).__name__)
        return "OK"

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(clerk, range(THREADS)))
    assert outcomes.count("OK") == 1
    assert set(outcomes) <= {"OK", "CONFLICT", "INVALID_STATE"}
    assert [type(e).__name__ for e in app.history(app.get_case(case_no))] == [
        "ApplicationFiled",
        "ApplicationAccepted",
    ]


def test_concurrent_filings_at_one_authority_get_unique_gap_free_numbers(
    app: LicensingApplication,
) -> None:
    start = threading.Barrier(THREADS)

    def file(n: int) -> list[str]:
        start.wait()
        return [
            file_gycp(app, idempotency_key=f"file-{n}-{k}").case.case_no
            for k in range(FILINGS_EACH)
        ]  # fmt: skip

    with ThreadPoolExecutor(THREADS) as pool:
        numbers = [no for batch in pool.map(file, range(THREADS)) for no in batch]
    assert len(set(numbers)) == len(numbers)
    assert sorted(int(no.rsplit("-", 1)[1]) for no in numbers) == list(range(1, len(numbers) + 1))
    assert all(isinstance(app.get_case(no).id, UUID) for no in numbers)


def test_two_processes_keep_cases_loaded_and_still_see_each_others_changes(
    app: LicensingApplication, settings: Settings, clock: SettableClock
) -> None:
    """Each API process keeps cases loaded between commands (eventsourcing's aggregate
    cache). A case kept here and changed by another process is brought forward from the
    store before it is used: the next command sees the change, and never acts on an old
    version."""
    other = build_application(settings, clock=clock)  # a second API process
    try:
        case_no = case_at_approval(app)
        assert app.get_case(case_no).version == 4  # kept loaded here
        other.record_opinion(staff(Role.APPROVER, user="a-1"), case_no, Opinion.AGREE, "甲")
        assert app.get_case(case_no).version == 5
        app.record_opinion(staff(Role.APPROVER, user="a-2"), case_no, Opinion.AGREE, "乙")
        assert [o.comment for o in other.get_case(case_no).opinions[-2:]] == ["甲", "乙"]
        assert app.get_case(case_no).version == other.get_case(case_no).version == 6
    finally:
        other.close()
