"""The content of each view after the demo scenarios, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import scenarios
from tests.support import PERSON_ID, at, file_gycp, project, staff
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.domain.calendar import YearSchedule
from xuke.domain.deadlines import Light
from xuke.domain.roles import Role
from xuke.projections.deadlines_queries import Lights, case_deadlines, compliance
from xuke.projections.inbox import InboxBox, inbox_page, overdue_page, warnings_page
from xuke.projections.public_status import public_status
from xuke.projections.register import licence_register_page
from xuke.projections.store import ViewStore
from xuke.supervision.audit import verify_audit_trail

D = dt.date


@pytest.fixture
def built(app: LicensingApplication, clock: SettableClock, views: ViewStore) -> scenarios.Scenarios:
    result = scenarios.build(app, clock)
    project(app, views)
    return result


def case_nos(page: object) -> list[str]:
    return [row["case_no"] for row in page.items]  # type: ignore[attr-defined]


def test_inboxes_show_new_todo_and_done_per_user(
    built: scenarios.Scenarios, views: ViewStore
) -> None:
    # 新建: the clerk's hall filing, not yet accepted.
    assert case_nos(inbox_page(views, "clerk-zhang", [], InboxBox.NEW)) == [built.hall]
    # 待办: acceptance waits for any provincial clerk.
    todo = inbox_page(views, "clerk-other", ["440000:CLERK"], InboxBox.TODO)
    assert case_nos(todo) == [built.hall]
    # 已办: the clerk accepted five cases; the applicant withdrew a sixth after acceptance.
    done = inbox_page(views, "clerk-zhang", [], InboxBox.DONE)
    assert sorted(case_nos(done)) == sorted(
        [built.claimed, built.unclaimed, built.closed, built.withdrawn, built.denied]
    )
    # Li claimed one handling task: it is his alone; Wang sees only the unclaimed ones. The
    # 20-day item is due first, so it comes first.
    li = inbox_page(views, "handler-li", ["440000:HANDLER"], InboxBox.TODO)
    assert case_nos(li) == [built.person, built.claimed, built.unclaimed]
    wang = inbox_page(views, "handler-wang", ["440000:HANDLER"], InboxBox.TODO)
    assert case_nos(wang) == [built.person, built.unclaimed]
    # A Shenzhen handler's group has nothing of the province's.
    assert inbox_page(views, "sz-handler", ["440300:HANDLER"], InboxBox.TODO).total_count == 0


def test_inbox_pages_by_keyset(built: scenarios.Scenarios, views: ViewStore) -> None:
    first = inbox_page(views, "clerk-zhang", [], InboxBox.DONE, first=2)
    assert first.total_count == 5 and first.has_next_page and len(first.items) == 2
    second = inbox_page(views, "clerk-zhang", [], InboxBox.DONE, first=2, after=first.end_cursor)
    third = inbox_page(views, "clerk-zhang", [], InboxBox.DONE, first=2, after=second.end_cursor)
    seen = case_nos(first) + case_nos(second) + case_nos(third)
    assert len(seen) == len(set(seen)) == 5 and not third.has_next_page
    with pytest.raises(ValueError):
        inbox_page(views, "clerk-zhang", [], InboxBox.DONE, after="not-a-cursor")


def test_tasks_carry_their_due_date_and_light(
    built: scenarios.Scenarios, views: ViewStore, app: LicensingApplication
) -> None:
    (task,) = inbox_page(views, "clerk-zhang", [], InboxBox.NEW).items
    assert task["due_on"] == "2026-10-10"  # received 28 Sep; 10 Oct is a make-up working day
    lights = Lights(app.working_calendar, app.thresholds)
    assert lights.of(task["due_on"], task["period_days"], D(2026, 9, 29)) is Light.GREEN
    assert lights.of(task["due_on"], task["period_days"], D(2026, 10, 9)) is Light.YELLOW
    assert (
        lights.of(task["due_on"], task["period_days"], D(2026, 10, 12)) is Light.RED
    )  # no event needed


def test_public_status_hides_personal_data(
    built: scenarios.Scenarios, views: ViewStore, app: LicensingApplication
) -> None:
    code_hash = app.hash_query_code(built.person_query_code)
    status = public_status(views, built.person, code_hash)
    assert status is not None
    assert status["applicant_name"] == "张**"
    text = str(status)
    for secret in (PERSON_ID, "13900139000", "广州市天河区", "张三丰"):
        assert secret not in text
    assert [s["note"] for s in status["steps"]][:2] == ["申请已接收", "已受理"]
    assert public_status(views, built.person, app.hash_query_code("WRONGCODE1")) is None
    assert public_status(views, "440000-2026-JLQJ-999999", code_hash) is None


def test_public_status_shows_no_internal_opinion(
    built: scenarios.Scenarios, views: ViewStore, app: LicensingApplication
) -> None:
    status = public_status(
        views, built.denied, app.hash_query_code(app.query_code(app.get_case(built.denied).id))
    )
    assert status is not None and status["decision"] == "DENIED"
    assert "材料齐全" not in str(status) and "不符合国家标准" not in str(status)


def test_the_licence_register_lists_granted_licences(
    built: scenarios.Scenarios, views: ViewStore
) -> None:
    page = licence_register_page(views, search="华强")
    assert [r["case_no"] for r in page.items] == [built.closed]
    assert page.items[0]["valid_to"] == "2031-10-14"
    assert licence_register_page(views, item_code="JLQJ-XSPZ").total_count == 0


def test_the_audit_chain_verifies(
    built: scenarios.Scenarios, views: ViewStore, app: LicensingApplication
) -> None:
    result = verify_audit_trail(app.recorder, views)
    assert result.ok and result.checked == app.recorder.max_notification_id()
    rows = views.fetchall(
        "SELECT * FROM audit_trail WHERE case_no = %s ORDER BY position", [built.closed]
    )
    assert [r["event_type"] for r in rows][:2] == ["ApplicationFiled", "ApplicationAccepted"]
    assert (
        rows[1]["actor_id"] == "clerk-zhang"
        and rows[1]["actor_role"] == "CLERK"
        and rows[1]["org_code"] == "440000"
    )


def test_loading_a_year_recomputes_provisional_deadlines_in_the_views(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    clock.set(at(2026, 11, 20))
    case_no = file_gycp(app).case.case_no
    clock.set(at(2026, 11, 26))
    app.accept_application(scenarios.CLERK, case_no)
    project(app, views)
    before = case_deadlines(views, case_no)
    assert (
        before is not None and before["provisional"] == 1 and before["decision_due"] == "2027-02-25"
    )
    year = YearSchedule(
        year=2027, holidays=frozenset({D(2027, 1, 1), *(D(2027, 2, d) for d in (5, 8, 9, 10, 11))})
    )
    app.load_calendar_year(staff(Role.ADMIN, "000000"), year)
    project(app, views)
    after = case_deadlines(views, case_no)
    assert after is not None and after["provisional"] == 0 and after["decision_due"] == "2027-02-26"
    (task,) = inbox_page(views, "h", ["440000:HANDLER"], InboxBox.TODO).items
    assert task["due_on"] == "2027-02-26"


def test_kept_inbox_counts_equal_counting_the_tasks(
    built: scenarios.Scenarios, views: ViewStore
) -> None:
    from xuke.projections.inbox import inbox_total

    cases = [
        ("clerk-zhang", [], InboxBox.NEW, "created_by = %s AND is_open = 1", ["clerk-zhang"]),
        ("clerk-zhang", [], InboxBox.DONE, "completed_by = %s", ["clerk-zhang"]),
        ("handler-li", [], InboxBox.TODO, "assignee = %s AND is_open = 1", ["handler-li"]),
        (
            "x",
            ["440000:HANDLER"],
            InboxBox.TODO,
            "candidate_group = %s AND assignee IS NULL AND is_open = 1",
            ["440000:HANDLER"],
        ),
        (
            "x",
            ["440000:APPROVER"],
            InboxBox.TODO,
            "candidate_group = %s AND assignee IS NULL AND is_open = 1",
            ["440000:APPROVER"],
        ),
    ]
    for user, groups, box, where, params in cases:
        assert inbox_total(views, user, groups, box) == views.count("inbox_tasks", where, params), (
            user,
            box,
        )


def test_the_kept_open_counts_equal_a_count_of_the_views_on_any_day(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    """Totals of overdue and warnings, and compliance's overdue cases, come from counts kept
    per due date; on every day they equal a plain count of the views."""
    scenarios.build(app, clock)
    project(app, views)
    for day in (
        dt.date(2026, 9, 1),
        dt.date(2026, 10, 20),
        dt.date(2026, 11, 27),
        dt.date(2027, 6, 1),
    ):
        today = day.isoformat()
        overdue = views.count(
            "inbox_tasks",
            "is_open = 1 AND due_on < %s AND jurisdiction_code LIKE %s",
            [today, "44%"],
        )
        warned = views.count("inbox_tasks", "is_open = 1 AND yellow_from <= %s AND due_on >= %s "
                             "AND jurisdiction_code LIKE %s", [today, today, "44%"])  # fmt: skip
        assert overdue_page(views, "440000", day).total_count == overdue
        assert warnings_page(views, "440000", day).total_count == warned
        overdue_cases = views.count("case_deadlines", "is_open = 1 AND due_on < %s", [today])
        by_item = compliance(
            views, "000000", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "ITEM", day
        )
        assert sum(int(row["overdue_open"]) for row in by_item) == overdue_cases
    assert overdue_page(views, "440000", dt.date(2026, 11, 27)).total_count > 0  # not all zero
    direct = views.fetchall(
        "SELECT item_code AS key, COUNT(*) AS closed, "
        "SUM(CASE WHEN decided_on <= decision_due THEN 1 ELSE 0 END) AS closed_on_time, "
        "SUM(CASE WHEN committed_due IS NOT NULL AND decided_on <= committed_due THEN 1 ELSE 0 END) AS closed_early, "
        "AVG(working_days_used) AS average_working_days FROM case_deadlines "
        "WHERE status = 'CLOSED' GROUP BY item_code ORDER BY item_code"
    )
    kept = compliance(
        views, "000000", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "ITEM", dt.date(2026, 11, 27)
    )
    assert direct and [
        (r["key"], int(r["closed"]), int(r["closed_on_time"]), int(r["closed_early"]), float(r["average_working_days"]))
        for r in kept if int(r["closed"])
    ] == [
        (r["key"], int(r["closed"]), int(r["closed_on_time"]), int(r["closed_early"]), float(r["average_working_days"]))
        for r in direct
    ]  # fmt: skip


def test_the_register_totals_kept_per_item_equal_counting_the_register(
    built: scenarios.Scenarios, views: ViewStore
) -> None:
    from xuke.projections.register import licence_register_page

    granted = views.count("licence_register", "1 = 1")
    assert granted > 0 and licence_register_page(views).total_count == granted
    for row in views.fetchall("SELECT DISTINCT item_code FROM licence_register"):
        code = row["item_code"]
        counted = views.count("licence_register", "item_code = %s", [code])
        assert licence_register_page(views, item_code=code).total_count == counted
    assert licence_register_page(views, item_code="NO-SUCH").total_count == 0
