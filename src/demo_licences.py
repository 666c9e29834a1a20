"""Demo licences for ``xuke serve`` on first start: granted years ago through the real
commands (on a clock set back), then renewed, deemed renewed, near expiry, revoked and
cancelled; a hearing in progress. Each history is what the commands recorded, so the register,
the watcher and the audit trail show a licensing office's ordinary after-grant work."""

from __future__ import annotations

import datetime as dt

from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.application.principal import Principal
from xuke.demo_data import ENTERPRISES, staff
from xuke.domain.licence import ProceedingKind
from xuke.domain.model import SHANGHAI
from xuke.domain.roles import Role
from xuke.domain.stages import ApplicationKind, HearingBasis, Opinion

ITEM, MATERIALS, ORG = "TZSB-SCXK", ["SQB", "YYZZ", "ZLBZ", "JSRY"], "440000"  # 4 years' validity


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), SHANGHAI)


def _holder(n: int) -> tuple[Principal, dict[str, str | None], str]:
    name, code, division = ENTERPRISES[n % len(ENTERPRISES)]
    who = Principal(f"applicant-{code[-6:]}", frozenset({Role.APPLICANT}), code, division, name)
    record = {"kind": "ENTERPRISE", "name": name, "credit_code": code, "id_number": None,
              "contact_phone": "020-83330000", "address": "广东省广州市"}  # fmt: skip
    return who, record, division


def _file(
    app: LicensingApplication, clock: SettableClock, day: dt.date, n: int,
    kind: ApplicationKind = ApplicationKind.NEW, certificate_no: str | None = None,
) -> str:  # fmt: skip
    """Filed on ``day`` and accepted the next day."""
    clock.set(_at(day))
    who, record, division = _holder(n)
    case_no = app.file_application(
        who, item_code=ITEM, applicant=record, jurisdiction_code=division, materials=MATERIALS,
        kind=kind, certificate_no=certificate_no,
    ).case.case_no  # fmt: skip
    clock.set(_at(day + dt.timedelta(days=1)))
    app.accept_application(staff(Role.CLERK, ORG), case_no)
    return case_no


def _decide(app: LicensingApplication, clock: SettableClock, case_no: str, day: dt.date) -> None:
    """Reviewed and granted on ``day``."""
    clock.set(_at(day))
    for role in (Role.HANDLER, Role.REVIEWER, Role.APPROVER):
        app.record_opinion(staff(role, ORG), case_no, Opinion.AGREE, "符合条件")
    app.decide(staff(Role.APPROVER, ORG), case_no, True, "符合条件")


def _granted(app: LicensingApplication, clock: SettableClock, day: dt.date, n: int) -> str:
    case_no = _file(app, clock, day - dt.timedelta(days=20), n)
    _decide(app, clock, case_no, day)
    number = app.issue_certificate(staff(Role.APPROVER, ORG), case_no).case.certificate_no
    assert number is not None
    return number


def seed_demo_licences(app: LicensingApplication, clock: SettableClock) -> dict[str, str]:
    """Five licences, one of each after-grant story, and a case with a hearing in progress;
    returns their certificate (and case) numbers by story."""
    approver = staff(Role.APPROVER, ORG)
    renewed = _granted(app, clock, dt.date(2022, 11, 14), 0)  # valid to 2026-11-13
    renewal = _file(app, clock, dt.date(2026, 9, 1), 0, ApplicationKind.RENEWAL, renewed)
    _decide(app, clock, renewal, dt.date(2026, 10, 15))
    app.issue_certificate(approver, renewal)  # runs from 2026-11-14, the number kept
    deemed = _granted(app, clock, dt.date(2022, 10, 31), 1)  # valid to 2026-10-30
    _file(app, clock, dt.date(2026, 9, 1), 1, ApplicationKind.RENEWAL, deemed)
    clock.set(_at(dt.date(2026, 10, 31)))
    app.deem_renewed_if_due(deemed)  # Law 50: undecided when the term ended
    near = _granted(app, clock, dt.date(2023, 1, 16), 2)  # valid to 2027-01-15: reminders
    revoked = _granted(app, clock, dt.date(2024, 6, 3), 0)
    clock.set(_at(dt.date(2026, 10, 12)))
    app.open_proceedings(approver, revoked, ProceedingKind.REVOCATION, "以欺骗手段取得许可")
    clock.set(_at(dt.date(2026, 10, 26)))
    app.revoke_licence(approver, revoked, "以欺骗手段取得许可，依法撤销")  # 注销 to follow
    cancelled = _granted(app, clock, dt.date(2025, 3, 10), 1)
    cancellation = _file(
        app, clock, dt.date(2026, 10, 9), 1, ApplicationKind.CANCELLATION, cancelled
    )
    _decide(app, clock, cancellation, dt.date(2026, 11, 2))  # granted: the licence is cancelled
    hearing = _file(app, clock, dt.date(2026, 11, 2), 2)
    clock.set(_at(dt.date(2026, 11, 16)))
    handler = staff(Role.HANDLER, ORG)
    app.notice_hearing(handler, hearing, HearingBasis.ARTICLE_47_RIGHT, "拟不予许可，告知听证权利")
    clock.set(_at(dt.date(2026, 11, 18)))
    app.request_hearing(_holder(2)[0], hearing)  # in progress: to be scheduled
    return {
        "renewed": renewed, "deemed_renewed": deemed, "near_expiry": near, "revoked": revoked,
        "cancelled": cancelled, "hearing_case": hearing,
    }  # fmt: skip
