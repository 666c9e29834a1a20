"""Legal documents at their steps, on both engines: the document clerk, run after each step,
generates, stores and records every kind with its 文号 and SHA-256; a second pass records
nothing; the ``documents`` view answers verification."""

from __future__ import annotations

import hashlib
import io

from pypdf import PdfReader

from tests import scenarios
from tests.integration.test_licences import APPROVER, HANDLER, REVIEWER, granted_licence
from tests.support import applicant, at, enterprise, file_tzsb, project
from xuke.application.clock import SettableClock
from xuke.application.document_clerk import DocumentClerk
from xuke.application.licensing import LicensingApplication
from xuke.documents.steps import CASE_KINDS, LICENCE_KINDS
from xuke.domain.documents import DocumentKind as K
from xuke.domain.documents import DocumentRecord
from xuke.domain.licence import CancellationGround, ProceedingKind
from xuke.domain.model import local_date
from xuke.domain.stages import (
    HearingBasis,
    Opinion,
    ServiceMethod,
    SuspensionReason,
    TerminationGround,
)
from xuke.projections.documents import document_row
from xuke.projections.store import ViewStore

CLERK = scenarios.CLERK


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def check_stored(app: LicensingApplication, record: DocumentRecord, must_contain: str) -> None:
    pdf = app.blobs.get(record.sha256)
    assert hashlib.sha256(pdf).hexdigest() == record.sha256
    assert pdf.startswith(b"%PDF")
    assert must_contain in "".join(text_of(pdf).split())


def test_every_step_issues_its_document_once(
    app: LicensingApplication, views: ViewStore, clock: SettableClock
) -> None:
    clerk = DocumentClerk(app, views, public_url="https://xuke.example.gov.cn")

    def step(*_: object) -> None:
        clerk.run_once()

    # Filed with two materials missing, corrected, accepted, suspended, extended, heard,
    # granted, certified, served: TZSB (20 days, Law 42's extension).
    case_no = app.file_application(
        applicant(), item_code="TZSB-SCXK", applicant=enterprise(), jurisdiction_code="440305", materials=["SQB", "YYZZ"],
    ).case.case_no  # fmt: skip
    step()
    clock.set(at(2026, 9, 29))
    step(app.request_correction(CLERK, case_no, ["ZLBZ", "JSRY"], "请补正"))
    clock.set(at(2026, 9, 30))
    step(app.submit_correction(applicant(), case_no, ["ZLBZ", "JSRY"]))
    clock.set(at(2026, 10, 8))
    step(app.accept_application(CLERK, case_no))
    clock.set(at(2026, 10, 9))
    app.claim_task(HANDLER, f"{case_no}#3")
    step(app.suspend_clock(HANDLER, case_no, SuspensionReason.TESTING, 3, "送检"))
    clock.set(at(2026, 10, 12))
    step(app.resume_clock(HANDLER, case_no))
    step(app.extend_deadline(APPROVER, case_no, "情况复杂"))
    step(app.record_opinion(HANDLER, case_no, Opinion.AGREE, "符合"))
    step(app.record_opinion(REVIEWER, case_no, Opinion.AGREE, "同意"))
    step(app.notice_hearing(APPROVER, case_no, HearingBasis.ARTICLE_47_RIGHT, "告知听证权利"))
    clock.set(at(2026, 10, 13))
    step(app.request_hearing(applicant(), case_no))
    clock.set(at(2026, 10, 14))
    step(app.schedule_hearing(APPROVER, case_no, at(2026, 10, 22, 9, 30), "第一听证室", "legal-1"))
    clock.set(at(2026, 10, 22, 15))
    step(app.record_hearing(APPROVER, case_no, "听证笔录"))
    step(app.record_opinion(APPROVER, case_no, Opinion.AGREE, "同意"))
    step(app.decide(APPROVER, case_no, True, "符合条件"))
    clock.set(at(2026, 10, 23))
    step(app.issue_certificate(APPROVER, case_no))
    step(app.record_service(APPROVER, case_no, ServiceMethod.DIRECT, at(2026, 10, 23, 9)))

    case = app.get_case(case_no)
    by_kind: dict[K, list[DocumentRecord]] = {}
    for record in case.documents:
        by_kind.setdefault(record.kind, []).append(record)
    walked = set(CASE_KINDS) - {K.NON_ACCEPTANCE_DECISION, K.DENIAL_DECISION, K.TERMINATION_NOTICE}
    assert set(by_kind) == walked
    assert len(by_kind[K.HEARING_NOTICE]) == 2  # 听证告知书, then 听证通知书
    history = app.history(case)
    for record in case.documents:
        trigger = history[record.trigger_version - 1]
        assert record.issued_on == local_date(trigger.occurred_at)
        if record.kind is K.CERTIFICATE:
            assert record.number == case.certificate_no
            check_stored(app, record, case.certificate_no or "")
        else:
            code = {K.RECEIPT: "JS", K.ACCEPTANCE_NOTICE: "SL"}.get(record.kind)
            assert record.number.startswith(f"{case_no}-")
            assert record.number.endswith(f"-{record.trigger_version}")
            if code:
                assert record.number == f"{case_no}-{code}-{record.trigger_version}"
            check_stored(app, record, case_no)
    titles = {d.number: d.title for d in case.documents}
    assert "听证通知书" in titles.values() and "听证告知书" in titles.values()

    # Idempotent: a second clerk, or the same one again, records nothing new.
    version = app.get_case(case_no).version
    assert DocumentClerk(app, views).run_once().issued == []
    with views.transaction() as tx:  # a clerk that lost its position starts over
        tx.execute("DELETE FROM projection_tracking WHERE projection = 'document_clerk'")
    assert clerk.run_once().issued == []
    assert app.get_case(case_no).version == version

    # The view answers by number, the holder's name as the register shows it.
    project(app, views)
    receipt = by_kind[K.RECEIPT][0]
    row = document_row(views, receipt.number)
    assert row is not None and row["case_no"] == case_no and row["sha256"] == receipt.sha256
    certificate = document_row(views, case.certificate_no or "")
    assert certificate is not None and certificate["kind"] == "CERTIFICATE"
    assert certificate["holder_name"] == "深圳市华强电器有限公司"


def test_refusals_and_endings_issue_theirs(
    app: LicensingApplication, views: ViewStore, clock: SettableClock
) -> None:
    clerk = DocumentClerk(app, views)
    not_accepted = file_tzsb(app).case.case_no
    denied = file_tzsb(app).case.case_no
    terminated = file_tzsb(app).case.case_no
    clock.set(at(2026, 9, 29))
    app.reject_application(CLERK, not_accepted, "不属于本机关职权范围")
    for case_no in (denied, terminated):
        app.accept_application(CLERK, case_no)
    app.record_opinion(HANDLER, denied, Opinion.AGREE, "不符合")
    app.record_opinion(REVIEWER, denied, Opinion.AGREE, "同意")
    app.record_opinion(APPROVER, denied, Opinion.AGREE, "同意")
    app.decide(APPROVER, denied, False, "产品不符合安全技术规范")
    app.terminate_case(APPROVER, terminated, TerminationGround.ORGANISATION_TERMINATED, "已注销")
    clerk.run_once()
    expected = {
        not_accepted: K.NON_ACCEPTANCE_DECISION,
        denied: K.DENIAL_DECISION,
        terminated: K.TERMINATION_NOTICE,
    }
    for case_no, kind in expected.items():
        records = [d for d in app.get_case(case_no).documents if d.kind is kind]
        assert len(records) == 1
        check_stored(app, records[0], case_no)


def test_a_licences_proceedings_revocation_and_cancellation_issue_theirs(
    app: LicensingApplication, views: ViewStore, clock: SettableClock
) -> None:
    clerk = DocumentClerk(app, views)
    number = granted_licence(app, clock)
    clock.set(at(2026, 11, 2))
    app.open_proceedings(APPROVER, number, ProceedingKind.REVOCATION, "以欺骗手段取得")
    clerk.run_once()
    clock.set(at(2026, 11, 10))
    app.revoke_licence(APPROVER, number, "以欺骗手段取得许可")
    app.cancel_licence(APPROVER, number, CancellationGround.REVOKED_OR_WITHDRAWN, "撤销后注销")
    report = clerk.run_once()
    licence = app.get_licence(number)
    assert {d.kind for d in licence.documents} == set(LICENCE_KINDS)
    assert set(report.issued) <= {d.number for d in licence.documents}
    for record in licence.documents:
        assert record.number.startswith(f"{number}-")
        assert record.number.endswith(f"-{record.trigger_version}")
        check_stored(app, record, number)
    assert clerk.run_once().issued == []
    project(app, views)
    row = document_row(views, licence.documents[-1].number)
    assert row is not None and row["certificate_no"] == number and row["case_no"] is None
    assert row["holder_name"] == "深圳市华强电器有限公司"
