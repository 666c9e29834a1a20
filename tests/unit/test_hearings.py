"""Hearings (听证, Law 46-48; SAMR 53-59) on the aggregate alone, dated on the official 2026
calendar (1-7 Oct 国庆 off, Sat 10 Oct worked). Every date is counted by hand in a comment.

TZSB-SCXK (20 working days) accepted Tue 29 Sep 2026: 30 Sep (1); 8, 9, Sat 10 Oct (4);
12-16 (9), 19-23 (14), 26-30 (19); Mon 2 Nov (20) ⇒ the decision is due 2026-11-02.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support import at
from tests.unit.test_case_rules import TZSB_ALL, calendar, filed
from xuke.domain.case import LicenseCase
from xuke.domain.case_records import CommandContext
from xuke.domain.deadlines import compute_deadlines
from xuke.domain.errors import (
    ErrorCode,
    ExpiredClockNotSuspended,
    HearingAlreadyOpen,
    HearingNotHeld,
    HearingNoticeTooShort,
    HearingRequestWindowClosed,
    HearingTooLate,
    InvalidState,
    PresidingOfficerInvolved,
    ValidationFailed,
)
from xuke.domain.explanations import explain_deadlines
from xuke.domain.model import Actor, AggregateSnapshot
from xuke.domain.roles import Role
from xuke.domain.stages import (
    CaseStatus,
    HearingBasis,
    HearingStatus,
    Opinion,
    SuspensionReason,
)

D = dt.date
ART47, PUBLIC = HearingBasis.ARTICLE_47_RIGHT, HearingBasis.PUBLIC_INTEREST


def ctx(moment: dt.datetime, role: Role, user: str | None = None) -> CommandContext:
    user = user or f"{role.value.lower()}-1"
    return CommandContext(actor=Actor(id=user, role=role, org_code="440000"), at=moment)


def in_review() -> LicenseCase:
    """TZSB accepted Tue 29 Sep by clerk-1; handler-1 agreed on Fri 9 Oct: at REVIEW."""
    case = filed(item="TZSB-SCXK", materials=TZSB_ALL)
    case.accept(ctx(at(2026, 9, 29), Role.CLERK), calendar())
    case.record_opinion(ctx(at(2026, 10, 9), Role.HANDLER), Opinion.AGREE, "同意", None)
    return case


def noticed(basis: HearingBasis = ART47) -> LicenseCase:
    """reviewer-1 gives notice on Mon 12 Oct."""
    case = in_review()
    case.notice_hearing(ctx(at(2026, 10, 12), Role.REVIEWER), calendar(), basis, "拟不予许可")
    return case


def decision_due(case: LicenseCase, today: dt.date) -> dt.date | None:
    return compute_deadlines(case.clock(), calendar(), today).decision_due


def test_the_notice_stops_the_clock_as_a_hearing_suspension() -> None:
    case = noticed()
    assert case.status is CaseStatus.SUSPENDED
    assert case.hearing is not None and case.hearing.status is HearingStatus.NOTIFIED
    assert case.hearing.notified_on == D(2026, 10, 12) and case.hearing.noticed_by == "reviewer-1"
    last = case.suspensions[-1]
    assert (last.reason, last.start, last.end) == (SuspensionReason.HEARING, D(2026, 10, 12), None)
    assert last.expected_working_days == 25  # 5 to ask + 20 to hold, told in writing (Law 45)
    # Law 47: 5 working days from Mon 12 Oct: 13, 14, 15, 16, Mon 19 ⇒ 2026-10-19.
    explained = {e.limit: e for e in explain_deadlines(case.clock(), calendar(), D(2026, 10, 14))}
    assert explained["HEARING_REQUEST"].due == D(2026, 10, 19)
    assert "HEARING" not in explained  # nothing asked for yet
    # Open since 12 Oct, on Wed 14 Oct: 13, 14 suspended ⇒ 2 Nov + 2 = Wed 4 Nov.
    assert decision_due(case, D(2026, 10, 14)) == D(2026, 11, 4)
    skipped = {d.date: d.reason for d in explained["DECISION"].skipped}
    assert skipped[D(2026, 10, 13)] == skipped[D(2026, 10, 14)] == "中止计时：听证"
    with pytest.raises(InvalidState):  # only waiver, lapse or record restart a hearing's clock
        case.resume_clock(ctx(at(2026, 10, 14), Role.REVIEWER))


def test_a_request_within_five_working_days_then_schedule_and_record() -> None:
    case = noticed()
    case.request_hearing(ctx(at(2026, 10, 19, 17), Role.APPLICANT), calendar())  # the last day
    assert case.hearing is not None and case.hearing.status is HearingStatus.REQUESTED
    # Law 47: 20 working days from Mon 19 Oct: 20-23 (4), 26-30 (9), 2-6 Nov (14),
    # 9-13 (19), Mon 16 Nov (20) ⇒ 2026-11-16.
    explained = {e.limit: e for e in explain_deadlines(case.clock(), calendar(), D(2026, 10, 20))}
    assert explained["HEARING"].due == D(2026, 11, 16)
    schedule = ctx(at(2026, 10, 20), Role.REVIEWER)
    with pytest.raises(HearingNoticeTooShort) as short:  # 20 Oct + 7 days = 27 Oct at the earliest
        case.schedule_hearing(schedule, calendar(), at(2026, 10, 26, 9), "第一听证室", "legal-1")
    assert (short.value.code, short.value.field) == (ErrorCode.VALIDATION, "at")
    with pytest.raises(HearingTooLate):
        case.schedule_hearing(schedule, calendar(), at(2026, 11, 17, 9), "第一听证室", "legal-1")
    for involved in ("handler-1", "reviewer-1", "clerk-1"):  # opinion, notice, history
        with pytest.raises(PresidingOfficerInvolved) as error:
            case.schedule_hearing(
                schedule, calendar(), at(2026, 10, 27, 9), "第一听证室", involved, ["clerk-1"]
            )
        assert (error.value.code, error.value.field) == (ErrorCode.VALIDATION, "presidingOfficer")
    case.schedule_hearing(schedule, calendar(), at(2026, 10, 27, 9), "第一听证室", "legal-1")
    assert case.hearing.status is HearingStatus.SCHEDULED
    with pytest.raises(HearingNotHeld) as blocked:
        case.decide(ctx(at(2026, 10, 26), Role.APPROVER), True, "符合条件")
    assert blocked.value.code is ErrorCode.INVALID_STATE
    with pytest.raises(InvalidState):  # not yet held
        case.record_hearing(ctx(at(2026, 10, 26), Role.REVIEWER), "笔录")
    with pytest.raises(ValidationFailed):
        case.record_hearing(ctx(at(2026, 10, 27, 16), Role.REVIEWER), "  ")
    case.record_hearing(ctx(at(2026, 10, 27, 16), Role.REVIEWER), "申请人陈述、申辩意见……")
    assert (case.hearing.status, case.hearing.held_on) == (HearingStatus.HELD, D(2026, 10, 27))
    assert case.status is CaseStatus.UNDER_REVIEW and case.suspensions[-1].end == D(2026, 10, 27)
    # Suspended 12 Oct (not counted) to 27 Oct: 13-16 (4), 19-23 (9), 26, 27 (11) ⇒
    # 2 Nov + 11: 3-6 (4), 9-13 (9), 16, Tue 17 Nov (11) ⇒ 2026-11-17, and it stays there.
    assert decision_due(case, D(2026, 11, 10)) == D(2026, 11, 17)


def test_after_five_working_days_the_request_is_refused_and_the_lapse_restarts_the_clock() -> None:
    case = noticed()
    with pytest.raises(HearingRequestWindowClosed) as late:
        case.request_hearing(ctx(at(2026, 10, 20), Role.APPLICANT), calendar())
    assert late.value.code is ErrorCode.DEADLINE_PASSED
    with pytest.raises(InvalidState):  # on the last day the window is still open
        case.lapse_hearing_request(ctx(at(2026, 10, 19, 23), Role.APPLICANT), calendar())
    case.lapse_hearing_request(
        CommandContext(actor=Actor.system(), at=at(2026, 10, 23)), calendar()
    )
    assert case.hearing is not None and case.hearing.lapsed
    assert case.hearing.status is HearingStatus.WAIVED and case.status is CaseStatus.UNDER_REVIEW
    # Recorded on Fri 23 Oct, but the clock runs again from the day after 19 Oct: suspended
    # 13-16, 19 Oct = 5 ⇒ 2 Nov + 5: 3, 4, 5, 6, Mon 9 Nov.
    assert case.suspensions[-1].end == D(2026, 10, 19)
    assert decision_due(case, D(2026, 10, 23)) == D(2026, 11, 9)


def test_a_waiver_restarts_the_clock_and_another_hearing_may_follow() -> None:
    case = noticed()
    with pytest.raises(HearingAlreadyOpen):
        case.notice_hearing(ctx(at(2026, 10, 13), Role.REVIEWER), calendar(), ART47, "再告知")
    case.waive_hearing(ctx(at(2026, 10, 14), Role.APPLICANT), calendar())
    assert case.hearing is not None and case.hearing.status is HearingStatus.WAIVED
    assert not case.hearing.lapsed and case.status is CaseStatus.UNDER_REVIEW
    # Suspended 13, 14 Oct ⇒ 2 Nov + 2 = Wed 4 Nov.
    assert decision_due(case, D(2026, 10, 20)) == D(2026, 11, 4)
    with pytest.raises(InvalidState):
        case.request_hearing(ctx(at(2026, 10, 15), Role.APPLICANT), calendar())
    case.notice_hearing(ctx(at(2026, 10, 20), Role.REVIEWER), calendar(), PUBLIC, "公众关注")
    assert case.hearing.status is HearingStatus.NOTIFIED and case.hearing.basis is PUBLIC


def test_a_public_interest_hearing_is_scheduled_without_a_request() -> None:
    case = noticed(PUBLIC)
    assert case.suspensions[-1].expected_working_days == 20
    with pytest.raises(InvalidState):  # nobody asks for the organ's own hearing
        case.request_hearing(ctx(at(2026, 10, 13), Role.APPLICANT), calendar())
    with pytest.raises(InvalidState):
        case.waive_hearing(ctx(at(2026, 10, 13), Role.APPLICANT), calendar())
    explained = {e.limit: e for e in explain_deadlines(case.clock(), calendar(), D(2026, 10, 13))}
    assert "HEARING_REQUEST" not in explained
    # Our reading: 20 working days from the notice, Mon 12 Oct: 13-16 (4), 19-23 (9),
    # 26-30 (14), 2-6 Nov (19), Mon 9 Nov (20).
    assert explained["HEARING"].due == D(2026, 11, 9)
    with pytest.raises(HearingNotHeld):
        case.decide(ctx(at(2026, 10, 13), Role.APPROVER), True, "符合条件")
    case.schedule_hearing(
        ctx(at(2026, 10, 13), Role.REVIEWER), calendar(), at(2026, 11, 9, 9), "市民中心", "legal-1"
    )
    assert case.hearing is not None and case.hearing.status is HearingStatus.SCHEDULED


def test_no_notice_once_the_decision_period_has_run_out() -> None:
    case = filed(item="TZSB-SCXK", materials=TZSB_ALL)
    case.accept(ctx(at(2026, 9, 29), Role.CLERK), calendar())
    with pytest.raises(ExpiredClockNotSuspended) as error:  # due Mon 2 Nov
        case.notice_hearing(ctx(at(2026, 11, 3), Role.HANDLER), calendar(), ART47, "告知")
    assert error.value.code is ErrorCode.DEADLINE_PASSED
    case.notice_hearing(ctx(at(2026, 11, 2), Role.HANDLER), calendar(), ART47, "告知")
    assert case.status is CaseStatus.SUSPENDED


def test_scheduling_needs_a_place_and_a_presiding_officer() -> None:
    case = noticed()
    case.request_hearing(ctx(at(2026, 10, 13), Role.APPLICANT), calendar())
    schedule = ctx(at(2026, 10, 14), Role.REVIEWER)
    for place, officer, field in (("  ", "legal-1", "place"), ("一室", " ", "presidingOfficer")):
        with pytest.raises(ValidationFailed) as error:
            case.schedule_hearing(schedule, calendar(), at(2026, 10, 30, 9), place, officer)
        assert error.value.field == field


def test_a_hearing_survives_replay_and_snapshots() -> None:
    case = noticed()
    case.request_hearing(ctx(at(2026, 10, 13), Role.APPLICANT), calendar())
    restored = AggregateSnapshot.take(case).mutate(None)
    assert restored.hearing == case.hearing and restored.suspensions == case.suspensions
    replayed = None
    for event in case.collect_events():
        replayed = event.mutate(replayed)
    assert replayed is not None and replayed.hearing == case.hearing
