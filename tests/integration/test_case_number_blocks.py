"""Case numbers from blocks (application/case_number_blocks.py): several processes file at one
authority without clashing on its sequence, a number a filing did not use is given back, and a
number that turns out to be a case's already is skipped — never two cases with one number."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.support import file_gycp
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.bootstrap import build_application
from xuke.domain.case import LicenseCase
from xuke.domain.case_numbers import CaseNumberSequence
from xuke.domain.errors import ValidationFailed
from xuke.settings import Settings


def numbers(app: LicensingApplication, count: int, out: list[str]) -> None:
    for _ in range(count):
        out.append(file_gycp(app).case.case_no)


def test_two_processes_filing_at_one_authority_take_distinct_numbers_without_clashing(
    app: LicensingApplication, settings: Settings, clock: SettableClock
) -> None:
    other = build_application(settings, clock=clock)  # a second API process
    try:
        filed: list[str] = []
        threads = [
            threading.Thread(target=numbers, args=(process, 6, filed))
            for process in (app, other)
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(filed) == len(set(filed)) == 48
        # 48 filings, blocks of 20: each process reserved 1-3 blocks, not one number per filing
        reserved = app.case_numbers.reservations + other.case_numbers.reservations
        assert 3 <= reserved <= 6
        sequence = app.repository.get(CaseNumberSequence.id_for("440000", 2026))
        assert sequence.version == 1 + reserved  # started, then one event per block
        assert max(int(n.rsplit("-", 1)[1]) for n in filed) <= sequence.last_number
    finally:
        other.close()


def test_a_filing_refused_after_taking_its_number_gives_it_back(
    app: LicensingApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert file_gycp(app).case.case_no.endswith("-000001")
    real = LicenseCase.file

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise ValidationFailed("材料不全", "materials")

    monkeypatch.setattr(LicenseCase, "file", refused)
    with pytest.raises(ValidationFailed):
        file_gycp(app)
    monkeypatch.setattr(LicenseCase, "file", real)
    assert file_gycp(app).case.case_no.endswith("-000002")
    replayed = file_gycp(app, idempotency_key="k1").case.case_no
    assert file_gycp(app, idempotency_key="k1").case.case_no == replayed  # a replay uses none
    assert file_gycp(app).case.case_no.endswith("-000004")


def test_a_number_given_back_that_a_case_already_has_is_skipped(
    app: LicensingApplication,
) -> None:
    """As when a commit's answer was lost: the filing was stored, the number given back."""
    first = file_gycp(app).case.case_no
    app.case_numbers.give_back("440000", 2026, int(first.rsplit("-", 1)[1]))
    following = file_gycp(app).case.case_no  # the store refuses 000001 again: skipped
    assert first.endswith("-000001") and following.endswith("-000002")
