"""Cases in every interesting state, for the read-side suites (the "demo scenarios")."""

from __future__ import annotations

from dataclasses import dataclass

from tests.support import PERSON_ID, applicant, at, file_gycp, person, staff
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.domain.roles import Role
from xuke.domain.stages import Opinion, ServiceMethod, SuspensionReason

CLERK = staff(Role.CLERK, user="clerk-zhang")
LI = staff(Role.HANDLER, user="handler-li")
WANG = staff(Role.HANDLER, user="handler-wang")
REVIEWER = staff(Role.REVIEWER, user="reviewer-zhao")
APPROVER = staff(Role.APPROVER, user="approver-chen")


@dataclass(frozen=True)
class Scenarios:
    hall: str  # filed at the hall by the clerk, waiting for acceptance
    claimed: str  # accepted, claimed by handler Li
    unclaimed: str  # accepted, waiting for any handler
    closed: str  # granted, certified and served
    person: str  # a natural person's application, at review
    withdrawn: str
    denied: str
    person_query_code: str


def build(app: LicensingApplication, clock: SettableClock) -> Scenarios:
    clock.set(at(2026, 9, 28, 9))
    hall = file_gycp(app, CLERK, channel="HALL", received_at=at(2026, 9, 28, 8, 30)).case.case_no
    claimed, unclaimed, closed, withdrawn, denied = (file_gycp(app).case.case_no for _ in range(5))
    filed_person = app.file_application(
        applicant(PERSON_ID, user="person-1"), item_code="JLQJ-XSPZ", applicant=person(),
        jurisdiction_code="440106", materials=["SQS", "JSWJ", "YJ"],
    )  # fmt: skip
    person_no = filed_person.case.case_no
    clock.set(at(2026, 9, 29, 10))
    for case_no in (claimed, unclaimed, closed, withdrawn, denied):
        app.accept_application(CLERK, case_no)
    app.accept_application(staff(Role.CLERK, "440000"), person_no)
    app.claim_task(LI, f"{claimed}#2")
    app.withdraw_application(applicant(), withdrawn, "企业转产")
    clock.set(at(2026, 10, 9, 10))
    for case_no in (closed, denied):
        app.record_opinion(LI, case_no, Opinion.AGREE, "材料齐全")
        app.record_opinion(REVIEWER, case_no, Opinion.AGREE, "同意")
    app.suspend_clock(APPROVER, closed, SuspensionReason.EXPERT_REVIEW, 3, "专家评审")
    clock.set(at(2026, 10, 14, 10))
    app.resume_clock(APPROVER, closed)
    app.decide(APPROVER, closed, True, "符合条件")
    app.decide(APPROVER, denied, False, "产品不符合国家标准")
    clock.set(at(2026, 10, 15, 10))
    app.issue_certificate(APPROVER, closed)
    app.record_service(APPROVER, closed, ServiceMethod.DIRECT, at(2026, 10, 15, 9))
    return Scenarios(
        hall,
        claimed,
        unclaimed,
        closed,
        person_no,
        withdrawn,
        denied,
        filed_person.query_code or "",
    )
