"""Law 43 on both engines: the lower authority accepts and reviews first, then sends the whole
file up; the upper level decides under the item's limit and may not ask for materials again.

TZJY-JGHZ (特种设备检验检测机构核准) is decided by the national administration (000000) after the
province of the applicant's division (440000) reviews it. Dates worked by hand on the 2026
schedule (National Day 1-7 Oct off, Saturday 10 Oct worked).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support import applicant, at, enterprise, project, staff
from xuke.application.authorization import Forbidden
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.domain.errors import InvalidState, NotFound
from xuke.domain.roles import Role
from xuke.domain.stages import Opinion, Stage
from xuke.projections.inbox import InboxBox, inbox_page
from xuke.projections.store import ViewStore

D = dt.date
MATERIALS = ["SQB", "FRZG", "ZLTX", "JYRY"]
PROVINCE, NATION = "440000", "000000"


def filed(app: LicensingApplication, clock: SettableClock) -> str:
    clock.set(at(2026, 9, 28))
    return app.file_application(
        applicant(), item_code="TZJY-JGHZ", applicant=enterprise(), jurisdiction_code="440305",
        materials=MATERIALS,
    ).case.case_no  # fmt: skip


def test_the_province_accepts_and_reviews_first_then_the_nation_decides(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    case_no = filed(app, clock)
    case = app.get_case(case_no)
    assert case.jurisdiction_code == NATION and case.preliminary_org == PROVINCE
    assert case.task is not None and case.task.candidate_group == "440000:CLERK"
    clock.set(at(2026, 9, 29))
    case = app.accept_application(staff(Role.CLERK, PROVINCE), case_no).case
    assert case.stage is Stage.PRELIMINARY_REVIEW
    assert case.task is not None and case.task.candidate_group == "440000:HANDLER"
    deadlines = app.deadlines(case)
    # 20 working days from Tue 29 Sep: 30 Sep; 8, 9, 10, 12-16, 19-23, 26-30 Oct; 2 Nov.
    assert deadlines.decision_due is None
    assert [e.due for e in app.explain_deadlines(case) if e.limit == "PRELIMINARY_REVIEW"] == [
        D(2026, 11, 2)
    ]
    with pytest.raises(Forbidden):  # the nation does not review at the province's stage
        app.forward_for_decision(staff(Role.HANDLER, NATION), case_no, Opinion.AGREE, "同意")
    with pytest.raises(NotFound):  # and a city below the province does not even see the case
        app.forward_for_decision(staff(Role.HANDLER, "440300"), case_no, Opinion.AGREE, "同意")
    clock.set(at(2026, 10, 20))
    with pytest.raises(InvalidState):
        app.forward_for_decision(staff(Role.HANDLER, PROVINCE), case_no, Opinion.RETURN, "退回")
    case = app.forward_for_decision(
        staff(Role.HANDLER, PROVINCE), case_no, Opinion.AGREE, "材料齐全，初审合格"
    ).case
    assert case.stage is Stage.HANDLING
    assert case.task is not None and case.task.candidate_group == "000000:HANDLER"
    assert case.preliminary is not None and case.preliminary.forwarded_on == D(2026, 10, 20)
    # Law 42 from the upper level's receipt of the whole file, Tue 20 Oct: 21-23, 26-30 Oct;
    # 2-6, 9-13, 16, 17 Nov ⇒ Tue 17 Nov.
    assert app.deadlines(case).decision_due == D(2026, 11, 17)
    with pytest.raises(Forbidden):  # the province no longer acts on it
        app.record_opinion(staff(Role.HANDLER, PROVINCE), case_no, Opinion.AGREE, "同意")
    with pytest.raises(InvalidState):  # the upper level may not ask for materials again
        app.request_correction(staff(Role.CLERK, NATION), case_no, ["SQB"], "请补正")
    project(app, views)
    national = staff(Role.HANDLER, NATION, user="nation-handler")
    todo = inbox_page(views, national.user_id, ["000000:HANDLER"], InboxBox.TODO).items
    assert [row["case_no"] for row in todo] == [case_no]
    app.record_opinion(national, case_no, Opinion.AGREE, "同意核准")
    # the province's handler still sees the case it reviewed
    assert app.case_for(staff(Role.HANDLER, PROVINCE), case_no) is not None


def test_an_item_without_preliminary_review_is_unchanged(
    app: LicensingApplication, clock: SettableClock
) -> None:
    clock.set(at(2026, 9, 28))
    case = app.file_application(
        applicant(), item_code="TZSB-SCXK", applicant=enterprise(), jurisdiction_code="440305",
        materials=["SQB", "YYZZ", "ZLBZ", "JSRY"],
    ).case  # fmt: skip
    assert case.preliminary_org is None
    clock.set(at(2026, 9, 29))
    case = app.accept_application(staff(Role.CLERK, PROVINCE), case.case_no).case
    assert case.stage is Stage.HANDLING
