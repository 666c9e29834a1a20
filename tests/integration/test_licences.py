"""Licences after grant on both engines: a certificate creates the licence; a holder's later
cases change it in the same transaction; the authority's acts; what the law does by itself.

Dates worked by hand. TZSB-SCXK: 20 working days, certificate valid 4 years, renewal by 30
working days before expiry (Law 50, SAMR 27, 77). Years after 2026 are estimated.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests import scenarios
from tests.support import (
    ENTERPRISE_CODE,
    OTHER_ENTERPRISE_CODE,
    TZSB_ALL,
    applicant,
    at,
    enterprise,
    staff,
)
from xuke.application.authorization import Forbidden
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.domain.errors import (
    AlreadyExtended,
    Conflict,
    ErrorCode,
    ForbiddenTransition,
    InvalidState,
    TooLate,
)
from xuke.domain.licence import CancellationGround, LicenceStatus, ProceedingKind
from xuke.domain.roles import Role
from xuke.domain.stages import ApplicationKind, CaseStatus, Opinion, ServiceMethod

D = dt.date
HANDLER, REVIEWER, APPROVER = (staff(r) for r in (Role.HANDLER, Role.REVIEWER, Role.APPROVER))


def walk_to_decision(app: LicensingApplication, case_no: str, grant: bool = True) -> None:
    app.accept_application(scenarios.CLERK, case_no)
    app.record_opinion(HANDLER, case_no, Opinion.AGREE, "符合")
    app.record_opinion(REVIEWER, case_no, Opinion.AGREE, "同意")
    app.record_opinion(APPROVER, case_no, Opinion.AGREE, "同意")
    app.decide(APPROVER, case_no, grant, "符合条件" if grant else "不符合条件")


def granted_licence(app: LicensingApplication, clock: SettableClock, **form: object) -> str:
    """Filed 2026-09-28, certified on Mon 2026-10-12: valid to 2030-10-11."""
    clock.set(at(2026, 9, 28))
    case_no = app.file_application(
        applicant(), item_code="TZSB-SCXK", applicant=enterprise(), jurisdiction_code="440305",
        materials=TZSB_ALL, form=dict(form),
    ).case.case_no  # fmt: skip
    walk_to_decision(app, case_no)
    clock.set(at(2026, 10, 12))
    case = app.issue_certificate(APPROVER, case_no).case
    assert case.certificate_no is not None
    return case.certificate_no


def granted_licences(app: LicensingApplication, clock: SettableClock, n: int) -> list[str]:
    """``n`` TZSB-SCXK licences: filed and decided Mon 2026-09-28, certified Mon 2026-10-12,
    valid to Fri 2030-10-11."""
    clock.set(at(2026, 9, 28))
    cases = [
        app.file_application(
            applicant(), item_code="TZSB-SCXK", applicant=enterprise(), jurisdiction_code="440305",
            materials=TZSB_ALL,
        ).case.case_no
        for _ in range(n)
    ]  # fmt: skip
    for case_no in cases:
        walk_to_decision(app, case_no)
    clock.set(at(2026, 10, 12))
    return [str(app.issue_certificate(APPROVER, c).case.certificate_no) for c in cases]


def file_for(
    app: LicensingApplication, certificate_no: str, kind: ApplicationKind, **form: object
) -> str:
    return app.file_application(
        applicant(), item_code="TZSB-SCXK", applicant=enterprise(), jurisdiction_code="440305",
        materials=TZSB_ALL, form=dict(form), kind=kind, certificate_no=certificate_no,
    ).case.case_no  # fmt: skip


def test_a_certificate_creates_its_licence(app: LicensingApplication, clock: SettableClock) -> None:
    number = granted_licence(app, clock, scope={"products": ["锅炉"]})
    licence = app.get_licence(number)
    assert licence.status is LicenceStatus.VALID
    assert (licence.valid_from, licence.valid_to) == (D(2026, 10, 12), D(2030, 10, 11))
    assert licence.holder.identity == ENTERPRISE_CODE and licence.scope == {"products": ["锅炉"]}
    assert licence.case_nos == ("440000-2026-TZSB-000001",)


def test_a_renewal_granted_runs_from_valid_to_plus_one_and_keeps_the_number(
    app: LicensingApplication, clock: SettableClock
) -> None:
    number = granted_licence(app, clock)
    clock.set(at(2030, 8, 1))
    case_no = file_for(app, number, ApplicationKind.RENEWAL)
    assert app.get_licence(number).pending_renewal_case == case_no
    walk_to_decision(app, case_no)
    case = app.issue_certificate(APPROVER, case_no).case
    licence = app.get_licence(number)
    assert case.certificate_no == number  # the same number
    assert (licence.valid_from, licence.valid_to) == (D(2030, 10, 12), D(2034, 10, 11))
    assert (case.valid_from, case.valid_to) == (licence.valid_from, licence.valid_to)
    assert licence.case_nos[-1] == case_no and licence.pending_renewal_case is None


def test_only_the_holder_applies_and_only_in_time(
    app: LicensingApplication, clock: SettableClock
) -> None:
    number = granted_licence(app, clock)
    clock.set(at(2030, 8, 1))
    stranger = applicant(OTHER_ENTERPRISE_CODE, "ent-2")
    with pytest.raises(Forbidden):
        app.file_application(
            stranger, item_code="TZSB-SCXK", applicant=enterprise(OTHER_ENTERPRISE_CODE),
            jurisdiction_code="440305", materials=TZSB_ALL, kind=ApplicationKind.RENEWAL,
            certificate_no=number,
        )  # fmt: skip
    # 30 working days before Fri 11 Oct 2030 (estimated: National Day 1-3 Oct and its 补假)
    # is at the end of August; 1 October is too late.
    clock.set(at(2030, 10, 1))
    with pytest.raises(TooLate) as late:
        file_for(app, number, ApplicationKind.RENEWAL)
    assert late.value.code is ErrorCode.TOO_LATE
    assert app.get_licence(number).version == 1  # nothing stored


def test_an_undecided_renewal_is_deemed_granted_the_day_after_expiry(
    app: LicensingApplication, clock: SettableClock
) -> None:
    number = granted_licence(app, clock)
    clock.set(at(2030, 8, 1))
    case_no = file_for(app, number, ApplicationKind.RENEWAL)
    app.accept_application(scenarios.CLERK, case_no)
    clock.set(at(2030, 10, 11))
    assert app.deem_renewed_if_due(number) is None  # the last day of the term
    clock.set(at(2030, 10, 12))
    assert app.deem_renewed_if_due(number) is not None
    assert app.deem_renewed_if_due(number) is None  # once
    licence = app.get_licence(number)
    assert licence.deemed_renewed and licence.valid_to == D(2034, 10, 11)


def test_a_refused_renewal_leaves_the_term_to_expire(
    app: LicensingApplication, clock: SettableClock
) -> None:
    number = granted_licence(app, clock)
    clock.set(at(2030, 8, 1))
    case_no = file_for(app, number, ApplicationKind.RENEWAL)
    walk_to_decision(app, case_no, grant=False)
    assert app.get_licence(number).pending_renewal_case is None
    clock.set(at(2030, 10, 12))
    assert app.deem_renewed_if_due(number) is None
    assert app.expire_if_due(number) is not None
    licence = app.get_licence(number)
    assert licence.status is LicenceStatus.EXPIRED and licence.status_changed_on == D(2030, 10, 12)
    with pytest.raises(ForbiddenTransition):  # 70(1) is the expired licence's ground
        app.cancel_licence(APPROVER, number, CancellationGround.FORCE_MAJEURE, "不可抗力")
    app.cancel_licence(APPROVER, number, CancellationGround.EXPIRED_NOT_RENEWED, "有效期届满")
    assert app.get_licence(number).status is LicenceStatus.CANCELLED


def test_a_change_and_a_cancellation_on_application(
    app: LicensingApplication, clock: SettableClock
) -> None:
    number = granted_licence(app, clock)
    clock.set(at(2027, 3, 1))
    change = app.file_application(
        applicant(), item_code="TZSB-SCXK", applicant=enterprise(name="深圳华强电器股份有限公司"),
        jurisdiction_code="440305", materials=TZSB_ALL, form={"scope": {"products": ["压力容器"]}},
        kind=ApplicationKind.CHANGE, certificate_no=number,
    ).case.case_no  # fmt: skip
    walk_to_decision(app, change)
    app.issue_certificate(APPROVER, change)
    licence = app.get_licence(number)
    assert licence.holder.name == "深圳华强电器股份有限公司"
    assert licence.scope == {"products": ["压力容器"]} and licence.valid_to == D(2030, 10, 11)
    cancel = file_for(app, number, ApplicationKind.CANCELLATION)
    walk_to_decision(app, cancel)  # no certificate: the decision is served
    assert app.get_licence(number).status is LicenceStatus.CANCELLED
    case = app.record_service(APPROVER, cancel, ServiceMethod.DIRECT, clock.now()).case
    assert case.status is CaseStatus.CLOSED


def test_revocation_is_a_procedure(app: LicensingApplication, clock: SettableClock) -> None:
    number = granted_licence(app, clock)
    clock.set(at(2026, 11, 2))  # notice on Mon 2 Nov: statement by Mon 9 Nov
    with pytest.raises(Forbidden):  # a city's approver is not the granting authority
        app.open_proceedings(
            staff(Role.APPROVER, org="440300"), number, ProceedingKind.REVOCATION, "以欺骗手段取得"
        )
    app.open_proceedings(APPROVER, number, ProceedingKind.REVOCATION, "以欺骗手段取得")
    clock.set(at(2026, 11, 9))
    with pytest.raises(InvalidState):  # still inside the statement window
        app.revoke_licence(APPROVER, number, "以欺骗手段取得许可")
    clock.set(at(2026, 11, 10))
    licence = app.revoke_licence(APPROVER, number, "以欺骗手段取得许可").case
    assert licence.status is LicenceStatus.REVOKED
    with pytest.raises(ForbiddenTransition):
        app.revoke_licence(APPROVER, number, "再次撤销")
    app.cancel_licence(APPROVER, number, CancellationGround.REVOKED_OR_WITHDRAWN, "撤销后注销")
    assert app.get_licence(number).status is LicenceStatus.CANCELLED


def test_a_requested_hearing_is_held_before_the_decision_and_its_time_does_not_count(
    app: LicensingApplication, clock: SettableClock
) -> None:
    number = granted_licence(app, clock)
    clock.set(at(2026, 11, 2))  # notice: statement by Mon 9 Nov; decide within 60 working days
    opened = app.open_proceedings(
        APPROVER, number, ProceedingKind.WITHDRAWAL_CIRCUMSTANCES, "客观情况发生重大变化"
    ).case
    assert opened.proceedings is not None
    decide_by = opened.proceedings.decide_by
    clock.set(at(2026, 11, 5))
    app.request_licence_hearing(applicant(), number)
    clock.set(at(2026, 11, 16))
    with pytest.raises(InvalidState):  # the decision rests on the hearing's record
        app.withdraw_licence(APPROVER, number, "规划调整")
    held = app.record_licence_hearing(APPROVER, number, "听证笔录：持证人陈述……").case
    assert held.proceedings is not None
    # 6, 9, 10, 11, 12, 13, 16 Nov: seven working days from the request to the hearing.
    assert held.proceedings.decide_by == app.working_calendar().add_working_days(decide_by, 7).date
    app.extend_proceedings(APPROVER, number, "需补充调查")
    with pytest.raises(AlreadyExtended):
        app.extend_proceedings(APPROVER, number, "再次延长")
    app.discontinue_proceedings(APPROVER, number, "经听证，不予撤回")
    licence = app.get_licence(number)
    assert licence.status is LicenceStatus.VALID
    assert licence.proceedings is not None and licence.proceedings.closed


def test_a_renewal_racing_a_revocation_never_lands_on_a_revoked_licence(
    app: LicensingApplication, clock: SettableClock
) -> None:
    """Both change the licence: the loser gets CONFLICT (same version) or, arriving after the
    revocation, FORBIDDEN_TRANSITION; a renewal is never linked to a revoked licence."""
    outcomes: set[str] = set()
    for _ in range(4):
        number = granted_licence(app, clock)
        clock.set(at(2026, 11, 2))
        app.open_proceedings(APPROVER, number, ProceedingKind.REVOCATION, "以欺骗手段取得")
        clock.set(at(2026, 11, 10))
        barrier = threading.Barrier(2)

        def renew(no: str = number, barrier: threading.Barrier = barrier) -> str:
            barrier.wait()
            return outcome(lambda: file_for(app, no, ApplicationKind.RENEWAL))

        def revoke(no: str = number, barrier: threading.Barrier = barrier) -> str:
            barrier.wait()
            return outcome(lambda: app.revoke_licence(APPROVER, no, "以欺骗手段取得许可"))

        with ThreadPoolExecutor(2) as pool:
            results = [f.result() for f in [pool.submit(renew), pool.submit(revoke)]]
        outcomes.update(results)
        assert "OK" in results
        history = [type(e).__name__ for e in app.licence_history(app.get_licence(number))]
        if "LicenceRevoked" in history and "CaseLinked" in history:
            assert history.index("CaseLinked") < history.index("LicenceRevoked")
    assert outcomes <= {"OK", "CONFLICT", "FORBIDDEN_TRANSITION"}


def outcome(command: Callable[[], object]) -> str:
    try:
        command()
    except (Conflict, ForbiddenTransition) as e:
        return e.code.value
    return "OK"
