"""The decision clock: suspension for procedures that do not count (Law 45) and the one
extension the item allows (Law 42).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xuke.domain.calendar import WorkingCalendar
from xuke.domain.case.core import CaseCore
from xuke.domain.case_records import (
    CommandContext,
    Suspension,
)
from xuke.domain.deadlines import (
    decision_due,
    surely_passed,
)
from xuke.domain.errors import (
    AlreadyExtended,
    ExpiredClockNotSuspended,
    ExtensionWindowClosed,
    InvalidState,
    NoExtensionForItem,
    ValidationFailed,
)
from xuke.domain.model import Aggregate, local_date
from xuke.domain.stages import (
    CLOCK_RUNNING,
    CaseStatus,
    SuspensionReason,
)


class ClockSuspended(Aggregate.Event):
    """中止计时: hearing, testing, expert review … do not count (Art. 45)."""

    suspension: Suspension

    def apply(self, case: Any) -> None:
        case.suspensions = (*case.suspensions, self.suspension)
        case.status_before_suspension = case.status
        case.status = CaseStatus.SUSPENDED


class ClockResumed(Aggregate.Event):
    """恢复计时."""

    resumed_on: dt.date

    def apply(self, case: Any) -> None:
        last = case.suspensions[-1].model_copy(update={"end": self.resumed_on})
        case.suspensions = (*case.suspensions[:-1], last)
        case.status = case.status_before_suspension
        case.status_before_suspension = None


class DeadlineExtended(Aggregate.Event):
    """延期: +10 working days, once, approved by the head, reasons told (Art. 42)."""

    reason: str
    extra_working_days: int

    def apply(self, case: Any) -> None:
        case.extended = True
        case.extension_reason = self.reason
        case.extension_added = self.extra_working_days


class Timing(CaseCore):
    """中止计时 / 恢复计时 / 延期."""

    def _require_decision_period_running(
        self, calendar: WorkingCalendar, today: dt.date, error: type[Exception], action: str
    ) -> None:
        clock = self.clock()
        due = surely_passed(lambda c: decision_due(clock, c, today), calendar, today)
        if due is not None:
            raise error(f"决定期限 {due.date.isoformat()} 已过，不能{action}")

    def suspend_clock(
        self,
        ctx: CommandContext,
        calendar: WorkingCalendar,
        reason: SuspensionReason,
        expected_working_days: int,
        note: str,
    ) -> None:
        """Law 45: the applicant is told in writing how long the procedure takes. A period
        that has already run out is not revived by a suspension."""
        self._require_status(*CLOCK_RUNNING, action="中止计时")
        self._require_decision_period_running(
            calendar, local_date(ctx.at), ExpiredClockNotSuspended, "中止计时"
        )
        if not 0 < expected_working_days <= 250:
            raise ValidationFailed("预计所需工作日必须在 1 到 250 之间", "expectedWorkingDays")
        suspension = Suspension(
            reason=reason,
            expected_working_days=expected_working_days,
            note=self._require_reason(note, "note"),
            start=local_date(ctx.at),
        )
        self._record(ClockSuspended, ctx, suspension=suspension)

    def resume_clock(self, ctx: CommandContext) -> None:
        """A hearing's clock runs again only by its waiver, lapse or record (``hearing``)."""
        self._require_status(CaseStatus.SUSPENDED, action="恢复计时")
        if self.hearing is not None and self.hearing.is_open:
            raise InvalidState("听证期间的计时在放弃听证、逾期未申请或听证笔录作出后恢复")
        self._record(ClockResumed, ctx, resumed_on=local_date(ctx.at))

    def extend_deadline(self, ctx: CommandContext, calendar: WorkingCalendar, reason: str) -> None:
        """Law 42: one extension — the item's (10 working days unless its own law says
        otherwise, possibly none) — before the limit runs out."""
        self._require_status(*CLOCK_RUNNING, CaseStatus.SUSPENDED, action="延期")
        if not self.extension_days:
            raise NoExtensionForItem(f"{self.item_name}的法定期限依法不得延长")
        if self.extended:
            raise AlreadyExtended("法定期限只能延长一次")
        reason = self._require_reason(reason)
        self._require_decision_period_running(
            calendar, local_date(ctx.at), ExtensionWindowClosed, "再延期"
        )
        self._record(DeadlineExtended, ctx, reason=reason, extra_working_days=self.extension_days)
