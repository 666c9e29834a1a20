"""Supervision (监察) on both backends, with the injectable clock: "five working days later"
is a test, not a wait."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests import scenarios
from tests.support import applicant, at, file_gycp, file_tzsb, project, staff
from xuke.application.authorization import Forbidden
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.application.supervision import SupervisionCommands
from xuke.domain.case import LicenseCase
from xuke.domain.case_records import CommandContext, Suspension
from xuke.domain.errors import NotFound
from xuke.domain.model import Actor
from xuke.domain.roles import Role
from xuke.domain.stages import CaseStatus, HearingBasis, SuspensionReason
from xuke.domain.supervision import ComplaintStatus, OrderStatus
from xuke.projections.store import ViewStore
from xuke.supervision.watcher import DeadlineWatcher

SUPERVISOR = staff(Role.SUPERVISOR, user="sup-wu")


def watch(app: LicensingApplication, views: ViewStore) -> list[str]:
    project(app, views)
    report = DeadlineWatcher(app, views).run_once()
    project(app, views)
    return (
        report.cards
        + [f"deemed:{n}" for n in report.deemed_accepted]
        + [f"escalated:{o}" for o in report.escalated]
    )


def test_the_watcher_deems_acceptance_once_the_window_passes(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    case_no = file_gycp(app).case.case_no  # Mon 28 Sep; the window closes Sat 10 Oct (worked)
    clock.set(at(2026, 10, 10, 18))  # not yet: but the clerks held it past their 3 days
    assert watch(app, views) == [f"YELLOW:{case_no}:STAGE_HELD_TOO_LONG"]
    clock.set(at(2026, 10, 12, 8))
    assert watch(app, views) == [f"deemed:{case_no}"]
    case = app.get_case(case_no)
    assert case.deemed_accepted and case.accepted_on == dt.date(2026, 9, 28)


def test_red_and_yellow_cards_are_issued_once_each(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    case_no = file_gycp(app).case.case_no
    clock.set(at(2026, 9, 29))
    app.accept_application(
        scenarios.CLERK, case_no
    )  # 60 days: due 28 Dec; committed 30: due 16 Nov
    clock.set(at(2026, 10, 27))  # HANDLING has held the task for 16 working days (limit 15)
    assert watch(app, views) == [f"YELLOW:{case_no}:STAGE_HELD_TOO_LONG"]
    clock.set(at(2026, 11, 17))
    assert watch(app, views) == [f"YELLOW:{case_no}:COMMITTED_LIMIT_PASSED"]
    clock.set(at(2026, 12, 29))
    assert watch(app, views) == [f"RED:{case_no}:LEGAL_LIMIT_PASSED"]
    assert watch(app, views) == []  # idempotent
    cards = views.fetchall(
        "SELECT colour, cause, responsible_unit FROM supervision_cards ORDER BY issued_at"
    )
    assert [(c["colour"], c["cause"]) for c in cards] == [
        ("YELLOW", "STAGE_HELD_TOO_LONG"), ("YELLOW", "COMMITTED_LIMIT_PASSED"), ("RED", "LEGAL_LIMIT_PASSED"),
    ]  # fmt: skip
    assert {c["responsible_unit"] for c in cards} == {"440000"}


def test_concurrent_watchers_issue_a_card_once(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    case_no = file_gycp(app).case.case_no
    app.accept_application(scenarios.CLERK, case_no)
    clock.set(at(2027, 1, 20))
    project(app, views)
    with ThreadPoolExecutor(4) as pool:
        reports = list(pool.map(lambda _: DeadlineWatcher(app, views).run_once(), range(4)))
    issued = [c for r in reports for c in r.cards if "LEGAL" in c]
    assert len(issued) == 1


def test_a_supervision_order_is_answered_or_escalated(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    commands = SupervisionCommands(app)
    case_no = file_gycp(app).case.case_no
    order = commands.issue_order(
        SUPERVISOR, case_no, "请于十月九日前完成受理审查", dt.date(2026, 10, 9), key="o-1"
    )
    assert (
        commands.issue_order(
            SUPERVISOR, case_no, "请于十月九日前完成受理审查", dt.date(2026, 10, 9), key="o-1"
        ).id
        == order.id
    )
    with pytest.raises(Forbidden):
        commands.issue_order(staff(Role.HANDLER), case_no, "越权督办", dt.date(2026, 10, 9))
    answered = commands.answer_order(scenarios.CLERK, order.id, "已完成受理审查，已受理")
    assert answered.status is OrderStatus.ANSWERED
    late = commands.issue_order(SUPERVISOR, case_no, "请说明进度", dt.date(2026, 10, 9))
    clock.set(at(2026, 10, 12))
    assert watch(app, views)[-1] == f"escalated:{late.id}"
    escalated = app.repository.get(late.id)
    assert escalated.status is OrderStatus.ESCALATED and escalated.escalated_to == "000000"
    rows = views.fetchall("SELECT status, escalated_to FROM supervision_orders ORDER BY issued_at")
    assert [(r["status"], r["escalated_to"]) for r in rows] == [
        ("ANSWERED", None),
        ("ESCALATED", "000000"),
    ]


def test_complaints_are_routed_taken_up_and_answered(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    commands = SupervisionCommands(app)
    filed = file_gycp(app)
    case_no, code = filed.case.case_no, filed.query_code or ""
    mine = commands.file_complaint(applicant(), case_no, "受理人员态度不好，且拖延受理")
    public = commands.file_complaint(None, case_no, "公众反映：办理时间过长", query_code=code)
    assert (mine.channel, public.channel) == ("APPLICANT", "PUBLIC")
    assert mine.take_up_due == dt.date(2026, 10, 10)  # 5 working days, 10 Oct is worked
    with pytest.raises(NotFound):
        commands.file_complaint(None, case_no, "猜测查询码投诉", query_code="WRONGCODE1")
    with pytest.raises(Forbidden):
        commands.take_up_complaint(staff(Role.SUPERVISOR, "440300"), mine.id)
    commands.take_up_complaint(SUPERVISOR, mine.id)
    clock.set(at(2026, 10, 13))
    answered = commands.answer_complaint(SUPERVISOR, public.id, "已督促承办单位加快办理")
    assert answered.status is ComplaintStatus.ANSWERED
    project(app, views)
    rows = views.fetchall(
        "SELECT channel, status, taken_up_late, reply FROM complaints ORDER BY filed_at"
    )
    assert [(r["channel"], r["status"], r["taken_up_late"]) for r in rows] == [
        ("APPLICANT", "TAKEN_UP", 0),
        ("PUBLIC", "ANSWERED", 1),
    ]


def test_a_correction_notice_later_than_promised_gets_a_yellow_card(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    on_time = file_gycp(app, materials=["SQS", "YYZZ"]).case.case_no
    late = file_gycp(app, materials=["SQS", "YYZZ"]).case.case_no  # both received Mon 28 Sep
    clock.set(at(2026, 9, 30))
    app.request_correction(scenarios.CLERK, on_time, ["CPBZ", "SCSB"], "请补正")
    clock.set(at(2026, 10, 9))  # the 4th working day: within the law's 5, past the promised 3
    app.request_correction(scenarios.CLERK, late, ["CPBZ", "SCSB"], "请补正")
    assert f"YELLOW:{late}:LATE_CORRECTION_NOTICE" in watch(app, views)
    assert not any(on_time in c and "CORRECTION" in c for c in watch(app, views))


def test_a_case_suspended_after_its_period_ran_out_stays_red(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    """Law 45 revives no expired period. Today a suspension after the due date is refused;
    a case recorded before that rule (replayed here by recording the event directly) must
    still be carded RED, while a case suspended in time is not."""
    overdue, in_time = (file_tzsb(app).case.case_no for _ in range(2))
    clock.set(at(2026, 9, 29))
    for case_no in (overdue, in_time):  # 20 working days ⇒ due Mon 2 Nov
        app.accept_application(scenarios.CLERK, case_no)
    clock.set(at(2026, 10, 30))
    app.suspend_clock(staff(Role.HANDLER), in_time, SuspensionReason.TESTING, 20, "送检")
    clock.set(at(2026, 11, 4))
    case = app.get_case(overdue)
    ctx = CommandContext(actor=Actor(id="legacy", role=Role.HANDLER), at=clock.now())
    suspension = Suspension(
        reason=SuspensionReason.TESTING,
        expected_working_days=10,
        note="送检",
        start=dt.date(2026, 11, 4),
    )
    case._record(LicenseCase.ClockSuspended, ctx, suspension=suspension)
    app.save(case)
    clock.set(at(2026, 11, 20))
    cards = watch(app, views)
    assert f"RED:{overdue}:LEGAL_LIMIT_PASSED" in cards
    assert not any(in_time in card and "LEGAL" in card for card in cards)


def test_the_watcher_records_abandonment_once_the_correction_period_passes(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    case_no = file_gycp(app, materials=["SQS", "YYZZ"]).case.case_no
    clock.set(at(2026, 9, 30))  # 5 working days: 8, 9, 10 (worked Saturday), 12, 13 Oct
    app.request_correction(scenarios.CLERK, case_no, ["CPBZ", "SCSB"], "请补正", period_days=5)
    clock.set(at(2026, 10, 13, 18))
    watch(app, views)
    assert app.get_case(case_no).status is CaseStatus.AWAITING_CORRECTION
    clock.set(at(2026, 10, 14, 8))
    watch(app, views)
    case = app.get_case(case_no)
    assert case.status is CaseStatus.ABANDONED and case.closed_on == dt.date(2026, 10, 14)
    watch(app, views)  # once: a second pass records nothing
    assert app.get_case(case_no).version == case.version


def test_a_hall_entry_backdated_past_its_window_is_carded(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    clock.set(at(2026, 10, 20))  # paper received Mon 28 Sep, its window closed Sat 10 Oct
    case_no = file_gycp(
        app, staff(Role.CLERK), channel="HALL", received_at=at(2026, 9, 28, 9)
    ).case.case_no
    cards = watch(app, views)
    assert f"YELLOW:{case_no}:LATE_ENTRY" in cards and f"deemed:{case_no}" in cards
    assert app.get_case(case_no).accepted_on == dt.date(2026, 9, 28)


def test_a_requested_hearing_without_a_presiding_officer_in_three_days_is_carded(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    """Dates by hand: notice Mon 12 Oct 2026, request Wed 14 Oct; the officer is named within
    3 working days of the request (15, 16, 19 Oct). The case scheduled in time is not carded."""
    late, in_time = (file_tzsb(app).case.case_no for _ in range(2))
    clock.set(at(2026, 9, 29))
    for case_no in (late, in_time):
        app.accept_application(scenarios.CLERK, case_no)
    clock.set(at(2026, 10, 12))
    for case_no in (late, in_time):
        app.notice_hearing(
            staff(Role.HANDLER), case_no, HearingBasis.ARTICLE_47_RIGHT, "拟不予许可"
        )
    clock.set(at(2026, 10, 14))
    for case_no in (late, in_time):
        app.request_hearing(applicant(), case_no)
    clock.set(at(2026, 10, 16))
    app.schedule_hearing(
        staff(Role.HANDLER), in_time, at(2026, 10, 26, 9), "省局听证室", "440000-legal-1"
    )
    clock.set(at(2026, 10, 19, 18))
    assert not any("HEARING_OFFICER_LATE" in card for card in watch(app, views))
    clock.set(at(2026, 10, 20, 8))
    cards = watch(app, views)
    assert f"YELLOW:{late}:HEARING_OFFICER_LATE" in cards
    assert not any(in_time in card and "OFFICER" in card for card in cards)
    assert not any("HEARING_OFFICER_LATE" in card for card in watch(app, views))  # once
