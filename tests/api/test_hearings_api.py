"""Hearings (听证, Law 46-48; SAMR 53-59) through GraphQL over real HTTP, on SQLite and
PostgreSQL. Every expected date is counted by hand (the working is in a comment next to it).

The official 2026 schedule: 1-7 Oct (国庆) off, Sat 10 Oct worked. TZSB-SCXK accepted Mon
28 Sep: 20 working days ⇒ 29, 30 Sep (2); 8, 9, 10 Oct (5); 12-16 (10); 19-23 (15);
26-30 (20) ⇒ the decision is due Fri 30 Oct 2026, before any hearing.
"""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api
from tests.api.test_graphql import tokens
from tests.api.test_legal_rules_api import (
    EXPLANATION_FIELDS,
    accept,
    act,
    deadlines,
    decide,
    file_tzsb,
    read,
    refused,
    to_approval,
    watch,
)
from tests.support import at
from xuke.application.clock import SettableClock

HEARING = (
    "hearing { basis status notifiedOn requestBy requestedOn holdBy scheduledAt place "
    "presidingOfficer heldOn record }"
)


def hearing(api: Api, t: dict[str, str], case_no: str) -> dict[str, Any]:
    found: dict[str, Any] = read(api, t["clerk"], case_no, HEARING)["hearing"]
    return found


def schedule(case_no: str, month_day: str, officer: str) -> str:
    """At 09:30 on that day of 2026, Beijing time."""
    when = f"2026-{month_day}T09:30:00+08:00"
    return f'caseNo: "{case_no}", at: "{when}", place: "第一听证室", presidingOfficer: "{officer}"'


def test_a_requested_hearing_stops_the_clock_until_its_record(
    api: Api, clock: SettableClock
) -> None:
    """Law 45-48: notice → request within 5 days → 7 days' notice, an uninvolved presiding
    officer → record; the decision waits for the record, the clock for the hearing."""
    t = tokens(api)
    case_no = file_tzsb(api, t)
    to_approval(api, t, case_no)  # clerk-1 accepts, handler-1 and reviewer-1 agree
    assert hearing(api, t, case_no) is None
    clock.set(at(2026, 10, 12))  # Monday
    notice = f'caseNo: "{case_no}", basis: ARTICLE_47_RIGHT, note: "拟不予许可，告知听证权利"'
    assert act(api, t["approver"], "noticeHearing", notice)["status"] == "SUSPENDED"
    # Law 47: 5 working days from Mon 12 Oct: 13, 14, 15, 16, Mon 19 ⇒ 2026-10-19.
    assert hearing(api, t, case_no) == {
        "basis": "ARTICLE_47_RIGHT", "status": "NOTIFIED", "notifiedOn": "2026-10-12",
        "requestBy": "2026-10-19", "requestedOn": None, "holdBy": None, "scheduledAt": None,
        "place": None, "presidingOfficer": None, "heldOn": None, "record": None,
    }  # fmt: skip
    grant = f'caseNo: "{case_no}", grant: true, reason: "符合法定条件"'
    assert refused(api, t["approver"], "decide", grant)["code"] == "INVALID_STATE"
    clock.set(at(2026, 10, 19, 16))  # the last day of the window
    act(api, t["applicant"], "requestHearing", f'caseNo: "{case_no}"')
    asked = hearing(api, t, case_no)
    # Law 47: 20 working days from Mon 19 Oct: 20-23 (4), 26-30 (9), 2-6 Nov (14),
    # 9-13 (19), Mon 16 Nov (20) ⇒ 2026-11-16.
    assert (asked["status"], asked["requestedOn"], asked["holdBy"]) == (
        "REQUESTED", "2026-10-19", "2026-11-16",
    )  # fmt: skip
    # Stopped since 12 Oct (not counted): 13-16, 19 Oct = 5 working days ⇒ 30 Oct + 5:
    # 2, 3, 4, 5, Fri 6 Nov — and the explanation says why.
    running = deadlines(api, t, case_no)
    assert (running["decisionDue"], running["workingDaysSuspended"]) == ("2026-11-06", 5)
    explained = read(
        api, t["clerk"], case_no, f"deadlines {{ explanations {{ {EXPLANATION_FIELDS} }} }}"
    )
    limits = {e["limit"]: e for e in explained["deadlines"]["explanations"]}
    skipped = {s["date"]: s["reason"] for s in limits["DECISION"]["skipped"]}
    assert skipped["2026-10-13"] == skipped["2026-10-19"] == "中止计时：听证"
    assert limits["DECISION"]["suspensions"] == [
        {"from": "2026-10-12", "to": None, "reason": "HEARING", "workingDays": 5}
    ]
    assert (limits["HEARING_REQUEST"]["due"], limits["HEARING"]["due"]) == (
        "2026-10-19", "2026-11-16",
    )  # fmt: skip
    clock.set(at(2026, 10, 20))
    # Law 48(1): 7 days' notice — from Tue 20 Oct, Tue 27 Oct at the earliest.
    short = refused(api, t["approver"], "scheduleHearing", schedule(case_no, "10-26", "legal-1"))
    assert (short["code"], short["field"]) == ("VALIDATION", "at")
    # Law 47: not after holdBy (16 Nov).
    late = refused(api, t["approver"], "scheduleHearing", schedule(case_no, "11-17", "legal-1"))
    assert (late["code"], late["field"]) == ("VALIDATION", "at")
    # Law 48(3): whoever examined the case may not preside — an opinion (reviewer-1), the
    # acceptance (clerk-1, from the history), the notice (approver-1).
    for involved in ("reviewer-1", "clerk-1", "approver-1"):
        error = refused(api, t["approver"], "scheduleHearing", schedule(case_no, "10-27", involved))
        assert (error["code"], error["field"]) == ("VALIDATION", "presidingOfficer"), involved
    act(api, t["approver"], "scheduleHearing", schedule(case_no, "10-27", "legal-1"))
    assert refused(api, t["approver"], "decide", grant)["code"] == "INVALID_STATE"  # Law 48(2)
    clock.set(at(2026, 10, 27, 15))
    record = f'caseNo: "{case_no}", record: "申请人陈述、申辩意见……"'
    held = act(api, t["approver"], "recordHearing", record)
    assert held["status"] == "UNDER_REVIEW"
    done = hearing(api, t, case_no)
    assert (done["status"], done["heldOn"], done["presidingOfficer"], done["record"]) == (
        "HELD", "2026-10-27", "legal-1", "申请人陈述、申辩意见……",
    )  # fmt: skip
    assert done["scheduledAt"].startswith("2026-10-27T")
    # Stopped 12 Oct to 27 Oct: 13-16 (4), 19-23 (9), 26, 27 (11) ⇒ 30 Oct + 11: 2-6 Nov (5),
    # 9-13 (10), Mon 16 Nov (11) ⇒ 2026-11-16 — and the clock runs again.
    clock.set(at(2026, 11, 2))
    after = deadlines(api, t, case_no)
    assert (after["decisionDue"], after["workingDaysSuspended"]) == ("2026-11-16", 11)
    assert decide(api, t, case_no, grant=True)["status"] == "GRANTED"
    history = read(api, t["approver"], case_no, "history { type summary }")["history"]
    types = [e["type"] for e in history]
    assert types[-5:] == [
        "HearingNoticed", "HearingRequested", "HearingScheduled", "HearingRecorded", "LicenseGranted",
    ]  # fmt: skip


def test_a_waiver_or_a_lapsed_window_restarts_the_clock(api: Api, clock: SettableClock) -> None:
    """Law 47: asked for within 5 days of the notice, else waived — the watcher records it,
    once, and the clock runs again from the day after the window (our reading)."""
    t = tokens(api)
    waived, lapsed = file_tzsb(api, t), file_tzsb(api, t)
    for case_no in (waived, lapsed):
        accept(api, t, case_no)  # Mon 28 Sep; the handler owns the stage
    clock.set(at(2026, 10, 12))
    for case_no in (waived, lapsed):
        notice = f'caseNo: "{case_no}", basis: ARTICLE_47_RIGHT, note: "告知听证权利"'
        act(api, t["handler"], "noticeHearing", notice)
    clock.set(at(2026, 10, 14))
    body = api.gql(
        f'mutation {{ requestHearing(caseNo: "{waived}") {{ errors {{ code }} }} }}',
        token=t["handler"],
    )  # only the applicant asks or waives; only the stage owner gives notice
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = api.gql(
        f'mutation {{ waiveHearing(caseNo: "{waived}") {{ errors {{ code }} }} }}',
        token=t["stranger"],
    )  # another enterprise does not even see the case
    assert body["data"]["waiveHearing"]["errors"][0]["code"] == "NOT_FOUND"
    body = api.gql(
        f'mutation {{ noticeHearing(caseNo: "{waived}", basis: PUBLIC_INTEREST, note: "x") '
        "{ errors { code } } }",
        token=t["reviewer"],
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert act(api, t["applicant"], "waiveHearing", f'caseNo: "{waived}"')["status"] == "ACCEPTED"
    assert hearing(api, t, waived)["status"] == "WAIVED"
    # Stopped 13, 14 Oct ⇒ 30 Oct + 2: Mon 2, Tue 3 Nov.
    clock.set(at(2026, 10, 20))
    assert deadlines(api, t, waived)["decisionDue"] == "2026-11-03"
    # Tue 20 Oct: the window closed on Mon 19 Oct.
    late = refused(api, t["applicant"], "requestHearing", f'caseNo: "{lapsed}"')
    assert late["code"] == "DEADLINE_PASSED"
    clock.set(at(2026, 10, 22))  # the watcher gets to it two days late: no matter
    watch(api)
    watch(api)
    assert read(api, t["clerk"], lapsed, "status")["status"] == "ACCEPTED"
    assert hearing(api, t, lapsed)["status"] == "WAIVED"
    # Stopped 13-16, 19 Oct = 5 ⇒ 30 Oct + 5: 2, 3, 4, 5, Fri 6 Nov.
    assert deadlines(api, t, lapsed)["decisionDue"] == "2026-11-06"
    history = read(api, t["handler"], lapsed, "history { type summary }")["history"]
    assert [e["type"] for e in history].count("HearingRequestLapsed") == 1
    assert "视为放弃听证" in history[-1]["summary"]


def test_a_hearing_not_held_within_twenty_days_is_carded(api: Api, clock: SettableClock) -> None:
    """Law 46-47: the organ's own hearing is scheduled without a request; held within 20
    days of its notice (our reading), else supervision gets a YELLOW card."""
    t = tokens(api)
    case_no = file_tzsb(api, t)
    accept(api, t, case_no)
    clock.set(at(2026, 10, 12))
    notice = f'caseNo: "{case_no}", basis: PUBLIC_INTEREST, note: "涉及重大公共利益"'
    act(api, t["handler"], "noticeHearing", notice)
    public = hearing(api, t, case_no)
    # 20 working days from Mon 12 Oct: 13-16 (4), 19-23 (9), 26-30 (14), 2-6 Nov (19),
    # Mon 9 Nov (20) ⇒ 2026-11-09.
    assert (public["requestBy"], public["holdBy"]) == (None, "2026-11-09")
    asked = refused(api, t["applicant"], "requestHearing", f'caseNo: "{case_no}"')
    assert asked["code"] == "INVALID_STATE"
    clock.set(at(2026, 11, 9))  # the last day: still in time
    watch(api)
    assert hearing_cards(api, t) == []
    clock.set(at(2026, 11, 10))
    watch(api)
    watch(api)  # once only
    assert hearing_cards(api, t) == [
        {"caseNo": case_no, "cause": "HEARING_OVERDUE", "colour": "YELLOW", "dueOn": "2026-11-09"}
    ]
    # Law 45: the decision clock is stopped, so no RED card for the decision meanwhile.
    assert deadlines(api, t, case_no)["light"] != "RED"


def hearing_cards(api: Api, t: dict[str, str]) -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = api.gql(
        "{ supervision { cards(first: 100) { nodes { caseNo cause colour dueOn } } } }",
        token=t["supervisor"],
    )["data"]["supervision"]["cards"]["nodes"]
    return [c for c in cards if c["cause"] in ("HEARING_OVERDUE", "LEGAL_LIMIT_PASSED")]
