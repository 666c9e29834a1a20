"""The hearing commands (听证, Law 46-48; SAMR 53-59), one method per mutation of the v2
contract, through ``CaseCommands._case_command``: the current stage's owner gives notice,
schedules and records; the applicant asks or waives; the system records a lapsed request
window (``lapse_hearing_request_if_due``, run by the deadline watcher)."""

from __future__ import annotations

import datetime as dt

from xuke.domain.case import LicenseCase
from xuke.domain.errors import ValidationFailed
from xuke.domain.roles import STAFF_ROLES
from xuke.domain.stages import HearingBasis

from . import authorization as authz
from .case_commands import CaseCommands
from .commands import CommandResult
from .principal import Principal


class HearingCommands(CaseCommands):
    def notice_hearing(
        self,
        principal: Principal,
        case_no: str,
        basis: HearingBasis,
        note: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """听证告知 / 公告 (Law 46-47): the decision clock stops (Law 45)."""
        return self._case_command(
            principal, "noticeHearing", case_no, {"basis": basis, "note": note}, idempotency_key,
            authz.require_stage_owner,
            lambda case, ctx: case.notice_hearing(ctx, self.working_calendar(), basis, note),
        )  # fmt: skip

    def request_hearing(
        self, principal: Principal, case_no: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """申请听证 (Law 47): the applicant, within 5 working days of the notice."""
        return self._case_command(
            principal, "requestHearing", case_no, {}, idempotency_key, authz.require_applicant,
            lambda case, ctx: case.request_hearing(ctx, self.working_calendar()),
        )  # fmt: skip

    def waive_hearing(
        self, principal: Principal, case_no: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """放弃听证: the applicant; the clock runs again."""
        return self._case_command(
            principal, "waiveHearing", case_no, {}, idempotency_key, authz.require_applicant,
            lambda case, ctx: case.waive_hearing(ctx, self.working_calendar()),
        )  # fmt: skip

    def schedule_hearing(
        self,
        principal: Principal,
        case_no: str,
        at: dt.datetime,
        place: str,
        presiding_officer: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """听证通知 (Law 48): 7 days ahead, a presiding officer not involved in the case —
        judged on every staff member who acted on it, from its history."""
        if at.tzinfo is None:
            raise ValidationFailed("听证时间须带时区", "at")
        inputs = {"at": at, "place": place, "presiding_officer": presiding_officer}
        return self._case_command(
            principal, "scheduleHearing", case_no, inputs, idempotency_key,
            authz.require_stage_owner,
            lambda case, ctx: case.schedule_hearing(
                ctx, self.working_calendar(), at, place, presiding_officer, self._staff_of(case)
            ),
        )  # fmt: skip

    def record_hearing(
        self, principal: Principal, case_no: str, record: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """听证笔录 (Law 48(2)): the decision rests on it; the clock runs again."""
        return self._case_command(
            principal, "recordHearing", case_no, {"record": record}, idempotency_key,
            authz.require_stage_owner, lambda case, ctx: case.record_hearing(ctx, record),
        )  # fmt: skip

    def lapse_hearing_request_if_due(self, case_no: str) -> CommandResult | None:
        """逾期未申请听证，视为放弃 (Law 47), by the system: None when not due or settled."""
        return self._system_command(
            "lapseHearingRequest",
            case_no,
            lambda case, ctx: case.lapse_hearing_request(ctx, self.working_calendar()),
        )

    def _staff_of(self, case: LicenseCase) -> set[str]:
        """Everyone who acted on the case as staff (Law 48(3): none of them may preside)."""
        return {
            e.actor.id
            for e in self.histories.events(case.id)[: case.version]
            if getattr(e, "actor", None) is not None and e.actor.role in STAFF_ROLES
        }
