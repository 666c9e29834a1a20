"""Acceptance (受理), Law 32 and SAMR 15: accept, refuse, or send the one correction notice
within 5 working days of receipt; the correction period and deemed abandonment (SAMR 15(4)).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xuke.domain.calendar import WorkingCalendar
from xuke.domain.case.core import CaseCore
from xuke.domain.case_records import (
    CommandContext,
    CorrectionNotice,
)
from xuke.domain.deadlines import (
    DEFAULT_CORRECTION_PERIOD_DAYS,
    acceptance_due,
    correction_due,
    deemed_acceptance_date,
    surely_passed,
)
from xuke.domain.errors import (
    AcceptanceWindowClosed,
    AlreadyExtended,
    CorrectionAlreadyRequested,
    CorrectionPeriodPassed,
    CorrectionWindowClosed,
    InvalidState,
    ValidationFailed,
)
from xuke.domain.model import Aggregate, local_date
from xuke.domain.stages import (
    CaseStatus,
    Stage,
)


class CorrectionRequested(Aggregate.Event):
    """补正告知: one notice listing all missing materials (Art. 32)."""

    notice: CorrectionNotice

    def apply(self, case: Any) -> None:
        case.correction = self.notice
        case.status = CaseStatus.AWAITING_CORRECTION
        case._close_task()


class CorrectionPeriodExtended(Aggregate.Event):
    """补正期限延长: once, for good reason shown by the applicant (SAMR 15(4))."""

    extra_working_days: int
    reason: str

    def apply(self, case: Any) -> None:
        case.correction_extended_by = self.extra_working_days


class ApplicationAbandoned(Aggregate.Event):
    """视为放弃: the correction period passed without the materials (SAMR 15(4)); no
    non-acceptance decision is made."""

    correction_due: dt.date

    def apply(self, case: Any) -> None:
        case._finish(CaseStatus.ABANDONED, "补正期限届满，视为放弃申请", self.timestamp)


class CorrectionSubmitted(Aggregate.Event):
    """补正: the applicant supplied the missing materials."""

    materials: tuple[str, ...]
    received_on: dt.date

    def apply(self, case: Any) -> None:
        case.materials = tuple(sorted(set(case.materials) | set(self.materials)))
        case.correction_received_on = self.received_on
        case.status = CaseStatus.SUBMITTED
        case._open_task(Stage.ACCEPTANCE, self.timestamp)


class ApplicationAccepted(Aggregate.Event):
    """受理: with a sealed, dated acceptance notice (Art. 32). ``late`` means the 5 days
    had passed, so by law the acceptance dates from receipt."""

    notice_no: str
    accepted_on: dt.date
    late: bool = False

    def apply(self, case: Any) -> None:
        case._accept(self.accepted_on, local_date(self.timestamp), self.timestamp)


class ApplicationDeemedAccepted(Aggregate.Event):
    """视为受理: no decision within 5 working days ⇒ accepted as of receipt (Art. 32)."""

    accepted_on: dt.date

    def apply(self, case: Any) -> None:
        case.deemed_accepted = True
        case._accept(self.accepted_on, local_date(self.timestamp), self.timestamp)


class ApplicationNotAccepted(Aggregate.Event):
    """不予受理: refused with reasons and a sealed, dated notice (Art. 32)."""

    notice_no: str
    reason: str

    def apply(self, case: Any) -> None:
        case.acceptance_decided_on = local_date(self.timestamp)
        case._finish(CaseStatus.NOT_ACCEPTED, self.reason, self.timestamp)


class Acceptance(CaseCore):
    """受理 / 补正 / 不予受理 / 视为受理 / 视为放弃."""

    def check_acceptance_window(
        self, calendar: WorkingCalendar, today: dt.date, action: str
    ) -> None:
        """Law 32: correction notices and non-acceptance only within 5 working days (on an
        estimated year, unless even its latest plausible reading has passed)."""
        clock = self.clock()
        due = surely_passed(lambda c: acceptance_due(clock, c), calendar, today)
        if due is not None:
            error = CorrectionWindowClosed if action == "correction" else AcceptanceWindowClosed
            raise error(f"受理期限 {due.date.isoformat()} 已过，视为受理")

    def request_correction(
        self,
        ctx: CommandContext,
        calendar: WorkingCalendar,
        missing: list[str],
        note: str,
        period_days: int = DEFAULT_CORRECTION_PERIOD_DAYS,
    ) -> None:
        """Law 32: once, listing all missing materials, within 5 working days of receipt;
        SAMR 15(4): setting a reasonable period for the corrections."""
        self._require_status(CaseStatus.SUBMITTED, action="告知补正")
        if not 1 <= period_days <= 60:
            raise ValidationFailed("补正期限必须在 1 到 60 个工作日之间", "correctionWorkingDays")
        if self.correction is not None:
            raise CorrectionAlreadyRequested("补正告知只能一次性发出")
        self.check_acceptance_window(calendar, local_date(ctx.at), "correction")
        if not missing:
            raise ValidationFailed("必须列明需要补正的全部材料", "missingMaterials")
        unknown = set(missing) - set(self.required_materials)
        if unknown:
            raise ValidationFailed(
                f"不是本事项的必需材料: {', '.join(sorted(unknown))}", "missingMaterials"
            )
        still_missing = set(self.required_materials) - set(self.materials)
        if not still_missing <= set(missing):
            absent = ", ".join(sorted(still_missing - set(missing)))
            raise ValidationFailed(
                f"补正告知必须一次列明全部缺少的材料，还缺: {absent}", "missingMaterials"
            )
        notice = CorrectionNotice(
            notice_no=self.notice_no("BZ"),
            missing_materials=tuple(sorted(set(missing))),
            note=self._require_reason(note, "note"),
            requested_on=local_date(ctx.at),
            period_days=period_days,
        )
        self._record(CorrectionRequested, ctx, notice=notice)

    def _correction_passed(self, calendar: WorkingCalendar, today: dt.date) -> dt.date | None:
        clock = self.clock()
        due = surely_passed(lambda c: correction_due(clock, c), calendar, today)
        return due.date if due else None

    def extend_correction_period(
        self, ctx: CommandContext, extra_working_days: int, reason: str
    ) -> None:
        """SAMR 15(4): the period may be extended once for good reason — even after it
        passed, as long as the abandonment is not recorded yet."""
        self._require_status(CaseStatus.AWAITING_CORRECTION, action="延长补正期限")
        if self.correction_extended_by:
            raise AlreadyExtended("补正期限只能延长一次")
        if not 1 <= extra_working_days <= 60:
            raise ValidationFailed("延长的工作日必须在 1 到 60 之间", "extraWorkingDays")
        self._record(
            CorrectionPeriodExtended,
            ctx,
            extra_working_days=extra_working_days,
            reason=self._require_reason(reason),
        )

    def abandon(self, ctx: CommandContext, calendar: WorkingCalendar) -> None:
        """SAMR 15(4): recorded by the system once the correction period has surely passed."""
        self._require_status(CaseStatus.AWAITING_CORRECTION, action="视为放弃")
        due = self._correction_passed(calendar, local_date(ctx.at))
        if due is None:
            raise InvalidState("补正期限尚未届满")
        self._record(ApplicationAbandoned, ctx, correction_due=due)

    def submit_correction(
        self, ctx: CommandContext, calendar: WorkingCalendar, materials: list[str]
    ) -> None:
        """补正: all the listed materials, within the period the notice set (SAMR 15(4))."""
        self._require_status(CaseStatus.AWAITING_CORRECTION, action="提交补正材料")
        assert self.correction is not None
        due = self._correction_passed(calendar, local_date(ctx.at))
        if due is not None:
            raise CorrectionPeriodPassed(f"补正期限 {due.isoformat()} 已过，视为放弃申请")
        missing = set(self.correction.missing_materials) - set(materials)
        if missing:
            raise ValidationFailed(f"补正材料不全，还缺: {', '.join(sorted(missing))}", "materials")
        self._record(
            CorrectionSubmitted,
            ctx,
            materials=tuple(sorted(set(materials))),
            received_on=local_date(ctx.at),
        )

    def accept(self, ctx: CommandContext, calendar: WorkingCalendar) -> None:
        """Law 32: accept. After the 5-day window the law has already deemed the
        application accepted as of receipt, so that date is the acceptance date."""
        self._require_status(CaseStatus.SUBMITTED, action="受理")
        today, clock = local_date(ctx.at), self.clock()
        late = surely_passed(lambda c: acceptance_due(clock, c), calendar, today) is not None
        accepted_on = deemed_acceptance_date(clock) if late else today
        self._record(
            ApplicationAccepted,
            ctx,
            notice_no=self.notice_no("SL"),
            accepted_on=accepted_on,
            late=late,
        )

    def deem_accepted(self, ctx: CommandContext, calendar: WorkingCalendar) -> None:
        """Law 32: past the acceptance deadline with no decision ⇒ accepted as of receipt
        (never on an estimate that may still be running)."""
        self._require_status(CaseStatus.SUBMITTED, action="视为受理")
        clock = self.clock()
        if surely_passed(lambda c: acceptance_due(clock, c), calendar, local_date(ctx.at)) is None:
            due = acceptance_due(clock, calendar).date
            raise InvalidState(f"受理期限 {due.isoformat()} 尚未确定届满")
        accepted_on = deemed_acceptance_date(clock)
        self._record(ApplicationDeemedAccepted, ctx, accepted_on=accepted_on)

    def reject(self, ctx: CommandContext, calendar: WorkingCalendar, reason: str) -> None:
        """Art. 32: 不予受理 with reasons, within the acceptance window."""
        self._require_status(CaseStatus.SUBMITTED, action="不予受理")
        reason = self._require_reason(reason)
        self.check_acceptance_window(calendar, local_date(ctx.at), "rejection")
        self._record(ApplicationNotAccepted, ctx, notice_no=self.notice_no("BSL"), reason=reason)
