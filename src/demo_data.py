"""Demo data for ``xuke serve`` on first start: a few dozen cases in every status, filed over
the last weeks through the real commands (on a clock set back in time), so that some are
YELLOW and some RED today."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.application.principal import Principal
from xuke.demo_consultations import seed_demo_consultations
from xuke.demo_supervision import seed_demo_orders
from xuke.domain.errors import DomainError
from xuke.domain.model import SHANGHAI, local_date
from xuke.domain.roles import Role
from xuke.domain.stages import Opinion, ServiceMethod, SuspensionReason, TerminationGround

ENTERPRISES = [
    ("深圳市鹏城电线电缆有限公司", "91440300708461136T", "440305"),
    ("广州市华南压力容器制造有限公司", "914403001922038216", "440106"),
    ("广州越秀计量仪器有限公司", "91350100M000100Y43", "440104"),
]
OUTCOMES = ["SUBMITTED", "AWAITING_CORRECTION", "NOT_ACCEPTED", "HANDLING", "REVIEW", "APPROVAL", "SUSPENDED",
            "GRANTED", "DENIED", "CLOSED", "CLOSED", "CLOSED", "WITHDRAWN", "TERMINATED"]  # fmt: skip


def staff(role: Role, org: str, n: int = 1) -> Principal:
    return Principal(
        f"{org}-{role.value.lower()}-{n}", frozenset({role}), org, org, f"{role.value.title()} {n}"
    )


def seed_demo_cases(
    app: LicensingApplication, clock: SettableClock, count: int = 42, seed: int = 7
) -> list[str]:
    """File ``count`` cases over the past ten weeks and walk each to its outcome."""
    rng = random.Random(seed)
    today = local_date(dt.datetime.now(dt.UTC))
    numbers = []
    for n in range(count):
        name, code, division = ENTERPRISES[n % len(ENTERPRISES)]
        item = app.catalogue.items[n % len(app.catalogue.items)]
        org = app.organisations.competent_authority(item.level, division).code
        start = today - dt.timedelta(days=rng.randint(3, 70))
        moment = dt.datetime.combine(start, dt.time(9 + rng.randint(0, 6)), SHANGHAI)
        clock.set(moment)
        applicant = Principal(
            f"applicant-{code[-6:]}", frozenset({Role.APPLICANT}), code, division, name
        )
        required = sorted(item.required_material_codes)
        outcome = OUTCOMES[n % len(OUTCOMES)]
        materials = required[:-1] if outcome == "AWAITING_CORRECTION" else required
        filed = app.file_application(
            applicant, item_code=item.code, jurisdiction_code=division, materials=materials,
            applicant={"kind": "ENTERPRISE", "name": name, "credit_code": code, "contact_phone": "020-83330000",
                       "address": "广东省广州市", "id_number": None},
            form={"electronicServiceConsent": True},
        )  # fmt: skip
        numbers.append(filed.case.case_no)
        walk(
            app, clock, filed.case.case_no, outcome, org, applicant, required, materials, rng, today
        )
    seed_demo_consultations(app, clock)  # 网上咨询: guides and questions (demo_consultations.py)
    seed_demo_orders(app, clock, numbers)  # 督办 for the dashboard (demo_supervision.py)
    return numbers


def walk(
    app: LicensingApplication, clock: SettableClock, case_no: str, outcome: str, org: str, applicant: Principal,
    required: list[str], materials: list[str], rng: random.Random, today: dt.date,
) -> None:  # fmt: skip
    clerk = staff(Role.CLERK, app.get_case(case_no).acting_org())  # Law 43: maybe the lower
    handler = staff(Role.HANDLER, org, rng.randint(1, 2))
    reviewer, approver = staff(Role.REVIEWER, org), staff(Role.APPROVER, org)

    def step(days: int, command: Callable[[], object]) -> bool:
        """Move the clock on (never past now) and run the command; False once time runs out."""
        target = clock.now() + dt.timedelta(days=days, hours=rng.randint(0, 2))
        if local_date(target) > today:
            return False
        clock.set(target)
        try:
            command()
        except DomainError:
            return False
        return True

    if outcome == "SUBMITTED":
        return
    if outcome == "AWAITING_CORRECTION":
        step(
            1,
            lambda: app.request_correction(
                clerk, case_no, sorted(set(required) - set(materials)), "请补正材料"
            ),
        )
        return
    if outcome == "NOT_ACCEPTED":
        step(1, lambda: app.reject_application(clerk, case_no, "不属于本机关职权范围"))
        return
    if outcome == "WITHDRAWN":  # before acceptance; afterwards it is a termination (SAMR 30)
        step(1, lambda: app.withdraw_application(applicant, case_no, "企业转产"))
        return
    if not step(1, lambda: app.accept_application(clerk, case_no)):
        return
    lower = app.get_case(case_no).preliminary_org  # Law 43: the province reviews first
    if lower is not None:
        if outcome == "HANDLING":  # left in preliminary review
            return
        first = staff(Role.HANDLER, lower)
        if not step(2, lambda: app.forward_for_decision(first, case_no, Opinion.AGREE, "初审合格")):
            return
    if outcome == "TERMINATED":
        ground = TerminationGround.ORGANISATION_TERMINATED
        step(2, lambda: app.terminate_case(approver, case_no, ground, "申请人已注销"))
        return
    if outcome == "HANDLING" or not step(
        rng.randint(2, 6),
        lambda: app.record_opinion(
            handler, case_no, Opinion.AGREE, "材料齐全，核查合格", {"核查组": "3人"}
        ),
    ):
        return
    if outcome == "SUSPENDED":
        step(
            1,
            lambda: app.suspend_clock(reviewer, case_no, SuspensionReason.TESTING, 15, "产品送检"),
        )
        return
    if outcome == "REVIEW" or not step(
        rng.randint(1, 4), lambda: app.record_opinion(reviewer, case_no, Opinion.AGREE, "同意")
    ):
        return
    if outcome == "APPROVAL" or not step(
        1, lambda: app.record_opinion(approver, case_no, Opinion.AGREE, "同意")
    ):
        return
    if not step(
        1,
        lambda: app.decide(
            approver,
            case_no,
            outcome != "DENIED",
            "符合条件" if outcome != "DENIED" else "不符合产业政策",
        ),
    ):
        return
    if outcome in ("GRANTED", "DENIED"):
        return
    step(1, lambda: app.issue_certificate(approver, case_no))
    step(1, lambda: app.record_service(approver, case_no, ServiceMethod.MAIL, clock.now()))
