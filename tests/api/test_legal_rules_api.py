"""The legal rules of time, through GraphQL over real HTTP, on SQLite and PostgreSQL.

Every expected date is counted by hand from the statute (the working is in a comment next to
it), never by calling our own code. The official 2026 schedule: 25-27 Sep (中秋) and 1-7 Oct
(国庆) off, Sun 20 Sep and Sat 10 Oct worked; 2027 and 2028 are not loaded (estimated).

Law = 《行政许可法》; SAMR = 《市场监督管理行政许可程序暂行规定》.

- receipt on a non-working day ............. SAMR 14, 77; Law 32 (deemed acceptance)
- service limit for grants only ............ Law 44
- service by public notice .................. SAMR 62 → 行政处罚程序规定 83 (deemed in 30 days)
- an expired clock is not suspended ........ Law 45
- deadlines frozen when a case ends ........ Law 42, 45 (nothing runs after the end)
- the extension is the item's .............. Law 42 (法律、法规另有规定的，依照其规定)
- validity across 29 February .............. 民法典 201, 202
- estimated years ........................... Law 82 (nothing irreversible on an estimate)
- the correction period .................... SAMR 15(4), 15(5)
- termination grounds ....................... SAMR 30
- service methods ........................... SAMR 62 → 行政处罚程序规定 82-83
- explainable deadlines (v2) ................ Law 32, 42, 45, 82; SAMR 77
- a hall entry backdated past its window .... Law 32 (deemed acceptance), 监察 LATE_ENTRY card
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.api.conftest import Api
from tests.api.test_graphql import FILE, application, file, mutate, tokens
from tests.support import TZSB_ALL, at
from xuke.application.clock import SettableClock
from xuke.supervision.watcher import DeadlineWatcher

DEADLINE_FIELDS = (
    "acceptanceDue decisionDue committedDue serviceDue correctionDue workingDaysSuspended "
    "extended provisional light"
)
EXPLANATION_FIELDS = (
    "limit article countsFrom workingDays extendedBy "
    "suspensions { from to reason workingDays } skipped { date reason } due provisionalYears"
)


# ---------------------------------------------------------------- small helpers


def act(api: Api, token: str, name: str, args: str) -> dict[str, Any]:
    """A mutation that must succeed: the case it returns."""
    payload = mutate(api, token, name, args)
    assert not payload["errors"], payload
    case: dict[str, Any] = payload["case"]
    return case


def refused(api: Api, token: str, name: str, args: str) -> dict[str, Any]:
    """A mutation that must fail with a typed error: that error (code, message, field)."""
    payload = mutate(api, token, name, args)
    assert payload["case"] is None and payload["errors"], payload
    error: dict[str, Any] = payload["errors"][0]
    return error


def read(api: Api, token: str, case_no: str, fields: str) -> dict[str, Any]:
    body = api.gql(f'{{ case(caseNo: "{case_no}") {{ {fields} }} }}', token=token)
    assert "errors" not in body, body
    case: dict[str, Any] = body["data"]["case"]
    return case


def deadlines(api: Api, t: dict[str, str], case_no: str) -> dict[str, Any]:
    case = read(api, t["clerk"], case_no, f"deadlines {{ {DEADLINE_FIELDS} }}")
    found: dict[str, Any] = case["deadlines"]
    return found


def caught_up(api: Api) -> None:
    assert api.services.runner is not None
    api.services.runner.wait_for(api.services.app.recorder.max_notification_id() or 0, 5)


def watch(api: Api) -> None:
    """The deadline watcher, on views that have caught up with every event so far."""
    caught_up(api)
    DeadlineWatcher(api.services.app, api.services.views).run_once()
    caught_up(api)


def file_gycp(api: Api, t: dict[str, str], **overrides: Any) -> str:
    filed = file(api, t, **overrides)
    assert not filed["errors"], filed
    case_no: str = filed["case"]["caseNo"]
    return case_no


def file_tzsb(api: Api, t: dict[str, str]) -> str:
    return file_gycp(api, t, itemCode="TZSB-SCXK", materials=TZSB_ALL)


def accept(api: Api, t: dict[str, str], case_no: str) -> None:
    assert act(api, t["clerk"], "acceptApplication", f'caseNo: "{case_no}"')["status"] == "ACCEPTED"


def to_approval(api: Api, t: dict[str, str], case_no: str) -> None:
    """Accepted, then 承办 and 审核 agree: the case waits for the approver's decision."""
    accept(api, t, case_no)
    for role in ("handler", "reviewer"):
        act(api, t[role], "recordOpinion", f'caseNo: "{case_no}", opinion: AGREE, comment: "同意"')


def decide(api: Api, t: dict[str, str], case_no: str, *, grant: bool) -> dict[str, Any]:
    reason = "符合法定条件" if grant else "生产条件不符合要求"
    args = f'caseNo: "{case_no}", grant: {str(grant).lower()}, reason: "{reason}"'
    return act(api, t["approver"], "decide", args)


def granted_and_certified(api: Api, t: dict[str, str], case_no: str) -> None:
    to_approval(api, t, case_no)
    decide(api, t, case_no, grant=True)
    act(api, t["approver"], "issueCertificate", f'caseNo: "{case_no}"')


def service(case_no: str, method: str, served_at: dt.datetime, reason: str | None = None) -> str:
    args = f'caseNo: "{case_no}", method: {method}, servedAt: "{served_at.isoformat()}"'
    return args + (f', reason: "{reason}"' if reason is not None else "")


def days(first: dt.date, last: dt.date) -> list[str]:
    return [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


# ---------------------------------------------------------------- the rules


def test_receipt_on_a_saturday_counts_from_the_next_day_and_is_the_deemed_acceptance_date(
    api: Api, clock: SettableClock
) -> None:
    """SAMR 14, 77; Law 32."""
    t = tokens(api)
    clock.set(at(2026, 3, 7, 22, 30))  # Saturday night, online
    corrected, too_late, idle = (file(api, t, materials=["SQS", "YYZZ"]) for _ in range(3))
    # Received Sat 7 Mar; counting starts the next day: Sun 8 off; Mon 9 (1), 10 (2),
    # 11 (3), 12 (4), Fri 13 (5) ⇒ 2026-03-13.
    assert corrected["case"]["deadlines"]["acceptanceDue"] == "2026-03-13"
    missing = 'missingMaterials: ["CPBZ", "SCSB"], note: "请补正"'
    clock.set(at(2026, 3, 13, 16))  # the fifth working day: still in time
    no = corrected["case"]["caseNo"]
    assert (
        act(api, t["clerk"], "requestCorrection", f'caseNo: "{no}", {missing}')["status"]
        == "AWAITING_CORRECTION"
    )
    clock.set(at(2026, 3, 16, 9))  # Monday: the window closed on Friday
    no = too_late["case"]["caseNo"]
    late = refused(api, t["clerk"], "requestCorrection", f'caseNo: "{no}", {missing}')
    assert late["code"] == "DEADLINE_PASSED"
    # Left alone, the application is accepted by law as of its receipt — the Saturday.
    watch(api)
    for left in (idle, too_late):
        case = read(api, t["clerk"], left["case"]["caseNo"], "status acceptedOn")
        assert case == {"status": "ACCEPTED", "acceptedOn": "2026-03-07"}


def test_the_law_44_service_limit_binds_grants_only(api: Api, clock: SettableClock) -> None:
    """Law 44: a grant's certificate is served within 10 working days; a denial has no limit."""
    t = tokens(api)
    grant, denial = file_gycp(api, t), file_gycp(api, t)
    for case_no in (grant, denial):
        to_approval(api, t, case_no)
    clock.set(at(2026, 9, 29))
    decide(api, t, grant, grant=True)
    decide(api, t, denial, grant=False)
    # Decided Tue 29 Sep: 30 Sep (1); 1-7 Oct 国庆; 8 (2), 9 (3), Sat 10 worked (4);
    # 12-16 (5-9); Mon 19 (10) ⇒ 2026-10-19.
    assert deadlines(api, t, grant)["serviceDue"] == "2026-10-19"
    assert deadlines(api, t, denial)["serviceDue"] is None
    # 30 working days after the decision: 19 Oct (10), 20-23 (14), 26-30 (19), 2-6 Nov (24),
    # 9-13 Nov (29), Mon 16 Nov (30). Both still unserved on Tue 17 Nov.
    clock.set(at(2026, 11, 17))
    assert deadlines(api, t, denial)["light"] == "GREEN"  # decided on time; nothing runs
    assert deadlines(api, t, grant)["light"] == "RED"  # served late
    watch(api)
    cards = api.gql(
        "{ supervision { cards(first: 100) { nodes { caseNo cause } } } }", token=t["supervisor"]
    )["data"]["supervision"]["cards"]["nodes"]
    late = {c["caseNo"] for c in cards if c["cause"] == "LEGAL_LIMIT_PASSED"}
    assert late == {grant}


def test_service_by_public_notice_needs_a_reason_and_is_deemed_done_30_days_later(
    api: Api, clock: SettableClock
) -> None:
    """SAMR 62 → 行政处罚程序规定 83; Law 44 is met on the day of the notice."""
    t = tokens(api)
    case_no = file_gycp(api, t)
    clock.set(at(2026, 9, 29))
    granted_and_certified(api, t, case_no)  # serviceDue 2026-10-19 (counted above)
    clock.set(at(2026, 10, 16, 10))  # Fri 16 Oct: inside the 10 working days
    notice = at(2026, 10, 16, 9)
    no_reason = refused(
        api, t["approver"], "recordService", service(case_no, "PUBLIC_NOTICE", notice)
    )
    assert (no_reason["code"], no_reason["field"]) == ("VALIDATION", "reason")
    why = "受送达人下落不明"
    served = act(
        api, t["approver"], "recordService", service(case_no, "PUBLIC_NOTICE", notice, why)
    )
    assert served["status"] == "CLOSED"
    # Deemed served 30 days after 16 Oct: 16 + 15 = 31 Oct, + 15 = 15 Nov ⇒ 2026-11-15.
    # Judged on the notice day, not on 15 Nov (which would be past 19 Oct): GREEN, for good.
    clock.set(at(2026, 11, 20))
    assert deadlines(api, t, case_no)["light"] == "GREEN"
    history = read(api, t["approver"], case_no, "history { type summary }")["history"]
    summary = next(e["summary"] for e in history if e["type"] == "DecisionServed")
    assert "公告送达" in summary and "2026-11-15" in summary and why in summary


def test_an_expired_decision_clock_cannot_be_suspended(api: Api, clock: SettableClock) -> None:
    """Law 45: suspension stops a running period; it does not revive an expired one."""
    t = tokens(api)
    in_time, too_late = file_tzsb(api, t), file_tzsb(api, t)
    clock.set(at(2026, 9, 29))
    for case_no in (in_time, too_late):
        accept(api, t, case_no)
    # Accepted Tue 29 Sep, 20 working days: 30 Sep (1); 1-7 Oct off; 8 (2), 9 (3), Sat 10 (4),
    # 12-16 (5-9), 19-23 (10-14), 26-30 (15-19), Mon 2 Nov (20) ⇒ 2026-11-02.
    assert deadlines(api, t, too_late)["decisionDue"] == "2026-11-02"
    suspend = 'reason: TESTING, expectedWorkingDays: 5, note: "送检"'
    clock.set(at(2026, 11, 2, 16))
    assert (
        act(api, t["handler"], "suspendClock", f'caseNo: "{in_time}", {suspend}')["status"]
        == "SUSPENDED"
    )
    clock.set(at(2026, 11, 3, 9))
    expired = refused(api, t["handler"], "suspendClock", f'caseNo: "{too_late}", {suspend}')
    assert expired["code"] == "DEADLINE_PASSED"


def test_a_terminated_cases_deadlines_are_frozen(api: Api, clock: SettableClock) -> None:
    """Law 42, 45: nothing runs after the case ends — not even an open suspension."""
    t = tokens(api)
    case_no = file_tzsb(api, t)
    accept(api, t, case_no)  # Mon 28 Sep
    clock.set(at(2026, 9, 29))
    suspend = 'reason: INSPECTION, expectedWorkingDays: 10, note: "送检"'
    act(api, t["handler"], "suspendClock", f'caseNo: "{case_no}", {suspend}')
    clock.set(at(2026, 10, 9))
    args = f'caseNo: "{case_no}", ground: OTHER_BY_LAW, reason: "法律法规规定的其他情形"'
    assert act(api, t["approver"], "terminateCase", args)["status"] == "TERMINATED"
    # 20 working days from Mon 28 Sep: 29, 30 Sep (2); 8, 9, 10 Oct (5); 12-16 (10);
    # 19-23 (15); 26-30 (20) ⇒ 30 Oct. Suspended Tue 29 Sep (not counted) to the end on
    # Fri 9 Oct: 30 Sep, 8, 9 Oct = 3 working days ⇒ 2, 3, 4 Nov ⇒ 2026-11-04.
    frozen = {"decisionDue": "2026-11-04", "workingDaysSuspended": 3}
    assert {k: deadlines(api, t, case_no)[k] for k in frozen} == frozen
    clock.set(at(2026, 10, 23))  # two weeks on: an open suspension would have grown by 10
    assert {k: deadlines(api, t, case_no)[k] for k in frozen} == frozen
    explained = read(
        api,
        t["clerk"],
        case_no,
        "deadlines { explanations { limit due suspensions { to workingDays } } }",
    )["deadlines"]["explanations"]
    decision = next(e for e in explained if e["limit"] == "DECISION")
    assert decision["due"] == "2026-11-04"
    assert decision["suspensions"] == [{"to": None, "workingDays": 3}]


def test_the_extension_is_the_items_own(api: Api, clock: SettableClock) -> None:
    """Law 42: 10 working days once — unless the item's own law says otherwise (GYCP: none)."""
    t = tokens(api)
    items = api.gql("{ licenseItems { code extensionDays } }", token=t["clerk"])["data"]
    extension = {i["code"]: i["extensionDays"] for i in items["licenseItems"]}
    assert extension["GYCP-SCXK"] is None and extension["TZSB-SCXK"] == 10
    gycp, tzsb = file_gycp(api, t), file_tzsb(api, t)
    for case_no in (gycp, tzsb):
        accept(api, t, case_no)  # Mon 28 Sep
    none = refused(api, t["approver"], "extendDeadline", f'caseNo: "{gycp}", reason: "情况复杂"')
    assert none["code"] == "INVALID_STATE"
    # TZSB from Mon 28 Sep: 20 working days ⇒ Fri 30 Oct (counted in the frozen-deadline
    # test); 10 more: 2-6 Nov (5), 9-13 Nov (10) ⇒ 2026-11-13.
    assert deadlines(api, t, tzsb)["decisionDue"] == "2026-10-30"
    extended = act(api, t["approver"], "extendDeadline", f'caseNo: "{tzsb}", reason: "情况复杂"')
    assert extended["deadlines"]["decisionDue"] == "2026-11-13"
    assert extended["deadlines"]["extended"] is True


def test_a_licence_issued_on_29_february_expires_on_28_february(
    api: Api, clock: SettableClock
) -> None:
    """民法典 201, 202: a period in years ends on the corresponding day of the last year; with
    no corresponding day (no 29 Feb in 2033), on the month's last day."""
    t = tokens(api)
    clock.set(at(2028, 2, 29))
    case_no = file_gycp(api, t)
    granted_and_certified(api, t, case_no)
    # 5 years (GYCP) issued Tue 29 Feb 2028: valid from that day through 28 Feb 2033 —
    # whether the first day counts (ends the day before 29 Feb 2033, i.e. its corresponding
    # day of 28 Feb) or not (2033 has no 29 Feb ⇒ the month's end, 28 Feb). Either way.
    certificate = read(api, t["approver"], case_no, "certificateNo")["certificateNo"]
    assert certificate == "XK440000-GYCP-2028-000001"
    caught_up(api)
    register = api.gql(
        '{ licenseRegister(search: "华强") { edges { node { certificateNo validFrom validTo } } } }'
    )["data"]["licenseRegister"]["edges"]
    assert [e["node"] for e in register] == [
        {"certificateNo": certificate, "validFrom": "2028-02-29", "validTo": "2033-02-28"}
    ]
    history = read(api, t["approver"], case_no, "history { type summary }")["history"]
    issued = next(e["summary"] for e in history if e["type"] == "CertificateIssued")
    assert "2028-02-29 至 2033-02-28" in issued


def test_nothing_irreversible_happens_on_an_estimated_year_until_its_latest_reading_passes(
    api: Api, clock: SettableClock
) -> None:
    """Law 82: 2027's schedule is not published; deemed acceptance and DEADLINE_PASSED wait
    for the latest plausible reading of the Spring Festival."""
    t = tokens(api)
    clock.set(at(2027, 2, 3))  # Wednesday
    watched, refusable = file_gycp(api, t), file_gycp(api, t)
    # Central estimate: Thu 4 Feb (1); 5 Feb (eve) off, 6-7 weekend (春节 days), 8 Feb off,
    # 9-10 Feb 补假 for 6-7; 11 (2), 12 (3), 15 (4), 16 (5) ⇒ 2027-02-16, provisional.
    first = deadlines(api, t, watched)
    assert (first["acceptanceDue"], first["provisional"]) == ("2027-02-16", True)
    explained = read(
        api, t["clerk"], watched, "deadlines { explanations { limit provisionalYears } }"
    )
    assert explained["deadlines"]["explanations"] == [
        {"limit": "ACCEPTANCE", "provisionalYears": [2027]}
    ]
    # Latest plausible: eve to the 7th day (5-12 Feb) off and 6-7 Feb made up on 15-16 Feb:
    # 4 (1), 17 (2), 18 (3), 19 (4), Mon 22 (5) ⇒ 2027-02-22. Until then, nothing is final.
    clock.set(at(2027, 2, 17))
    watch(api)
    assert read(api, t["clerk"], watched, "status")["status"] == "SUBMITTED"
    reason = 'reason: "不属于本机关职权范围"'
    refusal = act(api, t["clerk"], "rejectApplication", f'caseNo: "{refusable}", {reason}')
    assert refusal["status"] == "NOT_ACCEPTED"
    clock.set(at(2027, 2, 23))
    watch(api)
    case = read(api, t["clerk"], watched, "status acceptedOn")
    assert case == {"status": "ACCEPTED", "acceptedOn": "2027-02-03"}


def test_the_correction_period_its_one_extension_and_abandonment(
    api: Api, clock: SettableClock
) -> None:
    """SAMR 15(4): a period set by the notice, extended once; missed ⇒ deemed abandoned.
    SAMR 15(5): the 5 days of Law 32 run again from the completed materials."""
    t = tokens(api)
    filed = [file(api, t, materials=["SQS", "YYZZ"]) for _ in range(2)]
    lapsed, extended = (f["case"]["caseNo"] for f in filed)
    notice = 'missingMaterials: ["CPBZ", "SCSB"], note: "请补正", correctionWorkingDays: 5'
    for case_no in (lapsed, extended):
        act(api, t["clerk"], "requestCorrection", f'caseNo: "{case_no}", {notice}')
    # Notice Mon 28 Sep, 5 working days: 29 (1), 30 (2); 1-7 Oct off; 8 (3), 9 (4),
    # Sat 10 Oct worked (5) ⇒ 2026-10-10.
    assert deadlines(api, t, lapsed)["correctionDue"] == "2026-10-10"
    clock.set(at(2026, 9, 30))
    more = 'extraWorkingDays: 5, reason: "检测报告尚未出具"'
    act(api, t["clerk"], "extendCorrectionPeriod", f'caseNo: "{extended}", {more}')
    again = refused(api, t["clerk"], "extendCorrectionPeriod", f'caseNo: "{extended}", {more}')
    assert again["code"] == "ALREADY_EXTENDED"
    # 10 working days from 28 Sep: 10 Oct (5), 12 (6), 13 (7), 14 (8), 15 (9), 16 (10).
    assert deadlines(api, t, extended)["correctionDue"] == "2026-10-16"
    clock.set(at(2026, 10, 12))
    materials = 'materials: ["CPBZ", "SCSB"]'
    late = refused(api, t["applicant"], "submitCorrection", f'caseNo: "{lapsed}", {materials}')
    assert late["code"] == "DEADLINE_PASSED"
    watch(api)
    assert read(api, t["clerk"], lapsed, "status")["status"] == "ABANDONED"
    public = api.gql(
        f'{{ publicStatus(caseNo: "{lapsed}", queryCode: "{filed[0]["queryCode"]}") {{ status }} }}'
    )
    assert public["data"]["publicStatus"]["status"] == "ABANDONED"
    resubmitted = act(api, t["applicant"], "submitCorrection", f'caseNo: "{extended}", {materials}')
    assert resubmitted["status"] == "SUBMITTED"
    # The completed materials arrived Mon 12 Oct: 13 (1), 14 (2), 15 (3), 16 (4), Mon 19 (5).
    assert deadlines(api, t, extended)["acceptanceDue"] == "2026-10-19"


def test_termination_grounds_and_withdrawal_before_and_after_acceptance(api: Api) -> None:
    """SAMR 30: a case ends by termination on a legal ground — the applicant's own request
    after acceptance among them; before acceptance the application is simply withdrawn."""
    t = tokens(api)
    terminated, after, before = file_gycp(api, t), file_gycp(api, t), file_gycp(api, t)
    for case_no in (terminated, after):
        accept(api, t, case_no)
    args = f'caseNo: "{terminated}", ground: ORGANISATION_TERMINATED, reason: "申请企业已注销"'
    assert act(api, t["approver"], "terminateCase", args)["status"] == "TERMINATED"
    withdraw = 'reason: "企业决定暂不申请"'
    for case_no, status in ((after, "TERMINATED"), (before, "WITHDRAWN")):
        args = f'caseNo: "{case_no}", {withdraw}'
        assert act(api, t["applicant"], "withdrawApplication", args)["status"] == status
    history = read(api, t["approver"], after, "history { type summary }")["history"]
    assert history[-1]["type"] == "CaseTerminated" and "申请人" in history[-1]["summary"]


def test_service_methods_and_what_each_requires(api: Api, clock: SettableClock) -> None:
    """SAMR 62 → 行政处罚程序规定 82-83: electronic service only with consent and a confirmed
    address; leaving it at the address only with the refusal recorded."""
    t = tokens(api)
    plain = file_gycp(api, t)
    consent = {"electronicServiceConsent": True, "electronicServiceAddress": "hq@example.cn"}
    consenting = file_gycp(api, t, form=consent)
    for case_no in (plain, consenting):
        granted_and_certified(api, t, case_no)
    clock.set(at(2026, 9, 29))
    now = at(2026, 9, 29, 9)
    electronic = refused(api, t["approver"], "recordService", service(plain, "ELECTRONIC", now))
    assert (electronic["code"], electronic["field"]) == ("VALIDATION", "method")
    left = refused(api, t["approver"], "recordService", service(plain, "LEFT_AT_ADDRESS", now))
    assert (left["code"], left["field"]) == ("VALIDATION", "reason")
    entrusted = act(api, t["approver"], "recordService", service(plain, "ENTRUSTED", now))
    assert entrusted["status"] == "CLOSED"
    served = act(api, t["approver"], "recordService", service(consenting, "ELECTRONIC", now))
    assert served["status"] == "CLOSED"


def test_every_deadline_explains_itself_day_by_day(api: Api, clock: SettableClock) -> None:
    """v2: each limit from the day after its trigger (SAMR 77), the days skipped and why
    (Law 82: holidays and weekends; Law 45: suspensions), its extension (Law 42)."""
    t = tokens(api)
    filed = file(api, t, itemCode="TZSB-SCXK", materials=TZSB_ALL)
    case_no, code = filed["case"]["caseNo"], filed["queryCode"]
    accept(api, t, case_no)  # Mon 28 Sep
    clock.set(at(2026, 9, 29))
    suspend = 'reason: INSPECTION, expectedWorkingDays: 5, note: "送检"'
    act(api, t["handler"], "suspendClock", f'caseNo: "{case_no}", {suspend}')
    clock.set(at(2026, 10, 9))
    act(api, t["handler"], "resumeClock", f'caseNo: "{case_no}"')
    act(api, t["approver"], "extendDeadline", f'caseNo: "{case_no}", reason: "检验结果复杂"')
    case = read(
        api,
        t["clerk"],
        case_no,
        f"deadlines {{ decisionDue explanations {{ {EXPLANATION_FIELDS} }} }}",
    )
    explained = {e["limit"]: e for e in case["deadlines"]["explanations"]}
    # Law 32: received 28 Sep ⇒ 29 (1), 30 (2), 8 Oct (3), 9 (4), Sat 10 worked (5).
    # Law 42 + 45: accepted 28 Sep, 20 + 10 working days ⇒ 13 Nov (29, 30 Sep; 8, 9, 10,
    # 12-16, 19-23, 26-30 Oct; 2-6, 9-13 Nov); suspended 29 Sep (not counted) to 9 Oct:
    # 30 Sep, 8, 9 Oct = 3 working days ⇒ 16, 17, 18 Nov.
    # 承诺 15 days: 29, 30 Sep; 8, 9, 10, 12-16, 19-23 Oct ⇒ 23 Oct; + 3 ⇒ 26, 27, 28 Oct.
    expected = {
        "ACCEPTANCE": ("2026-09-29", 5, 0, "2026-10-10"),
        "DECISION": ("2026-09-29", 30, 10, "2026-11-18"),
        "COMMITTED": ("2026-09-29", 15, 0, "2026-10-28"),
    }
    assert {
        limit: (e["countsFrom"], e["workingDays"], e["extendedBy"], e["due"])
        for limit, e in explained.items()
    } == expected
    assert case["deadlines"]["decisionDue"] == explained["DECISION"]["due"]
    for e in explained.values():  # every day from countsFrom to due is counted or skipped
        span = days(dt.date.fromisoformat(e["countsFrom"]), dt.date.fromisoformat(e["due"]))
        skipped = [s["date"] for s in e["skipped"]]
        assert set(skipped) <= set(span) and len(span) - len(set(skipped)) == e["workingDays"]
        assert e["provisionalYears"] == []
    decision = {s["date"]: s["reason"] for s in explained["DECISION"]["skipped"]}
    assert all(decision[d] == "国庆节" for d in days(dt.date(2026, 10, 1), dt.date(2026, 10, 7)))
    assert decision["2026-10-11"] == decision["2026-11-14"] == "周末"
    assert "2026-10-10" not in decision  # 调休: Saturday 10 Oct is worked
    suspended = sorted(d for d, why in decision.items() if why.startswith("中止计时"))
    assert suspended == ["2026-09-30", "2026-10-08", "2026-10-09"]
    assert {decision[d] for d in suspended} == {"中止计时：检验"}
    assert explained["DECISION"]["suspensions"] == [
        {"from": "2026-09-29", "to": "2026-10-09", "reason": "INSPECTION", "workingDays": 3}
    ]
    assert explained["DECISION"]["article"] == "《行政许可法》第四十二条"
    assert explained["ACCEPTANCE"]["article"] == "《行政许可法》第三十二条"
    public = api.gql(
        f'{{ publicStatus(caseNo: "{case_no}", queryCode: "{code}") {{ deadlines {{ {EXPLANATION_FIELDS} }} }} }}'
    )
    assert public["data"]["publicStatus"]["deadlines"] == case["deadlines"]["explanations"]


def test_a_hall_entry_backdated_past_its_window_is_deemed_accepted_and_carded(
    api: Api, clock: SettableClock
) -> None:
    """Law 32: the 5 days run from the paper's receipt, not from its entry; entered too late,
    the application is already accepted by law, and supervision hears of it."""
    t = tokens(api)
    # Ten working days before Mon 28 Sep (25-27 Sep 中秋 off, Sun 20 Sep worked): 24 (1),
    # 23 (2), 22 (3), 21 (4), Sun 20 (5), 18 (6), 17 (7), 16 (8), 15 (9), Mon 14 Sep (10).
    received = at(2026, 9, 14)
    body = api.gql(
        FILE, {"input": application(channel="HALL", receivedAt=received.isoformat())}, t["clerk"]
    )
    filed = body["data"]["fileApplication"]
    assert not filed["errors"], filed
    case_no = filed["case"]["caseNo"]
    # Received 14 Sep: 15 (1), 16 (2), 17 (3), 18 (4), Sun 20 worked (5) ⇒ 2026-09-20,
    # passed before the entry on 28 Sep.
    assert filed["case"]["deadlines"]["acceptanceDue"] == "2026-09-20"
    watch(api)
    cards = api.gql(
        "{ supervision { cards(first: 100) { nodes { caseNo cause colour dueOn } } } }",
        token=t["supervisor"],
    )["data"]["supervision"]["cards"]["nodes"]
    late = {"caseNo": case_no, "cause": "LATE_ENTRY", "colour": "YELLOW", "dueOn": "2026-09-20"}
    assert late in cards
    case = read(api, t["clerk"], case_no, "status acceptedOn receivedOn")
    assert case == {"status": "ACCEPTED", "acceptedOn": "2026-09-14", "receivedOn": "2026-09-14"}
    future = api.gql(
        FILE,
        {"input": application(channel="HALL", receivedAt=at(2026, 9, 29).isoformat())},
        t["clerk"],
    )["data"]["fileApplication"]
    assert future["case"] is None
    assert (future["errors"][0]["code"], future["errors"][0]["field"]) == (
        "VALIDATION",
        "receivedAt",
    )
