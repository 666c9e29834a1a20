"""The case commands after filing: one method per mutation of the GraphQL contract.

Each reads like the procedure — load, authorize, call the aggregate, save — through
``_case_command``; the law's own acts (deemed acceptance, deemed abandonment) go through
``_system_command``, idempotent so several watchers may try them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from xuke.domain.case import LicenseCase
from xuke.domain.case_numbers import case_id_for
from xuke.domain.case_records import CommandContext
from xuke.domain.documents import DocumentRecord
from xuke.domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from xuke.domain.model import Aggregate
from xuke.domain.roles import Role
from xuke.domain.stages import Opinion, ServiceMethod, SuspensionReason, TerminationGround

from . import authorization as authz
from .commands import CommandResult
from .delegations import delegated
from .parts import ApplicationParts
from .principal import SYSTEM, Principal

Authorize = Callable[[Principal, LicenseCase, str], Role]
# Events the system records beside the business (a document issued for a step): a command
# that clashed only with these is tried again, up to this many times.
BOOKKEEPING = frozenset({"DocumentIssued"})
BOOKKEEPING_RETRIES = 3

# Acts that must be done by other hands than the earlier stages' (separation of duties).
SEPARATE_DUTIES = frozenset({"recordOpinion", "decide", "issueCertificate"})


# A command's change to its case; it returns any other aggregate it changed (a licence).
Change = Callable[[LicenseCase, CommandContext], Sequence[Aggregate] | None]


class CaseCommands(ApplicationParts):
    def request_correction(
        self,
        principal: Principal,
        case_no: str,
        missing_materials: list[str],
        note: str,
        idempotency_key: str | None = None,
        period_days: int | None = None,
    ) -> CommandResult:
        """补正告知 (Law 32) with its period (SAMR 15(4); the authority's default)."""
        days = period_days or self.limits.correction_period_days
        return self._case_command(
            principal, "requestCorrection", case_no,
            {"missing": sorted(missing_materials), "note": note, "days": period_days},
            idempotency_key, self._clerk,
            lambda case, ctx: case.request_correction(ctx, self.working_calendar(), missing_materials, note, days),
        )  # fmt: skip

    def extend_correction_period(
        self,
        principal: Principal,
        case_no: str,
        extra_working_days: int,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """补正期限延长 (SAMR 15(4)): once, for good reason, by the accepting clerk."""
        return self._case_command(
            principal, "extendCorrectionPeriod", case_no, {"days": extra_working_days, "reason": reason},
            idempotency_key, self._clerk,
            lambda case, ctx: case.extend_correction_period(ctx, extra_working_days, reason),
        )  # fmt: skip

    def submit_correction(
        self,
        principal: Principal,
        case_no: str,
        materials: list[str],
        idempotency_key: str | None = None,
    ) -> CommandResult:
        return self._case_command(
            principal, "submitCorrection", case_no, {"materials": sorted(materials)}, idempotency_key,
            authz.require_applicant_or_clerk,
            lambda case, ctx: case.submit_correction(ctx, self.working_calendar(), materials),
        )  # fmt: skip

    def accept_application(
        self, principal: Principal, case_no: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """受理 (Art. 32)."""
        return self._case_command(
            principal, "acceptApplication", case_no, {}, idempotency_key, self._clerk,
            lambda case, ctx: case.accept(ctx, self.working_calendar()),
        )  # fmt: skip

    def reject_application(
        self, principal: Principal, case_no: str, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """不予受理 (Art. 32)."""
        return self._case_command(
            principal, "rejectApplication", case_no, {"reason": reason}, idempotency_key, self._clerk,
            lambda case, ctx: case.reject(ctx, self.working_calendar(), reason),
        )  # fmt: skip

    def claim_task(
        self, principal: Principal, task_id: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """签收: ``task_id`` is ``CASENO#N``, the N-th stage visit of the case."""
        case_no, _, number = task_id.rpartition("#")
        if not case_no or not number.isdigit():
            raise NotFound(f"任务 {task_id} 不存在")
        return self._case_command(
            principal, "claimTask", case_no, {"task": task_id}, idempotency_key,
            authz.require_group_member, lambda case, ctx: case.claim(ctx, int(number)),
        )  # fmt: skip

    def record_opinion(
        self,
        principal: Principal,
        case_no: str,
        opinion: Opinion,
        comment: str,
        fields: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """承办/审核/审批意见."""
        return self._case_command(
            principal, "recordOpinion", case_no, {"opinion": opinion, "comment": comment, "fields": fields},
            idempotency_key, authz.require_stage_owner,
            lambda case, ctx: case.record_opinion(ctx, opinion, comment, fields),
        )  # fmt: skip

    def suspend_clock(
        self,
        principal: Principal,
        case_no: str,
        reason: SuspensionReason,
        expected_working_days: int,
        note: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """中止计时 (Art. 45)."""
        return self._case_command(
            principal, "suspendClock", case_no,
            {"reason": reason, "days": expected_working_days, "note": note}, idempotency_key,
            authz.require_stage_owner,
            lambda case, ctx: case.suspend_clock(ctx, self.working_calendar(), reason, expected_working_days, note),
        )  # fmt: skip

    def resume_clock(
        self, principal: Principal, case_no: str, idempotency_key: str | None = None
    ) -> CommandResult:
        return self._case_command(
            principal, "resumeClock", case_no, {}, idempotency_key, authz.require_stage_owner,
            lambda case, ctx: case.resume_clock(ctx),
        )  # fmt: skip

    def extend_deadline(
        self, principal: Principal, case_no: str, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """延期 (Art. 42): approved by the head of the authority."""
        return self._case_command(
            principal, "extendDeadline", case_no, {"reason": reason}, idempotency_key, self._approver,
            lambda case, ctx: case.extend_deadline(ctx, self.working_calendar(), reason),
        )  # fmt: skip

    def decide(
        self,
        principal: Principal,
        case_no: str,
        grant: bool,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """准予 / 不予许可 (Law 38); a denial gets the authority's own service limit, if any."""
        return self._case_command(
            principal, "decide", case_no, {"grant": grant, "reason": reason}, idempotency_key,
            self._approver,
            lambda case, ctx: case.decide(
                ctx, grant, reason, self.limits.denial_service_days_for(case.jurisdiction_code)
            ),
        )  # fmt: skip

    def issue_certificate(
        self, principal: Principal, case_no: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """制证 (Art. 44)."""
        return self._case_command(
            principal, "issueCertificate", case_no, {}, idempotency_key, self._approver,
            self._issue,
        )  # fmt: skip

    def _issue(self, case: LicenseCase, ctx: CommandContext) -> Sequence[Aggregate]:
        """The certificate; a holder's case first changes its licence as granted."""
        licence, certificate = self._certificate_for(case, ctx)
        case.issue_certificate(ctx, certificate)
        return [licence] if licence is not None else []

    def record_service(
        self,
        principal: Principal,
        case_no: str,
        method: ServiceMethod,
        served_at: dt.datetime,
        idempotency_key: str | None = None,
        proof: str | None = None,
        reason: str | None = None,
    ) -> CommandResult:
        """送达, with its proof and, for public notice or leaving it at the address, why."""
        if served_at.tzinfo is None:
            raise ValidationFailed("送达时间须带时区", "servedAt")
        return self._case_command(
            principal, "recordService", case_no,
            {"method": method, "served_at": served_at, "proof": proof, "reason": reason}, idempotency_key,
            self._approver, lambda case, ctx: case.record_service(ctx, method, served_at, proof, reason),
        )  # fmt: skip

    def forward_for_decision(
        self, principal: Principal, case_no: str, opinion: Opinion, comment: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:  # fmt: skip
        """初审意见报送 (Law 43): the lower authority's handler sends the whole file up."""
        return self._case_command(
            principal, "forwardForDecision", case_no, {"opinion": opinion, "comment": comment},
            idempotency_key, authz.require_stage_owner,
            lambda case, ctx: case.forward_for_decision(ctx, opinion, comment),
        )  # fmt: skip

    def withdraw_application(
        self, principal: Principal, case_no: str, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """撤回."""
        return self._case_command(
            principal, "withdrawApplication", case_no, {"reason": reason}, idempotency_key,
            authz.require_applicant_or_clerk, lambda case, ctx: case.withdraw(ctx, reason),
        )  # fmt: skip

    def terminate_case(
        self,
        principal: Principal,
        case_no: str,
        ground: TerminationGround,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """终止 (SAMR 30), by the approver, on a legal ground."""
        return self._case_command(
            principal, "terminateCase", case_no, {"ground": ground, "reason": reason}, idempotency_key,
            self._approver, lambda case, ctx: case.terminate(ctx, ground, reason),
        )  # fmt: skip

    def deem_accepted_if_due(self, case_no: str) -> CommandResult | None:
        """视为受理 (Law 32), by the system: None when not due or already decided."""
        return self._system_command(
            "deemAccepted",
            case_no,
            lambda case, ctx: case.deem_accepted(ctx, self.working_calendar()),
        )

    def abandon_if_due(self, case_no: str) -> CommandResult | None:
        """视为放弃 (SAMR 15(4)), by the system: None when not due or already settled."""
        return self._system_command(
            "abandonApplication",
            case_no,
            lambda case, ctx: case.abandon(ctx, self.working_calendar()),
        )

    def record_document(self, case_no: str, record: DocumentRecord) -> CommandResult | None:
        """出具文书, by the system (the document clerk): None when that step's document is
        already on record, or another clerk recorded it meanwhile."""
        return self._system_command(
            "recordDocument", case_no, lambda case, ctx: case.record_document(ctx, record)
        )

    def _system_command(self, command: str, case_no: str, change: Change) -> CommandResult | None:
        """What the law does by itself once a period has passed: idempotent, so several
        watchers may try it; a case not (or no longer) due is simply left alone."""
        try:
            return self._case_command(
                SYSTEM, command, case_no, {}, None, lambda *_: None,  # type: ignore[arg-type]
                change,
            )  # fmt: skip
        except (Conflict, DomainError) as e:
            if isinstance(e, NotFound):
                raise
            return None

    # ------------------------------------------------------------------ machinery

    def _hide_from_outsiders(self, principal: Principal, case: LicenseCase, command: str) -> None:
        """Whoever may not even see the case is told it does not exist — FORBIDDEN would say
        that the number is taken (case numbers are guessable). The attempt is still reported
        for supervision. The system's own acts are not anyone's."""
        if principal is SYSTEM or authz.can_view(principal, case):
            return
        self.guard.on_forbidden(
            authz.Forbidden("案件不在您的辖区内", principal, command, case.case_no)
        )
        raise NotFound(f"案件 {case.case_no} 不存在")

    def _clerk(self, principal: Principal, case: LicenseCase, action: str) -> Role:
        return authz.require_task_holder(principal, Role.CLERK, case, action)

    def _approver(self, principal: Principal, case: LicenseCase, action: str) -> Role:
        return authz.require_task_holder(principal, Role.APPROVER, case, action)

    def _case_command(
        self,
        principal: Principal,
        command: str,
        case_no: str,
        inputs: dict[str, Any],
        idempotency_key: str | None,
        authorize: Authorize,
        change: Change,
    ) -> CommandResult:
        def act(at: dt.datetime) -> tuple[LicenseCase, Sequence[Aggregate]]:
            case = self.get_case(case_no)
            loaded[:] = [case.version]
            self._hide_from_outsiders(principal, case, command)
            acting = delegated(self.repository, principal, case, at)  # 委托代办 (delegations.py)
            role = self.guard.authorize(lambda: authorize(acting, case, command))
            if command in SEPARATE_DUTIES and self.limits.separates_duties(case.acting_org()):
                self.guard.authorize(
                    lambda: authz.require_separate_duties(principal, case, command)
                )
            ctx = CommandContext(
                actor=principal.acting_as(role), at=at, idempotency_key=idempotency_key
            )
            changed = list(change(case, ctx) or ())  # a licence the command changed
            return case, [*changed, *self._licence_follows(case, ctx)]

        def only_bookkeeping_since() -> bool:
            """The clash was with the document clerk recording a document, which changes
            nothing the command checked: try again on the case as it now stands. A clash
            with anybody's act is the caller's CONFLICT."""
            newer = self.events.get(case_id_for(case_no), gt=loaded[0]) if loaded else []
            return bool(newer) and all(type(e).__name__ in BOOKKEEPING for e in newer)

        loaded: list[int] = []
        return self.runner.execute(
            principal, command, {"case_no": case_no, **inputs}, idempotency_key, act,
            BOOKKEEPING_RETRIES, only_bookkeeping_since,
        )  # fmt: skip
