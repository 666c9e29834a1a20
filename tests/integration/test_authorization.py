"""docs/roles.md: role × stage × jurisdiction, applicants only for themselves — enforced in the
application layer, on both backends, and every refusal reported for supervision."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support import (
    GYCP_ALL,
    OTHER_ENTERPRISE_CODE,
    applicant,
    at,
    enterprise,
    file_gycp,
    staff,
)
from xuke.application.authorization import Forbidden
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.application.principal import Principal
from xuke.bootstrap import build_application, migrate
from xuke.domain.calendar import YearSchedule
from xuke.domain.errors import NotFound
from xuke.domain.roles import Role
from xuke.domain.stages import Opinion, TerminationGround
from xuke.settings import Settings

OWNER = applicant()
STRANGER = applicant(OTHER_ENTERPRISE_CODE, user="applicant-2")


@pytest.fixture
def denied(app: LicensingApplication) -> list[Forbidden]:
    refusals: list[Forbidden] = []
    app.on_forbidden = refusals.append
    return refusals


def filed(app: LicensingApplication) -> str:
    result = file_gycp(app, OWNER)
    return result.case.case_no


def accepted(app: LicensingApplication) -> str:
    case_no = filed(app)
    app.accept_application(staff(Role.CLERK), case_no)
    return case_no


ACCEPT_ATTEMPTS = [
    ("clerk of the provincial authority", staff(Role.CLERK), True),
    # covering jurisdictions read and supervise; only the competent authority acts (issue L)
    ("clerk of the national administration", staff(Role.CLERK, "000000"), False),
    # those who may not even see the case are told it does not exist (issue L, item 8)
    ("clerk of a city below", staff(Role.CLERK, "440100"), NotFound),
    ("clerk of another province", staff(Role.CLERK, "450000"), NotFound),
    ("handler (not the acceptance role)", staff(Role.HANDLER), False),
    ("supervisor (reads only)", staff(Role.SUPERVISOR), False),
    ("auditor (reads only)", staff(Role.AUDITOR), False),
    ("admin (manages, does not decide)", staff(Role.ADMIN), False),
    ("the applicant", OWNER, False),
]


@pytest.mark.parametrize(
    ("who", "principal", "allowed"), ACCEPT_ATTEMPTS, ids=[a[0] for a in ACCEPT_ATTEMPTS]
)
def test_only_a_clerk_of_the_competent_authority_accepts(
    app: LicensingApplication,
    denied: list[Forbidden],
    who: str,
    principal: Principal,
    allowed: bool | type[Exception],
) -> None:
    case_no = filed(app)
    if allowed is True:
        assert app.accept_application(principal, case_no).case.accepted_on
        return
    with pytest.raises(Forbidden if allowed is False else allowed):  # type: ignore[arg-type]
        app.accept_application(principal, case_no)
    assert app.get_case(case_no).version == 1
    assert [(d.principal.user_id, d.case_no) for d in denied] == [(principal.user_id, case_no)]


def test_applicants_act_only_for_themselves(
    app: LicensingApplication, denied: list[Forbidden]
) -> None:
    case_no = filed(app)
    with pytest.raises(NotFound):  # not theirs to see: as if there were no such case
        app.withdraw_application(STRANGER, case_no, "不是我的")
    with pytest.raises(Forbidden):
        file_gycp(app, STRANGER)
    with pytest.raises(Forbidden):  # the hall channel is the clerks'
        file_gycp(app, OWNER, channel="HALL")
    assert len(denied) == 3
    assert app.withdraw_application(OWNER, case_no, "企业转产").case.status == "WITHDRAWN"


def test_a_clerk_files_at_the_hall_for_their_own_authority_only(app: LicensingApplication) -> None:
    kwargs = {
        "item_code": "GYCP-SCXK",
        "applicant": enterprise(),
        "jurisdiction_code": "440305",
        "materials": GYCP_ALL,
    }
    hall = app.file_application(
        staff(Role.CLERK), channel="HALL", received_at=at(2026, 9, 27, 16), **kwargs
    )
    assert hall.case.channel == "HALL" and hall.case.filed_by.role is Role.CLERK
    with pytest.raises(Forbidden):
        app.file_application(staff(Role.CLERK, "440300"), channel="HALL", **kwargs)


def test_reads_follow_the_jurisdiction(app: LicensingApplication) -> None:
    case_no = filed(app)
    visible = {
        "owner": OWNER,
        "provincial supervisor": staff(Role.SUPERVISOR),
        "national auditor": staff(Role.AUDITOR, "000000"),
    }
    hidden = {
        "stranger": STRANGER,
        "Shenzhen supervisor": staff(Role.SUPERVISOR, "440300"),
        "other province handler": staff(Role.HANDLER, "450000"),
    }
    for who, principal in visible.items():
        assert app.case_for(principal, case_no) is not None, who
    for who, principal in hidden.items():
        assert app.case_for(principal, case_no) is None, who
    assert app.case_for(OWNER, "440000-2026-GYCP-424242") is None


def test_replay_is_for_oversight_roles_inside_their_jurisdiction(app: LicensingApplication) -> None:
    case_no = filed(app)
    assert app.case_as_of(staff(Role.AUDITOR), case_no, 1).version == 1
    for principal in (staff(Role.HANDLER), OWNER, staff(Role.AUDITOR, "440300")):
        with pytest.raises(Forbidden):
            app.case_as_of(principal, case_no, 1)


def test_only_candidate_group_members_claim_and_a_claim_excludes_the_others(
    app: LicensingApplication,
) -> None:
    case_no = accepted(app)
    task = f"{case_no}#2"
    for outsider in (staff(Role.REVIEWER), OWNER):
        with pytest.raises(Forbidden):
            app.claim_task(outsider, task)
    with pytest.raises(NotFound):  # a city below does not see the provincial case
        app.claim_task(staff(Role.HANDLER, "440100"), task)
    li, wang = staff(Role.HANDLER, user="li"), staff(Role.HANDLER, user="wang")
    app.claim_task(li, task)
    with pytest.raises(Forbidden):
        app.record_opinion(wang, case_no, Opinion.AGREE, "同意")
    assert app.record_opinion(li, case_no, Opinion.AGREE, "同意").case.stage == "REVIEW"


def test_each_stage_is_worked_by_its_own_role(app: LicensingApplication) -> None:
    case_no = accepted(app)
    attempts: list[Callable[[], object]] = [
        lambda: app.record_opinion(staff(Role.REVIEWER), case_no, Opinion.AGREE, "越权"),
        lambda: app.suspend_clock(staff(Role.APPROVER), case_no, "TESTING", 5, "越权"),  # type: ignore[arg-type]
        lambda: app.extend_deadline(staff(Role.HANDLER), case_no, "越权"),
        lambda: app.decide(staff(Role.HANDLER), case_no, True, "越权"),
        lambda: app.terminate_case(
            staff(Role.CLERK), case_no, TerminationGround.FEES_UNPAID, "越权"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()
    assert app.get_case(case_no).version == 2


def test_only_an_admin_loads_a_calendar_year(app: LicensingApplication) -> None:
    year = YearSchedule(year=2027, holidays=frozenset(), source="test")
    with pytest.raises(Forbidden):
        app.load_calendar_year(staff(Role.APPROVER), year)
    assert app.load_calendar_year(staff(Role.ADMIN, "000000"), year) == 2


def test_one_person_cannot_take_a_case_through_several_stages(
    app: LicensingApplication, denied: list[Forbidden]
) -> None:
    """Separation of duties: a token holding HANDLER, REVIEWER and APPROVER used to take a
    case through opinion, review, decision and certificate alone."""
    case_no = accepted(app)
    everyone = Principal(
        "all-in-one", frozenset({Role.HANDLER, Role.REVIEWER, Role.APPROVER}), "440000", "440000"
    )
    app.record_opinion(everyone, case_no, Opinion.AGREE, "承办意见")
    with pytest.raises(Forbidden, match="岗位分离"):
        app.record_opinion(everyone, case_no, Opinion.AGREE, "审核意见")
    assert denied[-1].principal is everyone
    app.record_opinion(staff(Role.REVIEWER), case_no, Opinion.AGREE, "审核意见")
    with pytest.raises(Forbidden, match="岗位分离"):
        app.record_opinion(everyone, case_no, Opinion.AGREE, "审批意见")
    app.record_opinion(staff(Role.APPROVER), case_no, Opinion.AGREE, "同意")
    with pytest.raises(Forbidden, match="岗位分离"):
        app.decide(everyone, case_no, True, "符合条件")
    # the approver who approved decides and issues the certificate: the same stage's work
    app.decide(staff(Role.APPROVER), case_no, True, "符合条件")
    assert app.issue_certificate(staff(Role.APPROVER), case_no).case.certificate_no


def test_a_small_office_may_combine_duties(settings: Settings, clock: SettableClock) -> None:
    """The rule is on by default; an authority may switch it off (XUKE_DUTIES_COMBINED)."""
    migrate(settings, clock=clock).close()
    combined = build_application(
        settings.model_copy(update={"duties_combined": ["440000"]}), clock=clock
    )
    try:
        case_no = accepted(combined)
        everyone = Principal(
            "all-in-one", frozenset({Role.HANDLER, Role.REVIEWER}), "440000", "440000"
        )
        combined.record_opinion(everyone, case_no, Opinion.AGREE, "承办意见")
        combined.record_opinion(everyone, case_no, Opinion.AGREE, "审核意见")
        assert combined.get_case(case_no).stage.value == "APPROVAL"
    finally:
        combined.close()
