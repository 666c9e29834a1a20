"""The licence register follows the licence (Law 40, SAMR 75), and the deadline watcher acts on
licences: deemed renewal and expiry the day after a term (Law 50, 70(1)), renewal reminders,
overdue 撤销 / 撤回 proceedings (SAMR 45). Both engines.

Dates worked by hand (the 2026 schedule is the official one; later years are estimated):
- TZSB-SCXK granted as in ``test_licences``: certificate Mon 2026-10-12, valid to 2030-10-11.
- GYCP-SCXK filed Wed 2026-05-06, certificate Wed 2026-05-20: 5 years, valid to 2031-05-19;
  renewal by validTo − 6 months (条例 25) = 2030-11-19; reminders 60 days before (2030-09-20)
  and 30 days before (2030-10-20).
- Proceedings noticed Mon 2026-06-01: 60 working days from 2 June, 19 June (端午) off —
  June 2-5 (4), 8-12 (9), 15-18 (13), 22-26 (18), 29-30 (20); July 23 (23 … 43);
  August 3-7 (48), 10-14 (53), 17-21 (58), 24 (59), 25 (60): decide by Tue 2026-08-25.
- Renewals (compliance, Law 50) of two TZSB-SCXK licences valid to Fri 2030-10-11, both filed
  Thu 2030-08-01: 20 working days from receipt, no holiday in August — Aug 2 (1), 5-9 (6),
  12-16 (11), 19-23 (16), 26-29 (20): decide by Thu 2030-08-29. One is decided Tue
  2030-08-20 (granted in August), certified and served Mon 2030-09-02 (closed in September);
  the other is left undecided, deemed granted from Sat 2030-10-12 (validTo + 1: October)
  though the watcher, away for a while, records it on Fri 2030-11-01.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests import scenarios
from tests.integration.test_licences import (
    APPROVER,
    file_for,
    granted_licence,
    granted_licences,
    walk_to_decision,
)
from tests.support import GYCP_ALL, applicant, at, enterprise, project, staff
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.domain.calendar import YearSchedule
from xuke.domain.licence import CancellationGround, Licence, LicenceStatus, ProceedingKind
from xuke.domain.roles import Role
from xuke.domain.stages import ApplicationKind, ServiceMethod
from xuke.projections import register
from xuke.projections.deadlines_queries import compliance
from xuke.projections.rebuild import build_shadow, differences
from xuke.projections.register import licence_register_page, licences_granted
from xuke.projections.runner import PROJECTIONS, ProjectionWorker
from xuke.projections.store import Row, ViewStore
from xuke.supervision.watcher import DeadlineWatcher, WatchReport

D = dt.date
REGISTER = PROJECTIONS["licence_register"]


def register_row(app: LicensingApplication, views: ViewStore, number: str) -> Row:
    project(app, views)
    row = views.fetchone("SELECT * FROM licence_register WHERE certificate_no = %s", [number])
    assert row is not None
    return row


def status_of(row: Row) -> tuple[Any, ...]:
    return (row["status"], row["status_changed_on"], row["valid_from"], row["valid_to"])


def watch(app: LicensingApplication, views: ViewStore) -> WatchReport:
    project(app, views)
    report = DeadlineWatcher(app, views).run_once()
    project(app, views)
    return report


def gycp_licence(app: LicensingApplication, clock: SettableClock) -> str:
    """Filed Wed 2026-05-06, certified Wed 2026-05-20: valid to 2031-05-19."""
    clock.set(at(2026, 5, 6))
    case_no = app.file_application(
        applicant(), item_code="GYCP-SCXK", applicant=enterprise(), jurisdiction_code="440305",
        materials=GYCP_ALL,
    ).case.case_no  # fmt: skip
    walk_to_decision(app, case_no)
    clock.set(at(2026, 5, 20))
    number = app.issue_certificate(APPROVER, case_no).case.certificate_no
    assert number is not None
    return number


def assert_register_equals_its_rebuild(app: LicensingApplication, views: ViewStore) -> None:
    project(app, views)
    build_shadow(app, views, REGISTER)
    assert differences(views, REGISTER) == []


def test_the_register_row_follows_issue_renewal_revocation_and_cancellation(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    number = granted_licence(app, clock)
    grant = app.get_licence(number).case_nos[0]
    row = register_row(app, views, number)
    assert status_of(row) == ("VALID", None, "2026-10-12", "2030-10-11")
    assert (row["case_no"], row["term_case_no"], row["decided_on"]) == (grant, grant, "2026-09-28")
    apply_by = app.get_licence(number).renewal_apply_by(app.working_calendar())
    assert apply_by is not None and row["renewal_apply_by"] == apply_by.isoformat()

    clock.set(at(2030, 8, 1))  # a renewal filed in time, then granted: validTo + 1, 4 years
    renewal = file_for(app, number, ApplicationKind.RENEWAL)
    assert register_row(app, views, number)["pending_renewal_case"] == renewal
    walk_to_decision(app, renewal)
    app.issue_certificate(APPROVER, renewal)
    row = register_row(app, views, number)
    assert status_of(row) == ("VALID", None, "2030-10-12", "2034-10-11")
    assert (row["case_no"], row["term_case_no"], row["decided_on"]) == (
        renewal,
        renewal,
        "2030-08-01",
    )
    assert row["pending_renewal_case"] is None

    clock.set(at(2030, 11, 4))  # Mon: notice; no holiday in the statement window
    app.open_proceedings(APPROVER, number, ProceedingKind.REVOCATION, "以欺骗手段取得")
    row = register_row(app, views, number)
    proceedings = app.get_licence(number).proceedings
    assert proceedings is not None
    assert (row["proceedings_open"], row["proceedings_decide_by"]) == (
        1,
        proceedings.decide_by.isoformat(),
    )

    clock.set(at(2030, 11, 20))
    app.revoke_licence(APPROVER, number, "以欺骗手段取得许可")
    row = register_row(app, views, number)
    assert status_of(row) == ("REVOKED", "2030-11-20", "2030-10-12", "2034-10-11")
    assert row["proceedings_open"] == 0
    assert licences_granted(views, status=LicenceStatus.REVOKED) == 1
    assert licences_granted(views, status=LicenceStatus.VALID) == 0

    clock.set(at(2030, 11, 21))
    app.cancel_licence(APPROVER, number, CancellationGround.REVOKED_OR_WITHDRAWN, "撤销后注销")
    row = register_row(app, views, number)
    assert status_of(row) == ("CANCELLED", "2030-11-21", "2030-10-12", "2034-10-11")
    page = licence_register_page(views, status=LicenceStatus.CANCELLED)
    assert [r["certificate_no"] for r in page.items] == [number] and page.total_count == 1
    assert licence_register_page(views, status=LicenceStatus.REVOKED).total_count == 0
    assert licence_register_page(views).total_count == 1  # the per-item total, as before
    assert_register_equals_its_rebuild(app, views)


def test_the_watcher_deems_a_renewal_once_with_two_watchers_racing(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    number = granted_licence(app, clock)
    clock.set(at(2030, 8, 1))
    renewal = file_for(app, number, ApplicationKind.RENEWAL)
    app.accept_application(scenarios.CLERK, renewal)  # and left undecided
    clock.set(at(2030, 10, 11))  # the term's last day: not yet
    assert watch(app, views).deemed_renewed == []
    clock.set(at(2030, 10, 12))
    project(app, views)
    watchers = [DeadlineWatcher(app, views) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(lambda w: w.run_once(), watchers))
    assert sorted(n for r in reports for n in r.deemed_renewed) == [number]
    assert watch(app, views).deemed_renewed == []  # once
    history = app.licence_history(app.get_licence(number))
    assert [type(e).__name__ for e in history].count("LicenceDeemedRenewed") == 1
    row = register_row(app, views, number)
    assert status_of(row) == ("VALID", None, "2030-10-12", "2034-10-11")
    assert (row["pending_renewal_case"], row["term_case_no"]) == (None, renewal)
    assert_register_equals_its_rebuild(app, views)


def two_licences(
    app: LicensingApplication, clock: SettableClock, served: bool = False
) -> list[str]:
    """Two TZSB-SCXK licences as ``granted_licence`` grants one: filed and decided Mon
    2026-09-28, certified Mon 2026-10-12 (and, if ``served``, served that day), valid to Fri
    2030-10-11."""
    numbers = granted_licences(app, clock, 2)
    if served:
        for case_no in (app.get_licence(n).case_nos[0] for n in numbers):
            app.record_service(APPROVER, case_no, ServiceMethod.DIRECT, clock.now())
    return numbers


def compliance_of(views: ViewStore, start: dt.date, end: dt.date, group_by: str) -> list[Any]:
    """(key, closed, overdue_open, renewals_granted, renewals_deemed) per group, for the
    province, as of Fri 2030-11-01."""
    rows = compliance(views, "440000", start, end, group_by, D(2030, 11, 1))
    return [
        (r["key"], int(r["closed"]), int(r["overdue_open"]), r["renewals_granted"],
         r["renewals_deemed"])
        for r in rows
    ]  # fmt: skip


def test_compliance_counts_renewals_decided_and_renewals_deemed_where_and_when_they_fell(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    """Law 50: a renewal not decided before validTo is deemed granted — for supervisors the
    authority's failure. Each counts for the licence's authority (440000) and item, on the
    day of the decision (not of the certificate) or the day the deemed renewal took effect
    (not the day the watcher recorded it). Dates: the module's docstring."""
    decided, deemed = two_licences(app, clock, served=True)
    clock.set(at(2030, 8, 1))
    renewals = [file_for(app, n, ApplicationKind.RENEWAL) for n in (decided, deemed)]
    app.accept_application(scenarios.CLERK, renewals[1])  # and left undecided
    clock.set(at(2030, 8, 20))
    walk_to_decision(app, renewals[0])
    clock.set(at(2030, 9, 2))
    app.issue_certificate(APPROVER, renewals[0])
    app.record_service(APPROVER, renewals[0], ServiceMethod.DIRECT, clock.now())
    clock.set(at(2030, 10, 11))  # the term's last day: nothing deemed yet
    assert watch(app, views).deemed_renewed == []
    clock.set(at(2030, 11, 1))
    assert watch(app, views).deemed_renewed == [deemed]

    # The month of each: August has the decision, October the deemed renewal; September
    # (the certificate's month) and November (the watcher's) have neither. The undecided
    # case, due Thu 2030-08-29, is open and overdue whatever the period.
    province = "440000"
    assert compliance_of(views, D(2030, 8, 1), D(2030, 8, 31), "DEPARTMENT") == [
        (province, 0, 1, 1, 0)
    ]
    assert compliance_of(views, D(2030, 10, 1), D(2030, 10, 31), "DEPARTMENT") == [
        (province, 0, 1, 0, 1)
    ]
    assert compliance_of(views, D(2030, 9, 1), D(2030, 9, 30), "DEPARTMENT") == [
        (province, 1, 1, 0, 0)
    ]
    assert compliance_of(views, D(2030, 11, 1), D(2030, 11, 30), "ITEM") == [
        ("TZSB-SCXK", 0, 1, 0, 0)
    ]
    # August to October, per month (an overdue case counts in its due date's month), per
    # department and per item.
    period = (D(2030, 8, 1), D(2030, 10, 31))
    assert compliance_of(views, *period, "MONTH") == [
        ("2030-08", 0, 1, 1, 0),
        ("2030-09", 1, 0, 0, 0),
        ("2030-10", 0, 0, 0, 1),
    ]
    assert compliance_of(views, *period, "DEPARTMENT") == [(province, 1, 1, 1, 1)]
    assert compliance_of(views, *period, "ITEM") == [("TZSB-SCXK", 1, 1, 1, 1)]
    # A group with a renewal and nothing else counts naught for the rest.
    october = compliance(views, province, *period, "MONTH", D(2030, 11, 1))[-1]
    assert october == {
        "key": "2030-10", "closed": 0, "closed_on_time": 0, "closed_early": 0,
        "average_working_days": 0, "overdue_open": 0, "renewals_granted": 0,
        "renewals_deemed": 1,
    }  # fmt: skip
    assert compliance(views, "440300", *period, "DEPARTMENT", D(2030, 11, 1)) == []  # a city's
    assert_register_equals_its_rebuild(app, views)


def test_a_term_without_a_renewal_expires_once_the_day_after(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    number = granted_licence(app, clock)
    clock.set(at(2030, 10, 11))
    assert watch(app, views).expired == []
    clock.set(at(2030, 10, 12))
    project(app, views)
    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(lambda _: DeadlineWatcher(app, views).run_once(), range(2)))
    assert sorted(n for r in reports for n in r.expired) == [number]
    assert watch(app, views).expired == [] and watch(app, views).deemed_renewed == []
    row = register_row(app, views, number)
    assert status_of(row) == ("EXPIRED", "2030-10-12", "2026-10-12", "2030-10-11")
    assert licence_register_page(views, status=LicenceStatus.EXPIRED).total_count == 1
    assert_register_equals_its_rebuild(app, views)


def cards_of(views: ViewStore, cause: str) -> list[tuple[Any, ...]]:
    rows = views.fetchall(
        "SELECT case_no, colour, detail, due_on, responsible_unit FROM supervision_cards "
        "WHERE cause = %s ORDER BY issued_at, detail",
        [cause],
    )
    return [tuple(r.values()) for r in rows]


def test_renewal_reminders_60_and_30_days_before_the_last_day_to_file(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    number = gycp_licence(app, clock)
    grant = app.get_licence(number).case_nos[0]
    row = register_row(app, views, number)
    assert (row["valid_to"], row["renewal_apply_by"]) == ("2031-05-19", "2030-11-19")
    for day, expected in [
        (D(2030, 9, 19), []),  # 61 days before
        (D(2030, 9, 20), [f"{number}:60"]),  # 60 days before
        (D(2030, 9, 21), []),  # once
        (D(2030, 10, 19), []),  # 31 days before
        (D(2030, 10, 20), [f"{number}:30"]),  # 30 days before
        (D(2030, 11, 19), []),  # the last day: both sent
        (D(2030, 11, 20), []),  # too late to remind
    ]:
        clock.set(at(day.year, day.month, day.day))
        assert watch(app, views).renewal_reminders == expected, day
    assert cards_of(views, "RENEWAL_REMINDER") == [
        (grant, "YELLOW", "60", "2030-11-19", "440000"),
        (grant, "YELLOW", "30", "2030-11-19", "440000"),
    ]


def test_a_renewal_filed_stops_the_reminders(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    number = gycp_licence(app, clock)
    clock.set(at(2030, 9, 1))
    app.file_application(
        applicant(), item_code="GYCP-SCXK", applicant=enterprise(), jurisdiction_code="440305",
        materials=GYCP_ALL, kind=ApplicationKind.RENEWAL, certificate_no=number,
    )  # fmt: skip
    for day in (D(2030, 9, 20), D(2030, 10, 20)):
        clock.set(at(day.year, day.month, day.day))
        assert watch(app, views).renewal_reminders == []
    assert cards_of(views, "RENEWAL_REMINDER") == []


def test_proceedings_past_their_decide_by_get_a_red_card(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    number = gycp_licence(app, clock)
    grant = app.get_licence(number).case_nos[0]
    clock.set(at(2026, 6, 1))
    app.open_proceedings(APPROVER, number, ProceedingKind.WITHDRAWAL_LAW_CHANGE, "法规修改")
    assert register_row(app, views, number)["proceedings_decide_by"] == "2026-08-25"
    clock.set(at(2026, 8, 25))  # the last day
    assert watch(app, views).proceedings_overdue == []
    clock.set(at(2026, 8, 26))
    report = watch(app, views)
    assert report.proceedings_overdue == [number]
    assert f"RED:{grant}:PROCEEDINGS_OVERDUE" in report.cards
    assert watch(app, views).proceedings_overdue == []  # once
    assert cards_of(views, "PROCEEDINGS_OVERDUE") == [
        (grant, "RED", "PROCEEDINGS:2026-08-25", "2026-08-25", "440000")
    ]
    # Decided at last: nothing more to card.
    app.withdraw_licence(APPROVER, number, "法规修改，撤回许可")
    clock.set(at(2026, 8, 27))
    assert watch(app, views).proceedings_overdue == []
    row = register_row(app, views, number)
    assert (row["status"], row["status_changed_on"], row["proceedings_open"]) == (
        "WITHDRAWN",
        "2026-08-26",
        0,
    )
    assert_register_equals_its_rebuild(app, views)


def test_pages_of_one_event_and_a_short_memory_build_the_rows_a_rebuild_builds(
    app: LicensingApplication,
    clock: SettableClock,
    views: ViewStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A case's certificate and its licence's issue are stored together, but a page may end
    between them; and the register remembers only so many licence ids (here one), finding
    the others in its own rows — those not yet written included. The third licence is
    renewed by a decision (Tue 2030-08-20), then deemed renewed (Law 50) the day after its
    new term, Thu 2034-10-12: its renewals are counted once each, rebuilt or not."""
    monkeypatch.setattr(register, "KNOWN_LICENCES", 1)
    numbers = granted_licences(app, clock, 3)
    clock.set(at(2026, 11, 2))
    for number in numbers[:2]:
        app.open_proceedings(APPROVER, number, ProceedingKind.REVOCATION, "以欺骗手段取得")
    clock.set(at(2026, 11, 10))
    app.revoke_licence(APPROVER, numbers[0], "以欺骗手段取得许可")
    renewed = numbers[2]
    clock.set(at(2030, 8, 1))
    granted = file_for(app, renewed, ApplicationKind.RENEWAL)
    clock.set(at(2030, 8, 20))
    walk_to_decision(app, granted)
    app.issue_certificate(APPROVER, granted)  # valid 2030-10-12 to 2034-10-11
    clock.set(at(2034, 8, 1))
    undecided = file_for(app, renewed, ApplicationKind.RENEWAL)
    clock.set(at(2034, 10, 12))
    assert app.deem_renewed_if_due(renewed) is not None  # valid 2034-10-12 to 2038-10-11
    ProjectionWorker(app, views, REGISTER, page_size=1).catch_up()
    build_shadow(app, views, REGISTER)  # pages of 2000: every licence in one
    assert differences(views, REGISTER) == []
    rows = [register_row(app, views, n) for n in numbers]
    assert [(r["status"], r["proceedings_open"]) for r in rows] == [
        ("REVOKED", 0),
        ("VALID", 1),
        ("VALID", 0),
    ]
    assert [r["licence_id"] for r in rows] == [str(Licence.id_for(n)) for n in numbers]
    assert (rows[2]["valid_from"], rows[2]["valid_to"], rows[2]["term_case_no"]) == (
        "2034-10-12",
        "2038-10-11",
        undecided,
    )
    kept = views.fetchall(
        "SELECT jurisdiction_code, item_code, renewed_on, renewals, granted, deemed "
        "FROM licence_register_renewals ORDER BY renewed_on"
    )
    assert [tuple(r.values()) for r in kept] == [
        ("440000", "TZSB-SCXK", "2030-08-20", 1, 1, 0),
        ("440000", "TZSB-SCXK", "2034-10-12", 1, 0, 1),
    ]


def test_a_loaded_year_moves_the_last_day_to_file_a_renewal_in_the_view_and_its_rebuild(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    """TZSB-SCXK: 30 working days in (D, Fri 2030-10-11] (Law 50, SAMR 77). With 2030's
    schedule loaded — 1-7 Oct off, and (say) Mon 2 - Fri 6 Sep — counting back from 11 Oct as
    the first: 11, 10, 9, 8 Oct (4); 30 Sep (5); 23-27 (10); 16-20 (15); 9-13 (20);
    26-30 Aug (25); 19-23 (30); Fri 16 Aug is the 31st: D = 2030-08-16."""
    number = granted_licence(app, clock)
    estimated = app.get_licence(number).renewal_apply_by(app.working_calendar())
    assert estimated is not None
    assert register_row(app, views, number)["renewal_apply_by"] == estimated.isoformat()
    days_off = [D(2030, 10, d) for d in range(1, 8)] + [D(2030, 9, d) for d in range(2, 7)]
    schedule = YearSchedule(year=2030, holidays=frozenset(days_off))
    app.load_calendar_year(staff(Role.ADMIN, "000000"), schedule)
    assert register_row(app, views, number)["renewal_apply_by"] == "2030-08-16"
    assert_register_equals_its_rebuild(app, views)
