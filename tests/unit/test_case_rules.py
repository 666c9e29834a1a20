"""docs/legal-rules.md on the aggregate alone: each rule, each refusal, dated on real holidays."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest

from tests.support import GYCP_ALL, at, enterprise
from xuke.application.calendar_seed import chinesecalendar_schedules
from xuke.domain.calendar import WorkingCalendar
from xuke.domain.case import LicenseCase
from xuke.domain.case_records import ApplicantRecord, CommandContext
from xuke.domain.catalogue import default_catalogue
from xuke.domain.errors import (
    AcceptanceWindowClosed,
    AlreadyExtended,
    CorrectionAlreadyRequested,
    CorrectionWindowClosed,
    ErrorCode,
    ExpiredClockNotSuspended,
    ExtensionWindowClosed,
    InvalidState,
    NoExtensionForItem,
    ReasonRequired,
    ServiceMethodNotAllowed,
    ValidationFailed,
)
from xuke.domain.model import Actor, AggregateSnapshot
from xuke.domain.roles import Role
from xuke.domain.stages import (
    CaseStatus,
    Opinion,
    ServiceMethod,
    Stage,
    SuspensionReason,
    TerminationGround,
)

D = dt.date


@cache
def calendar() -> WorkingCalendar:
    return WorkingCalendar({s.year: s for s in chinesecalendar_schedules()})


def ctx(moment: dt.datetime, role: Role = Role.CLERK) -> CommandContext:
    return CommandContext(
        actor=Actor(id=f"user-{role.value.lower()}", role=role, org_code="440000"), at=moment
    )


def filed(
    moment: dt.datetime = at(2026, 9, 28),
    materials: list[str] = GYCP_ALL,
    item: str = "GYCP-SCXK",
    **form: object,
) -> LicenseCase:
    return LicenseCase.file(
        ctx(moment, Role.APPLICANT),
        case_no="440000-2026-GYCP-000001",
        item=default_catalogue().get(item),
        applicant=ApplicantRecord.from_input(**enterprise()),
        applicant_division="440305",
        jurisdiction_code="440000",
        channel="ONLINE",
        materials=tuple(materials),
        form=dict(form),
        received_at=moment,
        query_code_hash="h",
    )


TZSB_ALL = ["SQB", "YYZZ", "ZLBZ", "JSRY"]  # a 20-day item with Law 42's extension


def accepted(
    moment: dt.datetime = at(2026, 9, 29), item: str = "GYCP-SCXK", **form: object
) -> LicenseCase:
    materials = TZSB_ALL if item == "TZSB-SCXK" else GYCP_ALL
    case = filed(item=item, materials=materials, **form)
    case.accept(ctx(moment), calendar())
    return case


def at_approval(moment: dt.datetime = at(2026, 10, 9), **form: object) -> LicenseCase:
    case = accepted(**form)
    case.record_opinion(ctx(moment, Role.HANDLER), Opinion.AGREE, "同意", None)
    case.record_opinion(ctx(moment, Role.REVIEWER), Opinion.AGREE, "同意", None)
    return case


def served_ready(grant: bool = True, **form: object) -> LicenseCase:
    case = at_approval(**form)
    case.decide(
        ctx(at(2026, 10, 12), Role.APPROVER), grant, "符合条件" if grant else "不符合产业政策"
    )
    if grant:
        case.issue_certificate(ctx(at(2026, 10, 13), Role.APPROVER))
    return case


# ---------------------------------------------------------------- filing and acceptance (Art. 32)


def test_filing_opens_an_acceptance_task_for_the_authority_clerks() -> None:
    case = filed()
    assert (case.status, case.stage) == (CaseStatus.SUBMITTED, Stage.ACCEPTANCE)
    assert case.task is not None and case.task.candidate_group == "440000:CLERK"
    assert case.legal_time_limit_days == 60  # the item's own limit, recorded with the case


def test_filing_refuses_materials_the_item_does_not_know() -> None:
    with pytest.raises(ValidationFailed) as error:
        filed(materials=["SQS", "NOPE"])
    assert error.value.field == "materials"


def test_correction_notice_within_five_working_days_lists_all_missing_materials() -> None:
    case = filed(materials=["SQS", "YYZZ"])
    case.request_correction(ctx(at(2026, 10, 10)), calendar(), ["CPBZ", "SCSB"], "请补正")
    assert case.status is CaseStatus.AWAITING_CORRECTION
    assert case.correction is not None and case.correction.notice_no.endswith("-BZ")


def test_correction_notice_after_five_working_days_is_refused() -> None:
    case = filed(materials=["SQS", "YYZZ"])  # received Mon 28 Sep; due Sat 10 Oct (make-up day)
    with pytest.raises(CorrectionWindowClosed) as error:
        case.request_correction(ctx(at(2026, 10, 12)), calendar(), ["CPBZ", "SCSB"], "请补正")
    assert error.value.code is ErrorCode.DEADLINE_PASSED
    assert case.version == 1  # nothing recorded


def test_a_correction_notice_must_name_every_missing_material() -> None:
    case = filed(materials=["SQS", "YYZZ"])
    with pytest.raises(ValidationFailed, match="SCSB"):
        case.request_correction(ctx(at(2026, 9, 29)), calendar(), ["CPBZ"], "请补正")


def test_only_one_correction_notice_per_application() -> None:
    case = filed(materials=["SQS", "YYZZ"])
    case.request_correction(ctx(at(2026, 9, 29)), calendar(), ["CPBZ", "SCSB"], "请补正")
    case.submit_correction(ctx(at(2026, 9, 30), Role.APPLICANT), calendar(), ["CPBZ", "SCSB"])
    with pytest.raises(CorrectionAlreadyRequested):
        case.request_correction(ctx(at(2026, 10, 8)), calendar(), ["ZLGL"], "再补")


def test_a_correction_must_bring_everything_the_notice_asked_for() -> None:
    case = filed(materials=["SQS", "YYZZ"])
    case.request_correction(ctx(at(2026, 9, 29)), calendar(), ["CPBZ", "SCSB"], "请补正")
    with pytest.raises(ValidationFailed, match="SCSB"):
        case.submit_correction(ctx(at(2026, 9, 30), Role.APPLICANT), calendar(), ["CPBZ"])


def test_after_a_correction_the_acceptance_window_runs_from_its_receipt() -> None:
    case = filed(materials=["SQS", "YYZZ"])
    case.request_correction(ctx(at(2026, 9, 29)), calendar(), ["CPBZ", "SCSB"], "请补正")
    case.submit_correction(ctx(at(2026, 10, 12), Role.APPLICANT), calendar(), ["CPBZ", "SCSB"])
    case.accept(ctx(at(2026, 10, 16)), calendar())
    assert case.accepted_on == D(2026, 10, 16)


def test_non_acceptance_needs_reasons_and_is_refused_after_the_window() -> None:
    case = filed()
    with pytest.raises(ReasonRequired):
        case.reject(ctx(at(2026, 9, 29)), calendar(), "  ")
    with pytest.raises(AcceptanceWindowClosed):
        case.reject(ctx(at(2026, 10, 12)), calendar(), "不属于本机关职权范围")
    case.reject(ctx(at(2026, 10, 9)), calendar(), "不属于本机关职权范围")
    assert (case.status, case.stage) == (CaseStatus.NOT_ACCEPTED, Stage.DONE)


def test_no_decision_in_five_working_days_means_deemed_accepted_as_of_receipt() -> None:
    # Received on Saturday 3 October (National Day, 1-7 Oct off): the receipt date stays
    # 3 October; the 5 working days are 8, 9, 10 (a make-up Saturday), 12 and 13 October.
    # (The old reading made 8 October the receipt day and gave 14 October.)
    case = filed(at(2026, 10, 3))
    with pytest.raises(InvalidState):
        case.deem_accepted(ctx(at(2026, 10, 13), Role.CLERK), calendar())  # the last day
    case.deem_accepted(CommandContext(actor=Actor.system(), at=at(2026, 10, 14)), calendar())
    assert case.status is CaseStatus.ACCEPTED and case.deemed_accepted
    assert case.accepted_on == D(2026, 10, 3)  # Law 32: "自收到申请材料之日起即为受理"
    assert case.stage is Stage.HANDLING


def test_a_saturday_receipt_keeps_its_date_and_counts_from_sunday() -> None:
    # SAMR 77: the day of receipt is not counted; working days only. Received Saturday
    # 7 March 2026: Mon 9, Tue 10, Wed 11, Thu 12, Fri 13 ⇒ due Friday 13 March (the old
    # reading moved receipt to Monday 9 and gave Monday 16).
    case = filed(at(2026, 3, 7, 22, 30), materials=["SQS", "YYZZ"])
    with pytest.raises(CorrectionWindowClosed):
        case.request_correction(ctx(at(2026, 3, 16)), calendar(), ["CPBZ", "SCSB"], "请补正")
    case.request_correction(ctx(at(2026, 3, 13)), calendar(), ["CPBZ", "SCSB"], "请补正")
    assert case.status is CaseStatus.AWAITING_CORRECTION
    late = filed(at(2026, 3, 7, 22, 30))
    late.deem_accepted(CommandContext(actor=Actor.system(), at=at(2026, 3, 16)), calendar())
    assert late.accepted_on == D(2026, 3, 7)


def test_a_late_acceptance_dates_from_receipt() -> None:
    case = filed()
    case.accept(ctx(at(2026, 10, 20)), calendar())
    assert case.accepted_on == D(2026, 9, 28)


# ---------------------------------------------------------------- review (承办 → 审核 → 审批)


def test_opinions_move_the_case_through_the_stages_and_are_carried_forward() -> None:
    case = accepted()
    case.record_opinion(
        ctx(at(2026, 10, 8), Role.HANDLER), Opinion.AGREE, "核查合格", {"核查组": "3人"}
    )
    assert (case.status, case.stage) == (CaseStatus.UNDER_REVIEW, Stage.REVIEW)
    case.record_opinion(ctx(at(2026, 10, 9), Role.REVIEWER), Opinion.RETURN, "请补充核查记录", None)
    assert case.stage is Stage.HANDLING
    case.record_opinion(ctx(at(2026, 10, 12), Role.HANDLER), Opinion.AGREE, "已补充", None)
    case.record_opinion(ctx(at(2026, 10, 13), Role.REVIEWER), Opinion.AGREE, "同意", None)
    assert case.stage is Stage.APPROVAL
    assert [o.stage for o in case.opinions] == [
        Stage.HANDLING,
        Stage.REVIEW,
        Stage.HANDLING,
        Stage.REVIEW,
    ]
    assert case.opinions[0].fields == {"核查组": "3人"}
    assert case.task is not None and case.task.no == 6  # one task per stage visit


def test_the_handling_stage_cannot_return_the_case() -> None:
    with pytest.raises(InvalidState):
        accepted().record_opinion(ctx(at(2026, 10, 8), Role.HANDLER), Opinion.RETURN, "退回", None)


def test_an_opinion_needs_a_comment() -> None:
    with pytest.raises(ReasonRequired):
        accepted().record_opinion(ctx(at(2026, 10, 8), Role.HANDLER), Opinion.AGREE, "", None)


def test_a_task_is_claimed_once() -> None:
    case = accepted()
    assert case.task is not None
    case.claim(ctx(at(2026, 10, 8), Role.HANDLER), case.task.no)
    with pytest.raises(InvalidState):
        case.claim(
            CommandContext(actor=Actor(id="other", role=Role.HANDLER), at=at(2026, 10, 8)),
            case.task.no,
        )
    with pytest.raises(InvalidState):
        case.claim(ctx(at(2026, 10, 8), Role.HANDLER), 99)


# ---------------------------------------------------------------- clock (Arts. 42, 45)


def test_suspension_stops_the_clock_and_resumption_restores_the_status() -> None:
    case = accepted()
    case.suspend_clock(
        ctx(at(2026, 10, 12), Role.HANDLER), calendar(), SuspensionReason.TESTING, 10, "送检"
    )
    assert case.status is CaseStatus.SUSPENDED
    with pytest.raises(InvalidState):
        case.record_opinion(ctx(at(2026, 10, 13), Role.HANDLER), Opinion.AGREE, "同意", None)
    case.resume_clock(ctx(at(2026, 10, 16), Role.HANDLER))
    assert case.status is CaseStatus.ACCEPTED
    assert case.suspensions[0].end == D(2026, 10, 16)


def test_suspension_needs_a_positive_expected_duration() -> None:
    with pytest.raises(ValidationFailed):
        accepted().suspend_clock(
            ctx(at(2026, 10, 12), Role.HANDLER), calendar(), SuspensionReason.HEARING, 0, "听证"
        )


def test_an_expired_clock_cannot_be_suspended() -> None:
    # Law 45 does not revive a period that has run out. TZSB: 20 working days from
    # 29 Sep 2026 (30 Sep; 8, 9, 10, 12-16, 19-23, 26-30 Oct; 2 Nov) ⇒ due Mon 2 Nov.
    case = accepted(item="TZSB-SCXK")
    with pytest.raises(ExpiredClockNotSuspended) as error:
        case.suspend_clock(
            ctx(at(2026, 11, 3), Role.HANDLER), calendar(), SuspensionReason.TESTING, 5, "送检"
        )
    assert error.value.code is ErrorCode.DEADLINE_PASSED
    case.suspend_clock(
        ctx(at(2026, 11, 2), Role.HANDLER), calendar(), SuspensionReason.TESTING, 5, "送检"
    )
    assert case.status is CaseStatus.SUSPENDED


def test_the_deadline_is_extended_once_only_and_with_reasons() -> None:
    case = accepted(item="TZSB-SCXK")
    with pytest.raises(ReasonRequired):
        case.extend_deadline(ctx(at(2026, 10, 12), Role.APPROVER), calendar(), " ")
    case.extend_deadline(ctx(at(2026, 10, 12), Role.APPROVER), calendar(), "情况复杂")
    with pytest.raises(AlreadyExtended) as error:
        case.extend_deadline(ctx(at(2026, 10, 13), Role.APPROVER), calendar(), "再延")
    assert error.value.code is ErrorCode.ALREADY_EXTENDED
    assert case.collect_events()[-1].extra_working_days == 10  # the item's (Law 42)


def test_the_extension_must_come_before_the_limit_runs_out() -> None:
    case = accepted(item="TZSB-SCXK")  # 20 working days from 29 Sep 2026: due 2 Nov 2026
    with pytest.raises(ExtensionWindowClosed):
        case.extend_deadline(ctx(at(2026, 11, 3), Role.APPROVER), calendar(), "情况复杂")


def test_an_item_whose_own_law_sets_no_extension_cannot_be_extended() -> None:
    # 《工业产品生产许可证管理条例》: 60 days, no extension (Law 42: 法律、法规另有规定的，依照其规定).
    with pytest.raises(NoExtensionForItem):
        accepted().extend_deadline(ctx(at(2026, 10, 12), Role.APPROVER), calendar(), "情况复杂")


# ---------------------------------------------------------------- decision, certificate, service


def test_a_refusal_needs_reasons_and_states_the_remedies() -> None:
    case = at_approval()
    with pytest.raises(ReasonRequired):
        case.decide(ctx(at(2026, 10, 12), Role.APPROVER), False, "")
    case.decide(ctx(at(2026, 10, 12), Role.APPROVER), False, "产品不符合国家标准")
    assert (case.status, case.stage) == (CaseStatus.DENIED, Stage.SERVICE)
    event = case.collect_events()[-1]
    assert isinstance(event, LicenseCase.LicenseDenied) and "行政复议" in event.remedies


def test_a_decision_is_made_at_the_approval_stage_only() -> None:
    with pytest.raises(InvalidState):
        accepted().decide(ctx(at(2026, 10, 12), Role.APPROVER), True, "同意")


def test_a_grant_leads_to_a_certificate_valid_for_the_items_term() -> None:
    case = served_ready()
    assert case.certificate_no == "XK440000-GYCP-2026-000001"
    assert (case.valid_from, case.valid_to) == (D(2026, 10, 13), D(2031, 10, 12))
    assert case.stage is Stage.SERVICE


def test_service_closes_the_case() -> None:
    case = served_ready()
    case.record_service(
        ctx(at(2026, 10, 15), Role.APPROVER), ServiceMethod.DIRECT, at(2026, 10, 14)
    )
    assert (case.status, case.stage) == (CaseStatus.CLOSED, Stage.DONE)


def test_service_by_public_notice_needs_a_reason_and_counts_thirty_days_later() -> None:
    case = served_ready(grant=False)
    with pytest.raises(ReasonRequired):
        case.record_service(
            ctx(at(2026, 10, 15), Role.APPROVER), ServiceMethod.PUBLIC_NOTICE, at(2026, 10, 15)
        )
    case.record_service(
        ctx(at(2026, 10, 15), Role.APPROVER), ServiceMethod.PUBLIC_NOTICE, at(2026, 10, 15),
        reason="受送达人下落不明，直接送达和邮寄送达均未成功",
    )  # fmt: skip
    assert case.service is not None and case.service.deemed_served_on == D(2026, 11, 14)
    assert case.clock().served_on == D(2026, 10, 15)  # the authority's act, for Law 44


def test_leaving_at_the_address_records_the_refusal() -> None:
    case = served_ready()
    with pytest.raises(ReasonRequired):
        case.record_service(
            ctx(at(2026, 10, 15), Role.APPROVER), ServiceMethod.LEFT_AT_ADDRESS, at(2026, 10, 15)
        )
    case.record_service(
        ctx(at(2026, 10, 15), Role.APPROVER), ServiceMethod.LEFT_AT_ADDRESS, at(2026, 10, 15),
        reason="法定代表人拒绝签收，见证人在场",
    )  # fmt: skip
    assert case.status is CaseStatus.CLOSED


def test_electronic_service_needs_consent_and_a_confirmed_address() -> None:
    for form in ({}, {"electronicServiceConsent": True}):
        with pytest.raises(ServiceMethodNotAllowed):
            served_ready(**form).record_service(
                ctx(at(2026, 10, 15), Role.APPROVER), ServiceMethod.ELECTRONIC, at(2026, 10, 15)
            )
    case = served_ready(
        electronicServiceConsent=True, electronicServiceAddress="zhengwu@huaqiang.example"
    )
    case.record_service(
        ctx(at(2026, 10, 15), Role.APPROVER), ServiceMethod.ELECTRONIC, at(2026, 10, 15)
    )
    assert case.status is CaseStatus.CLOSED


def test_service_cannot_be_dated_in_the_future_or_before_the_decision() -> None:
    case = served_ready()
    with pytest.raises(ValidationFailed):
        case.record_service(
            ctx(at(2026, 10, 15), Role.APPROVER), ServiceMethod.MAIL, at(2026, 10, 16)
        )
    with pytest.raises(ValidationFailed):
        case.record_service(
            ctx(at(2026, 10, 15), Role.APPROVER), ServiceMethod.MAIL, at(2026, 10, 1)
        )


# ---------------------------------------------------------------- withdrawal, termination


def test_withdrawal_is_possible_before_the_decision_only() -> None:
    case = filed()
    case.withdraw(ctx(at(2026, 9, 29), Role.APPLICANT), "企业转产")
    assert (case.status, case.stage) == (CaseStatus.WITHDRAWN, Stage.DONE)
    with pytest.raises(InvalidState):
        served_ready().withdraw(ctx(at(2026, 10, 14), Role.APPLICANT), "不要了")


def test_a_withdrawal_after_acceptance_is_a_termination_on_the_applicants_request() -> None:
    case = accepted()  # SAMR 30(1)
    case.withdraw(ctx(at(2026, 10, 8), Role.APPLICANT), "企业转产")
    assert (case.status, case.stage) == (CaseStatus.TERMINATED, Stage.DONE)
    assert case.termination_ground is TerminationGround.APPLICANT_REQUEST


def test_termination_needs_a_ground_and_reasons() -> None:
    case = accepted()
    with pytest.raises(ReasonRequired):
        case.terminate(ctx(at(2026, 10, 8), Role.APPROVER), TerminationGround.FEES_UNPAID, "")
    case.terminate(
        ctx(at(2026, 10, 8), Role.APPROVER), TerminationGround.ORGANISATION_TERMINATED, "已注销"
    )
    assert case.status is CaseStatus.TERMINATED
    assert case.termination_ground is TerminationGround.ORGANISATION_TERMINATED


# ---------------------------------------------------------------- history


def test_replaying_the_events_or_a_snapshot_gives_back_the_same_case() -> None:
    case = served_ready()
    case.record_service(
        ctx(at(2026, 10, 15), Role.APPROVER), ServiceMethod.DIRECT, at(2026, 10, 14)
    )
    events = case.collect_events()
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)
    assert replayed == case
    assert AggregateSnapshot.take(case).mutate(None) == case


def test_a_snapshot_taken_before_the_later_fields_restores_with_their_defaults() -> None:
    case = served_ready()
    state = AggregateSnapshot.take(case).state
    for later in ("extension_days", "decision_article", "extension_added", "service_limit_days"):
        state.pop(later)
    old = AggregateSnapshot.take(case).model_copy(update={"state": state})
    restored = old.mutate(None)
    assert (restored.extension_days, restored.service_limit_days) == (10, 10)
    assert restored.decision_article == "《行政许可法》第四十二条"  # the default, not GYCP's
    assert (restored.version, restored.status) == (case.version, case.status)
