"""The licence after grant (docs/legal-rules.md, licences) on the aggregate alone: each transition, each refusal
by its typed error, dated by hand on the State Council's 2026 schedule (Mid-Autumn Fri 25 Sep
off; National Day 1-7 Oct off; Sunday 20 Sep and Saturday 10 Oct worked). 2027 and later are
estimated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import pytest
from eventsourcing.utils import get_topic

from tests.support import OTHER_ENTERPRISE_CODE, at, enterprise
from xuke.application.calendar_seed import chinesecalendar_schedules
from xuke.application.persistence import OrjsonTranscoder, PydanticMapper
from xuke.domain.calendar import WorkingCalendar
from xuke.domain.case_records import ApplicantRecord, CommandContext
from xuke.domain.catalogue import default_catalogue
from xuke.domain.deadlines import validity_end
from xuke.domain.errors import (
    CancellationGroundMismatch,
    ErrorCode,
    ForbiddenTransition,
    InvalidState,
    LicenceHearingWindowClosed,
    LicenceNotTransferable,
    ProceedingsAlreadyExtended,
    ReasonRequired,
    RenewalTooLate,
    StatementWindowOpen,
    ValidationFailed,
)
from xuke.domain.licence import (
    CancellationGround,
    Licence,
    LicenceStatus,
    ProceedingKind,
    months_before,
)
from xuke.domain.model import Actor, AggregateSnapshot
from xuke.domain.roles import Role
from xuke.domain.stages import ApplicationKind

D = dt.date
RENEWAL = ApplicationKind.RENEWAL


@cache
def calendar() -> WorkingCalendar:
    return WorkingCalendar({s.year: s for s in chinesecalendar_schedules()})


def ctx(day: dt.date, role: Role | None = Role.APPROVER) -> CommandContext:
    actor = Actor(id="user", role=role, org_code="440000") if role else Actor.system()
    return CommandContext(actor=actor, at=at(day.year, day.month, day.day))


def holder(**overrides: Any) -> ApplicantRecord:
    return ApplicantRecord.from_input(**enterprise(**overrides))


def issued(item_code: str, valid_from: dt.date) -> Licence:
    """A licence of a catalogue item, valid for the item's term from ``valid_from``."""
    item = default_catalogue().get(item_code)
    years = item.certificate_validity_years
    licence = Licence.issue(
        ctx(valid_from), certificate_no=f"XK440000-{item.abbreviation}-0001",
        case_no="440000-2026-GYCP-000001", item_code=item.code, item_name=item.name,
        holder=holder(), jurisdiction_code="440000", valid_from=valid_from,
        valid_to=validity_end(valid_from, years) if years else None, validity_years=years,
        scope={"products": ["电线电缆"]}, renewal_months_before=item.renewal_months_before,
        renewal_working_days_before=item.renewal_working_days_before,
    )  # fmt: skip
    licence.collect_events()
    return licence


def gycp(valid_to: dt.date = D(2031, 10, 12)) -> Licence:
    """A GYCP licence (5 years, renewal 6 months before expiry) ending on ``valid_to``."""
    return issued("GYCP-SCXK", valid_to.replace(year=valid_to.year - 5) + dt.timedelta(days=1))


def tzsb() -> Licence:
    """A TZSB licence (4 years, Law 50's 30 days): 7 Nov 2022 to Fri 6 Nov 2026."""
    return issued("TZSB-SCXK", D(2022, 11, 7))


def renewing(filed_on: dt.date = D(2026, 9, 18)) -> Licence:
    licence = tzsb()
    licence.link_case(ctx(filed_on, Role.APPLICANT), "440000-2026-TZSB-000009", RENEWAL, calendar())
    return licence


# ---------------------------------------------------------------- issue


def test_a_licence_is_keyed_by_its_certificate_number_and_starts_valid() -> None:
    licence = tzsb()
    assert licence.id == uuid5(NAMESPACE_URL, "xuke:licence:XK440000-TZSB-0001")
    assert licence.id == Licence.id_for(licence.certificate_no)
    assert (licence.status, licence.valid_from, licence.valid_to) == (
        LicenceStatus.VALID, D(2022, 11, 7), D(2026, 11, 6),
    )  # fmt: skip
    assert licence.case_nos == ("440000-2026-GYCP-000001",)
    assert licence.status_changed_on is None and licence.proceedings is None


def test_a_certificate_needs_a_number_and_a_term_that_does_not_end_before_it_starts() -> None:
    with pytest.raises(ValidationFailed):
        Licence.issue(
            ctx(D(2026, 10, 12)), "  ", "c", "GYCP-SCXK", "n", holder(), "440000",
            D(2026, 10, 12), None, None,
        )  # fmt: skip
    with pytest.raises(ValidationFailed):
        Licence.issue(
            ctx(D(2026, 10, 12)), "XK-1", "c", "GYCP-SCXK", "n", holder(), "440000",
            D(2026, 10, 12), D(2026, 10, 11), 5,
        )  # fmt: skip


# ---------------------------------------------------------------- renewal window (Law 50, 条例 25)


def test_gycp_renews_six_calendar_months_before_expiry() -> None:
    assert gycp(D(2031, 10, 12)).renewal_apply_by(calendar()) == D(2031, 4, 12)
    # No 31 February: the month's last day (民法典 202).
    assert gycp(D(2031, 8, 31)).renewal_apply_by(calendar()) == D(2031, 2, 28)


def test_months_are_counted_back_across_years_and_leap_days() -> None:
    assert months_before(D(2032, 8, 31), 6) == D(2032, 2, 29)
    assert months_before(D(2031, 3, 31), 6) == D(2030, 9, 30)
    assert months_before(D(2031, 1, 15), 13) == D(2029, 12, 15)


def test_the_catalogue_gives_gycp_six_months_and_the_other_items_law_50s_thirty_days() -> None:
    catalogue = default_catalogue()
    gycp_item = catalogue.get("GYCP-SCXK")
    assert gycp_item.renewal_months_before == 6
    assert "第二十五条" in gycp_item.renewal_source
    assert any("第二十五条" in note for note in gycp_item.unconfirmed)
    for item in catalogue.items:
        if item.code != "GYCP-SCXK":
            assert (item.renewal_months_before, item.renewal_working_days_before) == (None, 30)
            assert "第五十条" in item.renewal_source


def test_a_thirty_working_day_item_renews_by_the_worked_sunday_before_national_day() -> None:
    # Back from Fri 6 Nov: 2-6 Nov (5), 26-30 Oct (10), 19-23 (15), 12-16 (20), Sat 10 Oct
    # worked (21), 9, 8 Oct (23); 1-7 Oct off; 28-30 Sep (26); 25-27 Sep off; 21-24 Sep
    # (30). The day before those 30 is Sunday 20 Sep, itself a worked day.
    licence = tzsb()
    apply_by = licence.renewal_apply_by(calendar())
    assert apply_by == D(2026, 9, 20)
    assert calendar().working_days_between(apply_by, D(2026, 11, 6)) == 30


def test_a_renewal_filed_by_the_apply_by_day_is_pending_and_one_filed_after_is_too_late() -> None:
    late = tzsb()
    with pytest.raises(RenewalTooLate) as refused:
        late.link_case(ctx(D(2026, 9, 21), Role.APPLICANT), "R-1", RENEWAL, calendar())
    assert refused.value.code is ErrorCode.TOO_LATE
    assert late.collect_events() == [] and late.pending_renewal_case is None

    in_time = tzsb()
    in_time.link_case(ctx(D(2026, 9, 20), Role.APPLICANT), "R-1", RENEWAL, calendar())
    assert (in_time.pending_renewal_case, in_time.pending_renewal_filed_on) == (
        "R-1", D(2026, 9, 20),
    )  # fmt: skip
    assert in_time.case_nos[-1] == "R-1"


def test_gycp_refuses_a_renewal_filed_the_day_after_six_months_before() -> None:
    licence = gycp(D(2031, 10, 12))
    with pytest.raises(RenewalTooLate):
        licence.link_case(ctx(D(2031, 4, 13)), "R-1", RENEWAL, calendar())
    licence.link_case(ctx(D(2031, 4, 13)), "R-1", RENEWAL, calendar(), filed_on=D(2031, 4, 12))
    assert licence.pending_renewal_filed_on == D(2031, 4, 12)


def test_on_an_estimated_year_a_renewal_is_refused_only_past_thirty_calendar_days() -> None:
    # Valid to Wed 31 Mar 2027 (estimated year): 23 working days in March, 18-19 and 22-26
    # Feb make 30; the central apply-by is Wed 17 Feb. Nothing irreversible on an estimate:
    # a filing is refused only after 1 Mar, the latest day any calendar could give.
    licence = issued("TZSB-SCXK", D(2023, 4, 1))
    assert licence.valid_to == D(2027, 3, 31)
    assert licence.renewal_apply_by(calendar()) == D(2027, 2, 17)
    with pytest.raises(RenewalTooLate):
        licence.link_case(ctx(D(2027, 3, 2)), "R-1", RENEWAL, calendar())
    licence.link_case(ctx(D(2027, 3, 1)), "R-1", RENEWAL, calendar())


def test_one_renewal_at_a_time_and_none_for_a_licence_without_a_term() -> None:
    licence = renewing()
    with pytest.raises(InvalidState):
        licence.link_case(ctx(D(2026, 9, 18)), "R-2", RENEWAL, calendar())
    with pytest.raises(InvalidState):  # the same case twice
        licence.link_case(ctx(D(2026, 9, 18)), "440000-2026-TZSB-000009", RENEWAL, calendar())
    no_term = issued("JLQJ-XSPZ", D(2026, 9, 1))
    assert no_term.renewal_apply_by(calendar()) is None
    with pytest.raises(InvalidState):
        no_term.link_case(ctx(D(2026, 9, 18)), "R-1", RENEWAL, calendar())
    with pytest.raises(ValidationFailed):
        no_term.link_case(ctx(D(2026, 9, 18)), "N-1", ApplicationKind.NEW, calendar())


# ---------------------------------------------------------------- renewal, deemed renewal, expiry


def test_a_granted_renewal_runs_from_the_day_after_valid_to_with_the_same_number() -> None:
    licence = renewing()
    licence.renew(ctx(D(2026, 10, 30)), "440000-2026-TZSB-000009", D(2026, 10, 30))
    assert (licence.valid_from, licence.valid_to) == (D(2026, 11, 7), D(2030, 11, 6))
    assert licence.certificate_no == "XK440000-TZSB-0001"
    assert licence.pending_renewal_case is None and not licence.deemed_renewed
    with pytest.raises(InvalidState):  # decided once
        licence.renew(ctx(D(2026, 10, 30)), "440000-2026-TZSB-000009", D(2026, 10, 30))


def test_a_renewal_from_28_february_starts_on_the_leap_day() -> None:
    licence = issued("TZSB-SCXK", D(2024, 2, 29))
    assert licence.valid_to == D(2028, 2, 28)
    licence.link_case(ctx(D(2027, 12, 1)), "R-1", RENEWAL, calendar())
    licence.renew(ctx(D(2028, 2, 1)), "R-1", D(2028, 2, 1))
    assert (licence.valid_from, licence.valid_to) == (D(2028, 2, 29), D(2032, 2, 28))


def test_an_undecided_renewal_is_deemed_granted_the_day_after_valid_to_and_not_before() -> None:
    licence = renewing()
    with pytest.raises(InvalidState):
        licence.deem_renewed(ctx(D(2026, 11, 6), None), D(2026, 11, 6))
    licence.deem_renewed(ctx(D(2026, 11, 7), None), D(2026, 11, 7))
    assert licence.deemed_renewed
    assert (licence.valid_from, licence.valid_to) == (D(2026, 11, 7), D(2030, 11, 6))
    assert licence.status is LicenceStatus.VALID
    # The watcher may run again: nothing more is due; a late decision has nothing to renew.
    with pytest.raises(InvalidState):
        licence.deem_renewed(ctx(D(2026, 11, 8), None), D(2026, 11, 8))
    with pytest.raises(InvalidState):
        licence.renew(ctx(D(2026, 11, 9)), "440000-2026-TZSB-000009", D(2026, 11, 9))


def test_without_a_pending_renewal_nothing_is_deemed_and_the_licence_expires() -> None:
    licence = tzsb()
    with pytest.raises(InvalidState):
        licence.deem_renewed(ctx(D(2026, 11, 7), None), D(2026, 11, 7))
    with pytest.raises(InvalidState):
        licence.expire(ctx(D(2026, 11, 6), None), D(2026, 11, 6))
    licence.expire(ctx(D(2026, 11, 9), None), D(2026, 11, 9))  # the watcher ran on Monday
    assert (licence.status, licence.status_changed_on) == (LicenceStatus.EXPIRED, D(2026, 11, 7))
    with pytest.raises(ForbiddenTransition) as refused:
        licence.expire(ctx(D(2026, 11, 10), None), D(2026, 11, 10))
    assert refused.value.code is ErrorCode.FORBIDDEN_TRANSITION
    with pytest.raises(ForbiddenTransition):  # an expired licence is not renewed: apply anew
        licence.link_case(ctx(D(2026, 11, 10)), "R-1", RENEWAL, calendar())


def test_a_licence_with_a_pending_renewal_does_not_expire() -> None:
    licence = renewing()
    with pytest.raises(InvalidState):
        licence.expire(ctx(D(2026, 11, 7), None), D(2026, 11, 7))


# ---------------------------------------------------------------- change, reissue, correction


def test_a_change_records_the_new_name_and_scope_of_the_same_holder() -> None:
    licence = tzsb()
    licence.link_case(ctx(D(2026, 3, 2)), "C-1", ApplicationKind.CHANGE, calendar())
    renamed = holder(name="深圳市华强电气股份有限公司")
    licence.change(ctx(D(2026, 3, 20)), "C-1", holder=renamed, scope={"products": ["电缆"]})
    assert licence.holder == renamed and licence.scope == {"products": ["电缆"]}
    assert licence.case_nos == ("440000-2026-GYCP-000001", "C-1")
    assert (licence.valid_from, licence.valid_to) == (D(2022, 11, 7), D(2026, 11, 6))


def test_a_change_cannot_transfer_the_licence_or_change_nothing() -> None:
    licence = tzsb()
    with pytest.raises(LicenceNotTransferable) as refused:
        licence.change(ctx(D(2026, 3, 20)), "C-1", holder=holder(code=OTHER_ENTERPRISE_CODE))
    assert refused.value.code is ErrorCode.VALIDATION
    with pytest.raises(ValidationFailed):
        licence.change(ctx(D(2026, 3, 20)), "C-1")


def test_a_reissue_and_a_correction_are_counted_on_the_licence() -> None:
    licence = tzsb()
    licence.reissue(ctx(D(2026, 3, 20)), "B-1")
    licence.correct_certificate(ctx(D(2026, 4, 20)), "G-1", {"holder.address": "深圳市南山区"})
    assert (licence.reissues, licence.corrections) == (1, 1)
    assert licence.case_nos[-2:] == ("B-1", "G-1")
    with pytest.raises(ValidationFailed):
        licence.correct_certificate(ctx(D(2026, 4, 20)), "G-2", {})


# ---------------------------------------------------------------- proceedings (SAMR 36-47)


def opened(day: dt.date, kind: ProceedingKind = ProceedingKind.REVOCATION) -> Licence:
    licence = tzsb()
    licence.open_proceedings(ctx(day), kind, "以欺骗手段取得许可", "440000", calendar())
    return licence


def test_the_statement_window_is_five_working_days_and_the_decision_sixty() -> None:
    # Notice Mon 28 Sep: 29, 30 Sep, 8, 9 Oct and the worked Saturday 10 Oct.
    # 60 working days: 29-30 Sep (2), 8-10 Oct (5), then five a week to Fri 25 Dec (60).
    proceedings = opened(D(2026, 9, 28)).proceedings
    assert proceedings is not None
    assert (proceedings.noticed_on, proceedings.statement_by, proceedings.decide_by) == (
        D(2026, 9, 28), D(2026, 10, 10), D(2026, 12, 25),
    )  # fmt: skip


def test_revocation_before_the_statement_window_closes_is_refused() -> None:
    licence = opened(D(2026, 9, 28))
    with pytest.raises(StatementWindowOpen) as refused:
        licence.revoke(ctx(D(2026, 10, 10)), "以欺骗手段取得", D(2026, 10, 10))
    assert refused.value.code is ErrorCode.INVALID_STATE
    licence.revoke(ctx(D(2026, 10, 12)), "以欺骗手段取得", D(2026, 10, 12))
    assert (licence.status, licence.status_changed_on) == (LicenceStatus.REVOKED, D(2026, 10, 12))
    assert licence.proceedings is not None and licence.proceedings.closed


def test_proceedings_need_grounds_a_valid_licence_and_none_already_open() -> None:
    licence = opened(D(2026, 9, 28))
    with pytest.raises(InvalidState):
        licence.open_proceedings(ctx(D(2026, 9, 29)), ProceedingKind.REVOCATION, "再次", "440000", calendar())  # fmt: skip
    with pytest.raises(ReasonRequired):
        tzsb().open_proceedings(ctx(D(2026, 9, 29)), ProceedingKind.REVOCATION, " ", "440000", calendar())  # fmt: skip
    with pytest.raises(InvalidState):  # no proceedings, no revocation
        tzsb().revoke(ctx(D(2026, 10, 12)), "理由", D(2026, 10, 12))


def test_the_hearing_is_asked_for_within_the_statement_window() -> None:
    licence = opened(D(2026, 9, 28))
    with pytest.raises(LicenceHearingWindowClosed) as refused:
        licence.request_hearing(ctx(D(2026, 10, 11), Role.APPLICANT), D(2026, 10, 11))
    assert refused.value.code is ErrorCode.DEADLINE_PASSED
    with pytest.raises(InvalidState):  # nothing requested, nothing to hold
        licence.record_licence_hearing(ctx(D(2026, 10, 20)), "笔录", calendar())
    licence.request_hearing(ctx(D(2026, 10, 10), Role.APPLICANT), D(2026, 10, 10))
    with pytest.raises(InvalidState):
        licence.request_hearing(ctx(D(2026, 10, 10), Role.APPLICANT), D(2026, 10, 10))


def test_the_hearings_time_does_not_count_and_the_decision_waits_for_it() -> None:
    # Notice Mon 3 Aug: statement by Mon 10 Aug; 60 working days to Fri 30 Oct (Sun 20 Sep
    # and Sat 10 Oct worked, 25 Sep and 1-7 Oct off).
    licence = opened(D(2026, 8, 3))
    proceedings = licence.proceedings
    assert proceedings is not None
    assert (proceedings.statement_by, proceedings.decide_by) == (D(2026, 8, 10), D(2026, 10, 30))
    licence.request_hearing(ctx(D(2026, 8, 7), Role.APPLICANT), D(2026, 8, 7))
    with pytest.raises(StatementWindowOpen):  # the window is over but the hearing is not held
        licence.revoke(ctx(D(2026, 8, 11)), "理由", D(2026, 8, 11))
    # Requested Fri 7 Aug, held Fri 21 Aug: 10-14 and 17-21 Aug do not count, so the
    # decision moves 10 working days, from 30 Oct to Fri 13 Nov.
    licence.record_licence_hearing(ctx(D(2026, 8, 21)), "听证笔录", calendar())
    assert licence.proceedings is not None
    assert licence.proceedings.decide_by == D(2026, 11, 13)
    assert licence.proceedings.hearing_held_on == D(2026, 8, 21)
    licence.revoke(ctx(D(2026, 8, 24)), "理由", D(2026, 8, 24))
    assert licence.status is LicenceStatus.REVOKED


def test_the_decision_limit_is_extended_by_twenty_working_days_once() -> None:
    licence = opened(D(2026, 8, 3))
    with pytest.raises(ReasonRequired):
        licence.extend_proceedings(ctx(D(2026, 10, 20)), " ", calendar())
    licence.extend_proceedings(ctx(D(2026, 10, 20)), "案情复杂", calendar())
    # 30 Oct + 20: 2-6, 9-13, 16-20, 23-27 Nov.
    assert licence.proceedings is not None
    assert (licence.proceedings.decide_by, licence.proceedings.extended) == (D(2026, 11, 27), True)
    with pytest.raises(ProceedingsAlreadyExtended) as refused:
        licence.extend_proceedings(ctx(D(2026, 10, 21)), "再次延长", calendar())
    assert refused.value.code is ErrorCode.ALREADY_EXTENDED


def test_withdrawal_follows_withdrawal_proceedings_with_compensation() -> None:
    licence = opened(D(2026, 9, 28), ProceedingKind.WITHDRAWAL_CIRCUMSTANCES)
    with pytest.raises(InvalidState):  # not revocation proceedings
        licence.revoke(ctx(D(2026, 10, 12)), "理由", D(2026, 10, 12))
    licence.withdraw(ctx(D(2026, 10, 12)), "客观情况发生重大变化", D(2026, 10, 12), "补偿10万元")
    assert (licence.status, licence.status_changed_on) == (LicenceStatus.WITHDRAWN, D(2026, 10, 12))
    assert licence.proceedings is not None and licence.proceedings.compensation == "补偿10万元"
    revocation = opened(D(2026, 9, 28))
    with pytest.raises(InvalidState):
        revocation.withdraw(ctx(D(2026, 10, 12)), "理由", D(2026, 10, 12))


def test_discontinued_proceedings_leave_the_licence_valid_and_new_ones_may_open() -> None:
    licence = opened(D(2026, 9, 28))
    licence.discontinue_proceedings(ctx(D(2026, 10, 20)), "撤销可能对公共利益造成重大损害")
    assert licence.status is LicenceStatus.VALID
    assert licence.proceedings is not None and licence.proceedings.closed
    licence.open_proceedings(ctx(D(2026, 10, 21)), ProceedingKind.WITHDRAWAL_LAW_CHANGE, "法规修改", "440000", calendar())  # fmt: skip
    assert licence.proceedings.kind is ProceedingKind.WITHDRAWAL_LAW_CHANGE


# ---------------------------------------------------------------- cancellation (Law 70)


def valid() -> Licence:
    return tzsb()


def expired() -> Licence:
    licence = tzsb()
    licence.expire(ctx(D(2026, 11, 7), None), D(2026, 11, 7))
    return licence


def revoked() -> Licence:
    licence = opened(D(2026, 9, 28))
    licence.revoke(ctx(D(2026, 10, 12)), "理由", D(2026, 10, 12))
    return licence


def withdrawn() -> Licence:
    licence = opened(D(2026, 9, 28), ProceedingKind.WITHDRAWAL_LAW_CHANGE)
    licence.withdraw(ctx(D(2026, 10, 12)), "法规修改", D(2026, 10, 12))
    return licence


def cancelled() -> Licence:
    licence = tzsb()
    licence.cancel(ctx(D(2026, 6, 1)), CancellationGround.ORGANISATION_TERMINATED, "企业注销", D(2026, 6, 1))  # fmt: skip
    return licence


G = CancellationGround
ON_VALID = {
    G.PERSON_DECEASED_OR_INCAPABLE,
    G.ORGANISATION_TERMINATED,
    G.FORCE_MAJEURE,
    G.OTHER_BY_LAW,
}
PAIRINGS: list[tuple[Callable[[], Licence], set[CancellationGround]]] = [
    (valid, ON_VALID),
    (expired, {G.EXPIRED_NOT_RENEWED}),
    (revoked, {G.REVOKED_OR_WITHDRAWN}),
    (withdrawn, {G.REVOKED_OR_WITHDRAWN}),
    (cancelled, set()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "ground", "allowed"),
    [(make, ground, ground in allowed) for make, allowed in PAIRINGS for ground in G],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_each_ground_of_cancellation_fits_its_status(
    make: Callable[[], Licence], ground: CancellationGround, allowed: bool
) -> None:
    licence = make()
    if allowed:
        licence.cancel(ctx(D(2026, 12, 1)), ground, "注销", D(2026, 12, 1))
        assert (licence.status, licence.status_changed_on) == (
            LicenceStatus.CANCELLED, D(2026, 12, 1),
        )  # fmt: skip
    else:
        with pytest.raises(ForbiddenTransition) as refused:
            licence.cancel(ctx(D(2026, 12, 1)), ground, "注销", D(2026, 12, 1))
        assert refused.value.code is ErrorCode.FORBIDDEN_TRANSITION


def test_a_cancellation_states_why_and_closes_open_proceedings() -> None:
    licence = opened(D(2026, 9, 28))
    with pytest.raises(ReasonRequired):
        licence.cancel(ctx(D(2026, 10, 9)), G.ORGANISATION_TERMINATED, " ", D(2026, 10, 9))
    with pytest.raises(CancellationGroundMismatch):
        licence.cancel(ctx(D(2026, 10, 9)), G.REVOKED_OR_WITHDRAWN, "吊销", D(2026, 10, 9))
    licence.cancel(ctx(D(2026, 10, 9)), G.ORGANISATION_TERMINATED, "企业注销", D(2026, 10, 9))
    assert licence.proceedings is not None and licence.proceedings.closed


def test_no_status_moves_back_or_sideways() -> None:
    with pytest.raises(ForbiddenTransition):  # revoking a cancelled licence
        cancelled().revoke(ctx(D(2026, 12, 1)), "理由", D(2026, 12, 1))
    with pytest.raises(ForbiddenTransition):  # renewing a revoked one
        revoked().renew(ctx(D(2026, 10, 30)), "R-1", D(2026, 10, 30))
    with pytest.raises(ForbiddenTransition):
        withdrawn().open_proceedings(ctx(D(2026, 12, 1)), ProceedingKind.REVOCATION, "理由", "440000", calendar())  # fmt: skip
    with pytest.raises(ForbiddenTransition):
        expired().change(ctx(D(2026, 12, 1)), "C-1", scope={})
    with pytest.raises(ForbiddenTransition):
        cancelled().reissue(ctx(D(2026, 12, 1)), "B-1")


# ---------------------------------------------------------------- history


def test_replaying_the_events_or_a_snapshot_gives_back_the_same_licence() -> None:
    licence = Licence.issue(
        ctx(D(2022, 11, 7)), "XK-9", "C-0", "TZSB-SCXK", "特种设备生产单位许可", holder(),
        "440000", D(2022, 11, 7), D(2026, 11, 6), 4, {"products": ["锅炉"]},
    )  # fmt: skip
    licence.change(ctx(D(2024, 3, 20)), "C-1", holder=holder(name="新名称有限公司"))
    licence.reissue(ctx(D(2025, 3, 20)), "B-1")
    licence.correct_certificate(ctx(D(2025, 4, 20)), "G-1", {"name": "新名称有限公司"})
    licence.link_case(ctx(D(2026, 9, 18)), "R-1", RENEWAL, calendar())
    licence.renew(ctx(D(2026, 10, 30)), "R-1", D(2026, 10, 30))
    licence.open_proceedings(ctx(D(2026, 11, 9)), ProceedingKind.REVOCATION, "欺骗", "440000", calendar())  # fmt: skip
    licence.request_hearing(ctx(D(2026, 11, 13)), D(2026, 11, 13))
    licence.record_licence_hearing(ctx(D(2026, 11, 27)), "笔录", calendar())
    licence.extend_proceedings(ctx(D(2026, 12, 1)), "复杂", calendar())
    licence.revoke(ctx(D(2026, 12, 2)), "欺骗", D(2026, 12, 2), "无")
    licence.cancel(ctx(D(2026, 12, 3)), G.REVOKED_OR_WITHDRAWN, "撤销后注销", D(2026, 12, 3))
    events = licence.collect_events()
    assert len(events) == 12
    assert [get_topic(type(e)) for e in events][::11] == [
        "xuke.domain.licence:Licence.LicenceIssued",
        "xuke.domain.licence:Licence.LicenceCancelled",
    ]
    assert all(get_topic(type(e)).startswith("xuke.domain.licence:Licence.") for e in events)
    replayed = None
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    for event in events:  # through the store's JSON, as the application reads them back
        replayed = mapper.to_domain_event(mapper.to_stored_event(event)).mutate(replayed)
    assert replayed == licence
    assert AggregateSnapshot.take(licence).mutate(None) == licence
