"""Hearings (听证, Law 46-48; SAMR 53-59): notice, request or waiver, scheduling, record.

The hearing's time does not count (Law 45, SAMR 34): the decision clock stops at the notice —
recorded as a suspension with reason HEARING, so every deadline, explanation, light and view
already understands it — and runs again when the applicant waives, when the 5 days to ask
pass without a request (the watcher records the lapse; the clock runs again from the day
after ``requestBy``, whenever that is recorded — our reading), or when the record is made.

Readings we chose (no text settles them):

- An Art. 46 hearing (PUBLIC_INTEREST) is the organ's own: nobody asks for it, so its notice
  (NOTIFIED, ``requestBy`` null) goes straight to scheduling, and Art. 47's 20 days to hold
  it run from the notice, so a stopped clock cannot stay stopped without a card.
- Law 48(1)'s 7 days' notice are calendar days: the hearing day is at least the 7th day after
  the day it is scheduled (a minimum that protects the applicant; the 5 and 20 days are
  working days per SAMR 77).
- The presiding officer is named by user id; "involved" (Law 48(3)) is anyone whose id is on
  an opinion, holds the task, gave the hearing notice, or — passed in by the application
  from the case's history — acted on the case as staff in any other way.
- The suspension a hearing starts is told as 25 working days (5 to ask + 20 to hold; an
  Art. 46 hearing: 20), the applicant's written notice of how long it takes (Law 45).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from xuke.domain.calendar import WorkingCalendar
from xuke.domain.case.core import CaseCore
from xuke.domain.case_records import CommandContext, HearingRecord, Suspension
from xuke.domain.deadlines import (
    HEARING_HOLD_DAYS,
    HEARING_NOTICE_DAYS,
    HEARING_REQUEST_DAYS,
    decision_due,
    hearing_hold_due,
    hearing_request_due,
    surely_passed,
)
from xuke.domain.errors import (
    ExpiredClockNotSuspended,
    HearingAlreadyOpen,
    HearingNoticeTooShort,
    HearingRequestWindowClosed,
    HearingTooLate,
    InvalidState,
    PresidingOfficerInvolved,
    ValidationFailed,
)
from xuke.domain.model import Aggregate, local_date
from xuke.domain.stages import (
    CLOCK_RUNNING,
    CaseStatus,
    HearingBasis,
    HearingStatus,
    SuspensionReason,
    named,
)


def _hearing_changed(case: Any, **changes: Any) -> None:
    case.hearing = case.hearing.model_copy(update=changes)


def _clock_runs_again(case: Any, on: dt.date) -> None:
    """Ends the hearing's suspension (the last one: nothing else can stop the clock while a
    hearing holds it) — as ``ClockResumed`` does."""
    last = case.suspensions[-1].model_copy(update={"end": on})
    case.suspensions = (*case.suspensions[:-1], last)
    case.status = case.status_before_suspension
    case.status_before_suspension = None


class HearingNoticed(Aggregate.Event):
    """听证告知 (Art. 47) / 听证公告 (Art. 46): the decision clock stops (Art. 45)."""

    hearing: HearingRecord
    suspension: Suspension

    def apply(self, case: Any) -> None:
        case.hearing = self.hearing
        case.suspensions = (*case.suspensions, self.suspension)
        case.status_before_suspension = case.status
        case.status = CaseStatus.SUSPENDED


class HearingRequested(Aggregate.Event):
    """申请听证: within 5 days of the notice (Art. 47); held within 20 days of it."""

    requested_on: dt.date

    def apply(self, case: Any) -> None:
        _hearing_changed(case, status=HearingStatus.REQUESTED, requested_on=self.requested_on)


class HearingWaived(Aggregate.Event):
    """放弃听证: the applicant's own waiver; the clock runs again (Art. 45)."""

    resumed_on: dt.date

    def apply(self, case: Any) -> None:
        _hearing_changed(case, status=HearingStatus.WAIVED)
        _clock_runs_again(case, self.resumed_on)


class HearingRequestLapsed(Aggregate.Event):
    """逾期未申请听证，视为放弃 (Art. 47): recorded by the system once ``request_by`` has
    surely passed; the clock runs again from the day after it."""

    request_by: dt.date

    def apply(self, case: Any) -> None:
        _hearing_changed(case, status=HearingStatus.WAIVED, lapsed=True)
        _clock_runs_again(case, self.request_by)


class HearingScheduled(Aggregate.Event):
    """听证通知: time, place and presiding officer, 7 days ahead (Art. 48(1))."""

    scheduled_at: dt.datetime
    place: str
    presiding_officer: str

    def apply(self, case: Any) -> None:
        _hearing_changed(
            case,
            status=HearingStatus.SCHEDULED,
            scheduled_at=self.scheduled_at,
            place=self.place,
            presiding_officer=self.presiding_officer,
        )


class HearingRecorded(Aggregate.Event):
    """听证笔录: the hearing was held; the decision rests on the record (Art. 48(2)); the
    clock runs again (Art. 45)."""

    held_on: dt.date
    record: str

    def apply(self, case: Any) -> None:
        _hearing_changed(case, status=HearingStatus.HELD, held_on=self.held_on, record=self.record)
        _clock_runs_again(case, self.held_on)


class Hearings(CaseCore):
    """听证告知 / 申请 / 放弃 / 通知 / 笔录."""

    def notice_hearing(
        self, ctx: CommandContext, calendar: WorkingCalendar, basis: HearingBasis, note: str
    ) -> None:
        """Law 46-47: by the stage owner while the clock runs; the clock stops at the notice.
        Like any suspension, not once the decision period has run out (Law 45)."""
        if self.hearing is not None and self.hearing.is_open:
            raise HearingAlreadyOpen("本案已有尚未结束的听证")
        self._require_status(*CLOCK_RUNNING, action="告知听证")
        today, clock = local_date(ctx.at), self.clock()
        due = surely_passed(lambda c: decision_due(clock, c, today), calendar, today)
        if due is not None:
            raise ExpiredClockNotSuspended(f"决定期限 {due.date.isoformat()} 已过，不能告知听证")
        note = self._require_reason(note, "note")
        expected = HEARING_HOLD_DAYS
        if basis is HearingBasis.ARTICLE_47_RIGHT:
            expected += HEARING_REQUEST_DAYS
        hearing = HearingRecord(
            basis=basis, status=HearingStatus.NOTIFIED, note=note, notified_on=today,
            noticed_by=ctx.actor.id,
        )  # fmt: skip
        suspension = Suspension(
            reason=SuspensionReason.HEARING, expected_working_days=expected, note=note, start=today
        )
        self._record(HearingNoticed, ctx, hearing=hearing, suspension=suspension)

    def request_hearing(self, ctx: CommandContext, calendar: WorkingCalendar) -> None:
        """Law 47: the applicant, within 5 working days of the notice."""
        self._right_to_ask("申请听证")
        today, clock = local_date(ctx.at), self.clock()
        due = surely_passed(lambda c: hearing_request_due(clock, c), calendar, today)
        if due is not None:
            raise HearingRequestWindowClosed(
                f"听证申请期限 {due.date.isoformat()} 已过，视为放弃听证"
            )
        self._record(HearingRequested, ctx, requested_on=today)

    def waive_hearing(self, ctx: CommandContext, calendar: WorkingCalendar) -> None:
        """The applicant waives before asking; the clock runs again — the day after the
        window closed at the latest (a late waiver adds no stopped days)."""
        self._right_to_ask("放弃听证")
        today = local_date(ctx.at)
        window = hearing_request_due(self.clock(), calendar)
        resumed_on = min(today, window.date) if window is not None else today
        self._record(HearingWaived, ctx, resumed_on=resumed_on)

    def lapse_hearing_request(self, ctx: CommandContext, calendar: WorkingCalendar) -> None:
        """Law 47: no request within the 5 days ⇒ waived by law. Recorded by the system once
        the window has surely passed; the clock runs again from the day after it."""
        self._right_to_ask("视为放弃听证")
        clock = self.clock()
        due = surely_passed(lambda c: hearing_request_due(clock, c), calendar, local_date(ctx.at))
        if due is None:
            raise InvalidState("听证申请期限尚未确定届满")
        self._record(HearingRequestLapsed, ctx, request_by=due.date)

    def schedule_hearing(
        self,
        ctx: CommandContext,
        calendar: WorkingCalendar,
        at: dt.datetime,
        place: str,
        presiding_officer: str,
        involved: Iterable[str] = (),
    ) -> None:
        """Law 48: a presiding officer not involved in the case, time and place told at least
        7 days ahead, within the 20 days of the request (a new date, likewise)."""
        hearing = self._hearing_in(
            HearingStatus.REQUESTED, HearingStatus.SCHEDULED, HearingStatus.NOTIFIED,
            action="安排听证",
        )  # fmt: skip
        if hearing.status is HearingStatus.NOTIFIED and hearing.request_window_from is not None:
            raise InvalidState("申请人尚未申请听证")
        place, officer = place.strip(), presiding_officer.strip()
        if not place:
            raise ValidationFailed("必须写明听证地点", "place")
        if not officer:
            raise ValidationFailed("必须指定听证主持人", "presidingOfficer")
        if officer in self.involved_staff(involved):
            raise PresidingOfficerInvolved(
                f"{officer} 参与了本案审查，不得主持听证（第四十八条）", "presidingOfficer"
            )
        today, day, clock = local_date(ctx.at), local_date(at), self.clock()
        earliest = today + dt.timedelta(days=HEARING_NOTICE_DAYS)
        if day < earliest:
            raise HearingNoticeTooShort(
                f"应当于举行听证的七日前通知，最早可定于 {earliest.isoformat()}", "at"
            )
        hold = surely_passed(lambda c: hearing_hold_due(clock, c), calendar, day)
        if hold is not None:
            raise HearingTooLate(
                f"听证应当在申请之日起二十日内举行（{hold.date.isoformat()} 前）", "at"
            )
        self._record(HearingScheduled, ctx, scheduled_at=at, place=place, presiding_officer=officer)

    def record_hearing(self, ctx: CommandContext, record: str) -> None:
        """Law 48(2): the record (听证笔录) is kept; the decision rests on it. The clock runs
        again."""
        hearing = self._hearing_in(HearingStatus.SCHEDULED, action="记录听证")
        today = local_date(ctx.at)
        assert hearing.scheduled_at is not None
        if today < local_date(hearing.scheduled_at):
            raise InvalidState(f"听证定于 {local_date(hearing.scheduled_at).isoformat()} 举行")
        if not record.strip():
            raise ValidationFailed("必须提交听证笔录", "record")
        self._record(HearingRecorded, ctx, held_on=today, record=record.strip())

    def involved_staff(self, also: Iterable[str] = ()) -> frozenset[str]:
        """Law 48(3): who may not preside — whoever signed an opinion, holds the task, gave
        the hearing notice, and ``also`` (every staff actor of the case's history)."""
        ids = {o.actor_id for o in self.opinions} | set(also)
        if self.task is not None and self.task.assignee:
            ids.add(self.task.assignee)
        if self.hearing is not None:
            ids.add(self.hearing.noticed_by)
        return frozenset(ids)

    def _hearing_in(self, *allowed: HearingStatus, action: str) -> HearingRecord:
        hearing = self.hearing
        if hearing is None or self.status is not CaseStatus.SUSPENDED:
            raise InvalidState(f"本案没有进行中的听证，不能{action}")
        if hearing.status not in allowed:
            raise InvalidState(f"听证状态为{named(hearing.status)}，不能{action}")
        return hearing

    def _right_to_ask(self, action: str) -> HearingRecord:
        hearing = self._hearing_in(HearingStatus.NOTIFIED, action=action)
        if hearing.basis is not HearingBasis.ARTICLE_47_RIGHT:
            raise InvalidState("第四十六条听证由行政机关依职权举行，无需申请")
        return hearing
