"""Tasks beyond 签收: 退回签收 (release), 改派 (reassign, by the stage's lead) and 委托代办
(delegation while away), and the contact details the case's own staff may read, each read
recorded (docs/roles.md, "Tasks and contact details").

Release and reassignment are case commands (``CaseCommands._case_command``: idempotency,
authorization, one atomic save). A delegation is a small aggregate of its own
(``domain/delegation.py``), one per delegate; ``delegated`` reads it before any case command
so that a delegate may work the tasks their delegator holds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xuke.domain.case_records import ApplicantRecord, CommandContext
from xuke.domain.contact import ContactDisclosure
from xuke.domain.delegation import Delegations
from xuke.domain.errors import NotFound, ValidationFailed
from xuke.domain.model import local_date
from xuke.domain.roles import STAFF_ROLES, Role

from . import authorization as authz
from .case_commands import CaseCommands
from .commands import CommandResult
from .delegations import delegations_of
from .principal import Principal


def _task_no(task_id: str) -> tuple[str, int]:
    case_no, _, number = task_id.rpartition("#")
    if not case_no or not number.isdigit():
        raise NotFound(f"任务 {task_id} 不存在")
    return case_no, int(number)


class TaskCommands(CaseCommands):
    def release_task(
        self, principal: Principal, task_id: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """退回签收: the task goes back to its candidate group."""
        case_no, number = _task_no(task_id)
        return self._case_command(
            principal, "releaseTask", case_no, {"task": task_id}, idempotency_key,
            authz.require_assignee, lambda case, ctx: case.release(ctx, number),
        )  # fmt: skip

    def reassign_task(
        self,
        principal: Principal,
        task_id: str,
        assignee: str,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """改派: the stage's lead gives the task to another member of its group."""
        case_no, number = _task_no(task_id)
        return self._case_command(
            principal, "reassignTask", case_no,
            {"task": task_id, "assignee": assignee, "reason": reason}, idempotency_key,
            authz.require_stage_lead, lambda case, ctx: case.reassign(ctx, number, assignee, reason),
        )  # fmt: skip

    # ---------------------------------------------------------------- 委托代办

    def delegate_tasks(
        self,
        principal: Principal,
        delegate: str,
        starts_on: dt.date,
        ends_on: dt.date,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CommandResult[Delegations]:
        """The caller, staff, lets ``delegate`` (of the same authority) work the tasks they
        hold from ``starts_on`` to ``ends_on``."""
        delegate = delegate.strip()
        if not delegate or len(delegate) > 128 or not delegate.isprintable():
            raise ValidationFailed("受托人须为有效的用户标识（不超过 128 个字符）", "delegate")
        self._require_staff_member(principal, "委托代办")

        def act(at: dt.datetime) -> tuple[Delegations, list[Any]]:
            ctx = self._ctx(principal, at, idempotency_key)
            agg = delegations_of(self.repository, delegate) or Delegations.start(ctx, delegate)
            agg.grant(ctx, starts_on, ends_on, reason)
            return agg, []

        inputs = {"delegate": delegate, "from": starts_on, "until": ends_on, "reason": reason}
        return self.runner.execute(principal, "delegateTasks", inputs, idempotency_key, act)

    def end_delegation(
        self, principal: Principal, delegate: str, idempotency_key: str | None = None
    ) -> CommandResult[Delegations]:
        """The delegator is back before the period's end."""
        self._require_staff_member(principal, "结束委托")

        def act(at: dt.datetime) -> tuple[Delegations, list[Any]]:
            agg = delegations_of(self.repository, delegate.strip())
            if agg is None:
                raise NotFound("您没有委托给该用户")
            agg.end(self._ctx(principal, at, idempotency_key))
            return agg, []

        return self.runner.execute(
            principal, "endDelegation", {"delegate": delegate}, idempotency_key, act
        )

    def delegators_today(self, principal: Principal) -> list[str]:
        """Whose claimed tasks the caller may work today (they show in the caller's 待办)."""
        if not principal.roles & STAFF_ROLES:
            return []
        found = delegations_of(self.repository, principal.user_id)
        today = local_date(self.clock.now())
        return found.delegators_on(today, principal.org_code) if found else []

    def _require_staff_member(self, principal: Principal, action: str) -> None:
        if not principal.roles & STAFF_ROLES:
            self.guard.deny(authz.Forbidden(f"只有工作人员可以{action}", principal, action))

    @staticmethod
    def _ctx(principal: Principal, at: dt.datetime, key: str | None) -> CommandContext:
        roles = sorted(principal.roles & STAFF_ROLES)
        role: Role | None = roles[0] if roles else None
        return CommandContext(actor=principal.acting_as(role), at=at, idempotency_key=key)

    # ---------------------------------------------------------------- contact details

    def applicant_contact(
        self, principal: Principal, case_no: str, purpose: str
    ) -> ApplicantRecord | None:
        """The applicant's full phone and address, for the case's own staff only: None for a
        case the caller may not see; FORBIDDEN (recorded) for one they see but do not work;
        otherwise the read is stored (``ContactDisclosure``) before the details are given."""
        purpose = purpose.strip()
        if not purpose:
            raise ValidationFailed("查阅申请人联系方式须说明用途", "purpose")
        if len(purpose) > 200:
            raise ValidationFailed("用途不能超过 200 个字符", "purpose")
        try:
            case = self.get_case(case_no)
        except NotFound:
            return None
        if not authz.can_view(principal, case):
            return None
        role = self.guard.authorize(
            lambda: authz.require_case_staff(principal, case, "查阅申请人联系方式")
        )
        ctx = CommandContext(actor=principal.acting_as(role), at=self.clock.now())
        self.runner.save(ContactDisclosure.record(ctx, case.case_no, purpose))
        return case.applicant
