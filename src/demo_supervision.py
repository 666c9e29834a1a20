"""Demo data for the supervisor dashboard (``/supervision``): 督办 orders on a few cases still
open, one of them answered. Cards need no seeding: ``xuke serve`` runs the deadline watcher,
whose first pass issues them for the demo cases left late."""

from __future__ import annotations

import datetime as dt

from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.application.principal import Principal
from xuke.application.supervision import SupervisionCommands
from xuke.domain.errors import DomainError
from xuke.domain.model import SHANGHAI
from xuke.domain.roles import Role
from xuke.domain.stages import TERMINAL

SUPERVISOR = Principal(
    "440000-supervisor-1", frozenset({Role.SUPERVISOR}), "440000", "440000", "省局监察 1"
)
INSTRUCTIONS = [
    "请于期限内办结并报告办理情况",
    "申请人投诉办理缓慢，请核查并说明原因",
    "请说明超期原因并整改",
]


def seed_demo_orders(app: LicensingApplication, clock: SettableClock, case_nos: list[str]) -> int:
    """Orders on the first three open cases, issued an hour ago, due in a week; the unit
    answers the last. Returns how many were issued."""
    commands = SupervisionCommands(app)
    clock.set(dt.datetime.now(SHANGHAI) - dt.timedelta(hours=1))
    today = clock.now().date()
    issued = 0
    for case_no in case_nos:
        case = app.get_case(case_no)
        if case.status in TERMINAL or issued == len(INSTRUCTIONS):
            continue
        try:
            order = commands.issue_order(
                SUPERVISOR, case_no, INSTRUCTIONS[issued], today + dt.timedelta(days=7)
            )
        except DomainError:
            continue
        issued += 1
        if issued == len(INSTRUCTIONS):
            unit = order.unit
            clerk = Principal(f"{unit}-clerk-1", frozenset({Role.CLERK}), unit, unit, "Clerk 1")
            commands.answer_order(clerk, order.id, "已督促承办人员，三个工作日内办结")
    return issued
