"""The application scenario suite, on SQLite and on PostgreSQL (the ``app`` fixture)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support import (
    GYCP_ALL,
    applicant,
    at,
    enterprise,
    file_gycp,
    file_tzsb,
    person,
    staff,
)
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.bootstrap import build_application, migrate
from xuke.domain.errors import (
    AlreadyExtended,
    CorrectionWindowClosed,
    ErrorCode,
    IdempotencyKeyReused,
    NoExtensionForItem,
    NotFound,
    ValidationFailed,
)
from xuke.domain.roles import Role
from xuke.domain.stages import CaseStatus, Opinion, ServiceMethod, Stage, SuspensionReason
from xuke.settings import Settings

CLERK, HANDLER, REVIEWER, APPROVER = (
    staff(r) for r in (Role.CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER)
)


def file(app: LicensingApplication, materials: list[str] = GYCP_ALL, key: str | None = None) -> str:
    result = file_gycp(app, materials=materials, idempotency_key=key)
    return result.case.case_no


def test_a_case_walks_from_filing_to_service(
    app: LicensingApplication, clock: SettableClock
) -> None:
    # Filed online on Monday 28 September 2026 with two materials missing.
    case_no = file(app, ["SQS", "YYZZ"])
    assert case_no == "440000-2026-GYCP-000001"  # routed to the provincial authority
    # The clerk sends the one correction notice; the applicant supplies both.
    clock.set(at(2026, 9, 29))
    app.request_correction(CLERK, case_no, ["CPBZ", "SCSB"], "请补正")
    clock.set(at(2026, 9, 30))
    app.submit_correction(applicant(), case_no, ["CPBZ", "SCSB"])
    # Accepted on 8 October, after National Day.
    clock.set(at(2026, 10, 8))
    case = app.accept_application(CLERK, case_no).case
    assert case.accepted_on == dt.date(2026, 10, 8)
    assert app.deadlines(case).decision_due == dt.date(2026, 12, 30)  # 60 working days
    # Handling, with a test that stops the clock from 9 to 15 October: 10 (a make-up
    # Saturday), 12, 13, 14 and 15 October do not count.
    clock.set(at(2026, 10, 9))
    app.claim_task(HANDLER, f"{case_no}#3")
    app.suspend_clock(HANDLER, case_no, SuspensionReason.TESTING, 5, "送检")
    clock.set(at(2026, 10, 15))
    app.resume_clock(HANDLER, case_no)
    app.record_opinion(HANDLER, case_no, Opinion.AGREE, "核查合格", {"核查组": "3人"})
    clock.set(at(2026, 10, 16))
    app.record_opinion(REVIEWER, case_no, Opinion.AGREE, "同意")
    with pytest.raises(NoExtensionForItem):  # the regulation's 60 days have no extension
        app.extend_deadline(APPROVER, case_no, "需专家论证")
    case = app.record_opinion(APPROVER, case_no, Opinion.AGREE, "同意发证").case
    deadlines = app.deadlines(case)
    assert deadlines.working_days_suspended == 5 and not deadlines.extended
    # 30 Dec + 5 suspended: 31 Dec, (1 Jan off, estimated) 4, 5, 6, 7 Jan 2027, provisional.
    assert deadlines.decision_due == dt.date(2027, 1, 7)
    assert deadlines.provisional
    app.decide(APPROVER, case_no, True, "符合条件")
    clock.set(at(2026, 10, 19))
    app.issue_certificate(APPROVER, case_no)
    case = app.record_service(APPROVER, case_no, ServiceMethod.MAIL, at(2026, 10, 19, 9)).case
    assert (case.status, case.stage) == (CaseStatus.CLOSED, Stage.DONE)
    assert case.certificate_no == "XK440000-GYCP-2026-000001"
    assert len(case.opinions) == 3
    names = [type(e).__name__ for e in app.history(case)]
    assert names == [
        "ApplicationFiled", "CorrectionRequested", "CorrectionSubmitted", "ApplicationAccepted",
        "TaskClaimed", "ClockSuspended", "ClockResumed", "OpinionRecorded", "OpinionRecorded",
        "OpinionRecorded", "LicenseGranted", "CertificateIssued", "DecisionServed",
    ]  # fmt: skip
    # Every event says who acted, in which role, for which organisation, and when.
    accepted = app.history(case)[3]
    assert (accepted.actor.id, accepted.actor.role, accepted.actor.org_code) == (
        "440000-clerk",
        Role.CLERK,
        "440000",
    )
    assert accepted.occurred_at == at(2026, 10, 8)


def test_business_failures_are_typed_and_store_nothing(
    app: LicensingApplication, clock: SettableClock
) -> None:
    case_no = file(app, ["SQS", "YYZZ"])
    clock.set(at(2026, 10, 12))  # past the acceptance window (Sat 10 Oct)
    with pytest.raises(CorrectionWindowClosed) as error:
        app.request_correction(CLERK, case_no, ["CPBZ", "SCSB"], "请补正")
    assert error.value.code is ErrorCode.DEADLINE_PASSED
    assert app.get_case(case_no).version == 1
    with pytest.raises(NotFound):
        app.accept_application(CLERK, "440000-2026-GYCP-999999")
    with pytest.raises(ValidationFailed) as bad:
        file_gycp(app, applicant=enterprise(credit_code="914403001922038217"))
    assert bad.value.field == "applicant.creditCode"
    with pytest.raises(ValidationFailed):
        app.file_application(
            applicant(),
            item_code="NOPE",
            applicant=enterprise(),
            jurisdiction_code="440305",
            materials=[],
        )
    with pytest.raises(ValidationFailed):  # no municipal authority for Hainan in the demo tree
        app.file_application(
            applicant(),
            item_code="GYCP-SCXK",
            applicant=enterprise(),
            jurisdiction_code="460100",
            materials=[],
        )


def test_the_second_extension_is_refused(app: LicensingApplication, clock: SettableClock) -> None:
    case_no = file_tzsb(app).case.case_no
    app.accept_application(CLERK, case_no)
    case = app.extend_deadline(APPROVER, case_no, "情况复杂").case
    # Law 42: 20 working days from 28 Sep (29, 30 Sep; 8-10, 12-16, 19-23, 26-30 Oct) end
    # on 30 Oct; the 10 extra: 2-6, 9-13 Nov ⇒ 13 Nov 2026.
    assert app.deadlines(case).decision_due == dt.date(2026, 11, 13)
    with pytest.raises(AlreadyExtended):
        app.extend_deadline(APPROVER, case_no, "再次延期")


def test_deemed_acceptance_is_recorded_by_the_system_once_due(
    app: LicensingApplication, clock: SettableClock
) -> None:
    case_no = file(app)
    assert app.deem_accepted_if_due(case_no) is None  # not yet due
    clock.set(at(2026, 10, 12))
    result = app.deem_accepted_if_due(case_no)
    assert result is not None and result.case.deemed_accepted
    assert result.case.accepted_on == dt.date(2026, 9, 28)
    assert app.history(result.case)[-1].actor.role is None  # the system actor
    assert app.deem_accepted_if_due(case_no) is None  # idempotent


def test_case_numbers_count_per_authority_and_year(
    app: LicensingApplication, clock: SettableClock
) -> None:
    assert [file(app) for _ in range(3)] == [f"440000-2026-GYCP-00000{n}" for n in (1, 2, 3)]
    other = app.file_application(
        applicant(),
        item_code="RZJG-ZZSP",
        applicant=enterprise(),
        jurisdiction_code="440305",
        materials=[],
    )
    assert other.case.case_no == "000000-2026-RZJG-000001"  # a national item: a separate sequence
    clock.set(at(2027, 1, 4))
    assert file(app) == "440000-2027-GYCP-000001"


def test_a_person_may_apply_and_their_id_is_kept_from_public_view(
    app: LicensingApplication,
) -> None:
    result = app.file_application(
        applicant("11010519491231002X"), item_code="JLQJ-XSPZ", applicant=person(),
        jurisdiction_code="440106", materials=["SQS"],
    )  # fmt: skip
    assert result.case.applicant.public_name == "张**"
    assert result.case.applicant.id_number_masked == "1101**********002X"


def test_the_query_code_is_stored_only_as_a_hash(app: LicensingApplication) -> None:
    result = file_gycp(app)
    assert result.query_code and result.query_code not in result.case.query_code_hash
    assert app.check_query_code(result.case, result.query_code.lower())
    assert not app.check_query_code(result.case, "WRONGCODE1")


# ---------------------------------------------------------------- idempotency keys


def test_a_retry_with_the_same_key_returns_the_first_result_and_stores_nothing(
    app: LicensingApplication,
) -> None:
    first = file_gycp(app, idempotency_key="file-1")
    position = app.recorder.max_notification_id()
    again = file_gycp(app, idempotency_key="file-1")
    assert again.replayed and again.case.case_no == first.case.case_no
    assert again.query_code == first.query_code
    assert app.recorder.max_notification_id() == position
    accepted = app.accept_application(CLERK, first.case.case_no, idempotency_key="acc-1")
    repeat = app.accept_application(CLERK, first.case.case_no, idempotency_key="acc-1")
    assert repeat.replayed and repeat.case.version == accepted.case.version == 2


def test_the_same_key_with_another_input_is_refused(app: LicensingApplication) -> None:
    case_no = file(app)
    app.accept_application(CLERK, case_no)
    app.record_opinion(HANDLER, case_no, Opinion.AGREE, "同意", idempotency_key="op-1")
    with pytest.raises(IdempotencyKeyReused) as error:
        app.record_opinion(HANDLER, case_no, Opinion.DISAGREE, "不同意", idempotency_key="op-1")
    assert error.value.code is ErrorCode.IDEMPOTENCY_KEY_REUSED


def test_no_event_carrying_u0000_is_ever_stored(app: LicensingApplication) -> None:
    """PostgreSQL text cannot hold U+0000: such an event could be stored but never projected.
    The domain refuses it before any event exists, whichever way the text came in; a
    backslash is just text."""
    case_no = file(app)
    app.accept_application(CLERK, case_no)
    before = app.recorder.max_notification_id()
    with pytest.raises(ValidationFailed):
        app.record_opinion(HANDLER, case_no, Opinion.AGREE, "同意\x00")
    with pytest.raises(ValidationFailed):
        file_gycp(app, form={"备注": ["\x00"]})
    assert app.recorder.max_notification_id() == before  # nothing stored
    app.record_opinion(HANDLER, case_no, Opinion.AGREE, "路径 C:\\u0000 照录")
    assert app.get_case(case_no).opinions[-1].comment == "路径 C:\\u0000 照录"


def test_idempotency_survives_a_restart(settings: Settings, clock: SettableClock) -> None:
    migrate(settings, clock=clock).close()
    before = build_application(settings, clock=clock)
    first = file_gycp(before, idempotency_key="k")
    before.close()
    after = build_application(settings, clock=clock)
    try:
        again = file_gycp(after, idempotency_key="k")
        assert again.replayed and again.case.case_no == first.case.case_no
        with pytest.raises(NotFound):
            after.get_case("440000-2026-GYCP-000002")  # no second case was filed
    finally:
        after.close()


# ---------------------------------------------------------------- replay and snapshots


def test_auditors_replay_any_version_of_a_long_case(
    app: LicensingApplication, clock: SettableClock
) -> None:
    case_no = file(app)
    app.accept_application(CLERK, case_no)
    for n in range(12):  # HANDLING ⇄ REVIEW: a long case, past two snapshot intervals
        actor = HANDLER if n % 2 == 0 else REVIEWER
        app.record_opinion(
            actor, case_no, Opinion.AGREE if n % 2 == 0 else Opinion.RETURN, f"第{n}轮"
        )
    current = app.get_case(case_no)
    assert current.version == 14
    assert app.snapshots is not None and list(app.snapshots.get(current.id))  # snapshots were taken
    auditor = staff(Role.AUDITOR)
    for version in (1, 2, 9, 10, 11, 14):
        as_of = app.case_as_of(auditor, case_no, version)
        events = app.history(current, up_to=version)
        replayed = None
        for event in events:
            replayed = event.mutate(replayed)
        assert as_of.version == version and as_of == replayed
    with pytest.raises(ValidationFailed):
        app.case_as_of(auditor, case_no, 15)
    assert app.case_as_of(auditor, case_no, None) == current  # kept decoded from here on
    app.record_opinion(HANDLER, case_no, Opinion.AGREE, "第12轮")  # the case moves on
    assert app.case_as_of(auditor, case_no, None).version == 15
    assert [e.originator_version for e in app.history(current)] == list(range(1, 16))
    assert app.case_as_of(auditor, case_no, 14) == current
