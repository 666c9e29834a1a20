"""What front-ends still missed (issue 17, "Front-ends"), over real HTTP on SQLite and
PostgreSQL: an applicant's own applications, the staff case search, the applicant's contact
details for the case's own staff (each read recorded), releasing, reassigning and delegating
tasks, and opinions shown to applicants without the internals.

Dates: the clock starts Mon 28 Sep 2026 09:00 (+08:00). GYCP-SCXK filed from 440305 is decided
by the province (440000). Its acceptance window is 5 working days (Law 32): after 28 Sep come
Tue 29, Wed 30 Sep, the National Day holiday (1-7 Oct), the make-up working day Sat 10 Oct
being the 5th: Thu 8 (3), Fri 9 (4), Sat 10 (5) — so by Tue 20 Oct a case received on 28 Sep
and never accepted is RED, and one received on 20 Oct is GREEN (5 working days left).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Api
from tests.api.test_graphql import application, tokens
from tests.api.test_legal_rules_api import accept, act, caught_up, read, refused
from tests.support import ENTERPRISE_CODE, OTHER_ENTERPRISE_CODE, at
from xuke.application.clock import SettableClock
from xuke.domain.roles import Role
from xuke.settings import Settings

FILE = """mutation($input: FileApplicationInput!) { fileApplication(input: $input) {
  case { caseNo } errors { code message field } } }"""
SUMMARY = (
    "caseNo itemCode itemName applicantName jurisdictionCode status stage receivedOn dueOn light"
)
CONNECTION = (
    f"edges {{ cursor node {{ {SUMMARY} }} }} pageInfo {{ hasNextPage endCursor }} totalCount"
)


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Applicants may see one key of the stages' own fields (XUKE_APPLICANT_OPINION_FIELDS)."""
    return Settings(
        database_url=database_url, secret_key="test-secret", demo=False,
        applicant_opinion_fields=["整改要求"],
    )  # fmt: skip


def file_as(api: Api, token: str, **overrides: Any) -> dict[str, Any]:
    body = api.gql(FILE, {"input": application(**overrides)}, token)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["fileApplication"]
    return payload


def filed(api: Api, token: str, **overrides: Any) -> str:
    payload = file_as(api, token, **overrides)
    assert not payload["errors"], payload
    case_no: str = payload["case"]["caseNo"]
    return case_no


def code_of(body: dict[str, Any]) -> str:
    assert body.get("errors"), body
    code: str = body["errors"][0]["extensions"]["code"]
    return code


def my_applications(api: Api, token: str, args: str = "") -> dict[str, Any]:
    body = api.gql(f"{{ myApplications{args} {{ {CONNECTION} }} }}", token=token)
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["myApplications"]
    return found


def search(api: Api, token: str, args: str, variables: dict[str, Any] | None = None) -> Any:
    declared = "($f: CaseSearchInput)" if "$f" in args else ""
    call = f"searchCases({args})" if args else "searchCases"
    return api.gql(f"query{declared} {{ {call} {{ {CONNECTION} }} }}", variables, token)


def found_nos(api: Api, token: str, args: str, f: dict[str, Any] | None = None) -> list[str]:
    body = search(api, token, args, {"f": f} if f is not None else None)
    assert "errors" not in body, body
    return [e["node"]["caseNo"] for e in body["data"]["searchCases"]["edges"]]


# ---------------------------------------------------------------- 1. myApplications


def test_my_applications_are_the_whole_enterprises_cases_and_no_one_elses(
    api: Api, clock: SettableClock
) -> None:
    t = tokens(api)
    colleague = api.token("ent-1b", Role.APPLICANT, org=ENTERPRISE_CODE, jurisdiction="440305")
    first = filed(api, t["applicant"])
    clock.set(at(2026, 9, 29))
    second = filed(api, colleague)  # another user of the same enterprise
    theirs = filed(
        api, t["stranger"],
        applicant={"kind": "ENTERPRISE", "name": "福州某某食品有限公司", "creditCode": OTHER_ENTERPRISE_CODE,
                   "contactPhone": "0591-87654321", "address": "福州市鼓楼区"},
    )  # fmt: skip

    mine = my_applications(api, t["applicant"])
    assert [e["node"]["caseNo"] for e in mine["edges"]] == [second, first]  # the newest first
    assert mine["totalCount"] == 2 and not mine["pageInfo"]["hasNextPage"]
    node = mine["edges"][0]["node"]
    assert node["status"] == "SUBMITTED" and node["stage"] == "ACCEPTANCE"
    assert node["light"] == "GREEN" and node["itemCode"] == "GYCP-SCXK"
    assert node["applicantName"] == "深圳市华强电器有限公司" and node["receivedOn"] == "2026-09-29"
    # the colleague sees the same two; the other enterprise only its own
    assert my_applications(api, colleague)["totalCount"] == 2
    assert [e["node"]["caseNo"] for e in my_applications(api, t["stranger"])["edges"]] == [theirs]

    # paging: one at a time, by the cursor
    page = my_applications(api, t["applicant"], "(first: 1)")
    assert page["pageInfo"]["hasNextPage"] and page["edges"][0]["node"]["caseNo"] == second
    cursor = page["pageInfo"]["endCursor"]
    rest = my_applications(api, t["applicant"], f'(first: 1, after: "{cursor}")')
    assert [e["node"]["caseNo"] for e in rest["edges"]] == [first]
    assert not rest["pageInfo"]["hasNextPage"]
    # by status
    act(api, t["clerk"], "acceptApplication", f'caseNo: "{first}"')
    accepted = my_applications(api, t["applicant"], "(status: [ACCEPTED])")
    assert [e["node"]["caseNo"] for e in accepted["edges"]] == [first]

    # staff have no applications of their own; bad paging is the caller's error, in Chinese
    body = api.gql(f"{{ myApplications {{ {CONNECTION} }} }}", token=t["clerk"])
    assert code_of(body) == "FORBIDDEN" and "申请人" in body["errors"][0]["message"]
    body = api.gql('{ myApplications(after: "bm90IGEgY3Vyc29y") { totalCount } }', token=colleague)
    assert code_of(body) == "BAD_USER_INPUT" and "游标" in body["errors"][0]["message"]
    body = api.gql('{ myApplications(after: "W3siYSI6MX0sMl0=") { totalCount } }', token=colleague)
    assert code_of(body) == "BAD_USER_INPUT"  # a cursor of the right length, not of ours
    body = api.gql("{ myApplications(first: 0) { totalCount } }", token=colleague)
    assert code_of(body) == "BAD_USER_INPUT" and "1 到 100" in body["errors"][0]["message"]
    assert code_of(api.gql("{ myApplications { totalCount } }")) == "UNAUTHENTICATED"


# ---------------------------------------------------------------- 2. searchCases


def test_staff_search_filters_sorts_and_stays_in_the_callers_jurisdiction(
    api: Api, clock: SettableClock
) -> None:
    t = tokens(api)
    old = filed(api, t["applicant"])  # 28 Sep, never accepted: RED by 20 Oct
    national = filed(  # a national item: decided in Beijing (000000), outside the province
        api, t["stranger"], itemCode="RZJG-ZZSP", materials=["FRZG", "RZGZ", "RZRY", "SQS"],
        applicant={"kind": "ENTERPRISE", "name": "福州某某食品有限公司", "creditCode": OTHER_ENTERPRISE_CODE,
                   "contactPhone": "0591-87654321", "address": "福州市鼓楼区"},
    )  # fmt: skip
    clock.set(at(2026, 10, 20))
    new = filed(
        api, t["stranger"],
        applicant={"kind": "ENTERPRISE", "name": "广州100%_实业有限公司", "creditCode": OTHER_ENTERPRISE_CODE,
                   "contactPhone": "020-83330000", "address": "广州市天河区"},
    )  # fmt: skip
    accepted = filed(api, t["applicant"])
    act(api, t["clerk"], "acceptApplication", f'caseNo: "{accepted}"')

    clerk, nation = t["clerk"], api.token("sup-cn", Role.SUPERVISOR, org="000000")
    # the province sees its three, not the nation's; the nation sees all four; a city none
    assert sorted(found_nos(api, clerk, "first: 50")) == sorted([old, new, accepted])
    assert sorted(found_nos(api, nation, "first: 50")) == sorted([old, new, accepted, national])
    assert found_nos(api, api.token("gz", Role.HANDLER, org="440100"), "") == []

    # sorted by due date (the default) or received date, either way
    by_due = found_nos(api, clerk, "")
    assert by_due[0] == old  # its acceptance window closed on 10 Oct
    assert found_nos(api, clerk, "sort: RECEIVED_DESC")[0] in (new, accepted)
    assert found_nos(api, clerk, "sort: RECEIVED_ASC")[0] == old

    # each filter
    assert found_nos(api, clerk, "filter: $f", {"caseNo": new}) == [new]
    assert sorted(found_nos(api, clerk, "filter: $f", {"applicantName": "华强"})) == sorted(
        [old, accepted]
    )
    assert found_nos(api, clerk, "filter: $f", {"applicantName": "100%_"}) == [new]
    assert found_nos(api, clerk, "filter: $f", {"applicantName": "%"}) == [new]  # only itself
    assert found_nos(api, clerk, "filter: $f", {"applicantName": "_"}) == [new]
    assert found_nos(api, clerk, "filter: $f", {"applicantCode": OTHER_ENTERPRISE_CODE}) == [new]
    assert found_nos(api, clerk, "filter: $f", {"itemCode": "TZSB-SCXK"}) == []
    assert found_nos(api, clerk, "filter: $f", {"status": ["ACCEPTED"]}) == [accepted]
    assert found_nos(api, clerk, "filter: $f", {"stage": ["HANDLING"]}) == [accepted]
    assert found_nos(api, clerk, "filter: $f", {"light": ["RED"]}) == [old]
    assert sorted(found_nos(api, clerk, "filter: $f", {"light": ["GREEN", "YELLOW"]})) == sorted(
        [new, accepted]
    )
    window = {"receivedFrom": "2026-10-01", "receivedTo": "2026-10-31"}
    assert sorted(found_nos(api, clerk, "filter: $f", window)) == sorted([new, accepted])
    assert found_nos(api, clerk, "filter: $f", {"dueTo": "2026-10-19"}) == [old]
    both = {"applicantName": "华强", "status": ["SUBMITTED"], "light": ["RED"]}
    assert found_nos(api, clerk, "filter: $f", both) == [old]

    # the light the row shows is the case's own
    body = search(api, clerk, "filter: $f", {"f": {"caseNo": old}})
    node = body["data"]["searchCases"]["edges"][0]["node"]
    assert node["light"] == read(api, clerk, old, "deadlines { light }")["deadlines"]["light"]
    assert node["light"] == "RED" and node["dueOn"] == "2026-10-10"

    # paging by cursor, in due order, with the total
    one = search(api, clerk, "first: 2")["data"]["searchCases"]
    assert one["totalCount"] == 3 and one["pageInfo"]["hasNextPage"]
    after = one["pageInfo"]["endCursor"]
    two = search(api, clerk, f'first: 2, after: "{after}"')["data"]["searchCases"]
    paged = [e["node"]["caseNo"] for e in one["edges"] + two["edges"]]
    assert paged == by_due and not two["pageInfo"]["hasNextPage"]

    # refusals, typed and in Chinese
    body = search(api, t["applicant"], "")
    assert code_of(body) == "FORBIDDEN" and "工作人员" in body["errors"][0]["message"]
    body = search(api, clerk, "filter: $f", {"f": {"dueFrom": "2026-11-01", "dueTo": "2026-10-01"}})
    assert code_of(body) == "BAD_USER_INPUT" and "不能晚于" in body["errors"][0]["message"]
    body = search(api, clerk, "filter: $f", {"f": {"applicantName": "名" * 101}})
    assert code_of(body) == "BAD_USER_INPUT" and "100" in body["errors"][0]["message"]
    assert code_of(search(api, clerk, "first: 101")) == "BAD_USER_INPUT"


def test_the_lower_authority_finds_the_cases_it_reviews_first(
    api: Api, clock: SettableClock
) -> None:
    """Law 43: TZJY-JGHZ is decided by the nation (000000) after the province (440000) has
    accepted and reviewed it first; the province works it then and may read it afterwards
    (``can_view``), so its search finds it — once, in order, with its own filters."""
    t = tokens(api)
    own = filed(api, t["applicant"])  # GYCP-SCXK, the province's own: received 28 Sep
    clock.set(at(2026, 9, 29))
    upper = filed(
        api, t["applicant"], itemCode="TZJY-JGHZ", materials=["SQB", "FRZG", "ZLTX", "JYRY"]
    )
    clerk, nation = t["clerk"], api.token("sup-cn", Role.SUPERVISOR, org="000000")
    city = api.token("sz-handler", Role.HANDLER, org="440300")

    assert sorted(found_nos(api, clerk, "first: 50")) == sorted([own, upper])
    assert sorted(found_nos(api, nation, "first: 50")) == sorted([own, upper])  # once each
    assert found_nos(api, city, "") == []  # below the reviewing province: not its case
    node = search(api, clerk, "filter: $f", {"f": {"caseNo": upper}})["data"]["searchCases"]
    assert node["edges"][0]["node"]["jurisdictionCode"] == "000000"

    # the two walks merged in order, paged by the cursor, counted together
    assert found_nos(api, clerk, "sort: RECEIVED_DESC") == [upper, own]
    one = search(api, clerk, "first: 1, sort: RECEIVED_ASC")["data"]["searchCases"]
    assert [e["node"]["caseNo"] for e in one["edges"]] == [own]
    assert one["pageInfo"]["hasNextPage"] and one["totalCount"] == 2
    after = one["pageInfo"]["endCursor"]
    two = search(api, clerk, f'first: 1, sort: RECEIVED_ASC, after: "{after}"')
    assert [e["node"]["caseNo"] for e in two["data"]["searchCases"]["edges"]] == [upper]
    assert not two["data"]["searchCases"]["pageInfo"]["hasNextPage"]

    # the filters hold for it too, through its stages at the province and after
    assert found_nos(api, clerk, "filter: $f", {"itemCode": "TZJY-JGHZ"}) == [upper]
    act(api, clerk, "acceptApplication", f'caseNo: "{upper}"')
    assert found_nos(api, clerk, "filter: $f", {"stage": ["PRELIMINARY_REVIEW"]}) == [upper]
    act(api, t["handler"], "forwardForDecision",
        f'caseNo: "{upper}", opinion: AGREE, comment: "初审合格"')  # fmt: skip
    assert found_nos(api, clerk, "filter: $f", {"stage": ["HANDLING"]}) == [upper]
    assert found_nos(
        api, clerk, "filter: $f", {"applicantName": "华强", "status": ["SUBMITTED"]}
    ) == [own]


# ---------------------------------------------------------------- 3. contact details


CONTACT = "query($n: String!, $p: String!) { applicantContact(caseNo: $n, purpose: $p) { caseNo name contactPhone address } }"


def contact(api: Api, token: str, case_no: str, purpose: str = "电话通知补正") -> dict[str, Any]:
    return api.gql(CONTACT, {"n": case_no, "p": purpose}, token)


def test_the_cases_own_staff_read_the_full_contact_and_every_read_is_recorded(api: Api) -> None:
    t = tokens(api)
    case_no = filed(api, t["applicant"])

    body = contact(api, t["clerk"], case_no)
    assert "errors" not in body, body
    assert body["data"]["applicantContact"] == {
        "caseNo": case_no, "name": "深圳市华强电器有限公司", "contactPhone": "13800138000",
        "address": "深圳市南山区",
    }  # fmt: skip
    # elsewhere, still masked
    masked = read(api, t["clerk"], case_no, "applicant { contactPhoneMasked }")
    assert masked["applicant"]["contactPhoneMasked"] == "138****8000"

    # covering levels, oversight roles and the applicant are refused; outsiders see nothing
    national = api.token("cn-clerk", Role.CLERK, org="000000")
    for token in (national, t["supervisor"], t["auditor"], t["applicant"], t["sz-clerk"]):
        body = contact(api, token, case_no)
        if token == t["sz-clerk"]:  # Shenzhen does not even see a provincial case
            assert body["data"]["applicantContact"] is None, body
        else:
            assert code_of(body) == "FORBIDDEN", body
            assert "本案主管机关" in body["errors"][0]["message"]
    assert contact(api, t["stranger"], case_no)["data"]["applicantContact"] is None
    body = contact(api, t["clerk"], case_no, purpose="  ")
    assert code_of(body) == "VALIDATION" and "用途" in body["errors"][0]["message"]

    # the one read shown is in the audit trail, with who and why
    caught_up(api)
    trail = api.gql(
        'query($n: String) { supervision { auditTrail(caseNo: $n) { edges { node { eventType actorId } } } } }',
        {"n": case_no}, t["auditor"],
    )  # fmt: skip
    entries = [e["node"] for e in trail["data"]["supervision"]["auditTrail"]["edges"]]
    assert [e for e in entries if e["eventType"] == "ContactDisclosed"] == [
        {"eventType": "ContactDisclosed", "actorId": "clerk-1"}
    ]


def test_phone_numbers_are_validated_on_filing(api: Api) -> None:
    t = tokens(api)
    for phone in ("13800138000", "19912345678", "010-12345678", "0571-1234567", "0571-1234567-801"):
        base = application()["applicant"]
        assert not file_as(api, t["applicant"], applicant={**base, "contactPhone": phone})["errors"]
    for phone in ("12345678901", "1380013800", "010 12345678", "10-12345678", "0571-123456",
                  "0571-1234567-1234567", "电话", "+86 138 0013 8000"):  # fmt: skip
        base = application()["applicant"]
        payload = file_as(api, t["applicant"], applicant={**base, "contactPhone": phone})
        assert payload["case"] is None, phone
        error = payload["errors"][0]
        assert error["code"] == "VALIDATION" and error["field"] == "applicant.contactPhone"
        assert "联系电话格式不正确" in error["message"]


# ---------------------------------------------------------------- 4. tasks


def test_a_claimed_task_is_released_and_the_stage_lead_reassigns_it(api: Api) -> None:
    t = tokens(api)
    case_no = filed(api, t["applicant"])
    accept(api, t, case_no)
    task = f"{case_no}#2"  # HANDLING, the case's second stage visit
    other = api.token("handler-2", Role.HANDLER)
    lead = api.token("lead-1", Role.LEAD, Role.HANDLER)
    opinion = f'caseNo: "{case_no}", opinion: AGREE, comment: "同意"'

    act(api, t["handler"], "claimTask", f'taskId: "{task}"')
    assert (
        code_of(
            api.gql(f"mutation {{ recordOpinion({opinion}) {{ case {{ stage }} }} }}", token=other)
        )
        == "FORBIDDEN"
    )
    # only the holder releases
    body = api.gql(
        f'mutation {{ releaseTask(taskId: "{task}") {{ case {{ caseNo }} }} }}', token=other
    )
    assert code_of(body) == "FORBIDDEN" and "签收人" in body["errors"][0]["message"]
    act(api, t["handler"], "releaseTask", f'taskId: "{task}"')
    todo = api.gql("{ inbox(box: TODO) { edges { node { id assignee } } } }", token=other)
    assert {"id": task, "assignee": None} in [e["node"] for e in todo["data"]["inbox"]["edges"]]
    error = refused(api, t["handler"], "releaseTask", f'taskId: "{task}"')
    assert error["code"] == "INVALID_STATE" and "尚未签收" in error["message"]

    # the other handler claims it; the lead gives it back to the first, with a reason
    act(api, other, "claimTask", f'taskId: "{task}"')
    reassign = f'taskId: "{task}", assignee: "handler-1", reason: "承办人熟悉该企业"'
    for token in (t["handler"], api.token("lead-r", Role.LEAD, Role.REVIEWER),
                  api.token("lead-cn", Role.LEAD, Role.HANDLER, org="000000")):  # fmt: skip
        body = api.gql(
            f"mutation {{ reassignTask({reassign}) {{ case {{ caseNo }} }} }}", token=token
        )
        assert code_of(body) == "FORBIDDEN", body
    # a lead of an authority that does not even see the case is told it does not exist
    sz_lead = api.token("lead-sz", Role.LEAD, Role.HANDLER, org="440300")
    assert refused(api, sz_lead, "reassignTask", reassign)["code"] == "NOT_FOUND"
    error = refused(
        api, lead, "reassignTask", f'taskId: "{task}", assignee: "handler-1", reason: " "'
    )
    assert error["code"] == "VALIDATION" and error["field"] == "reason"
    error = refused(
        api, lead, "reassignTask", f'taskId: "{task}", assignee: "handler-2", reason: "x"'
    )
    assert error["code"] == "INVALID_STATE"
    act(api, lead, "reassignTask", reassign)
    mine = api.gql("{ inbox(box: TODO) { edges { node { id assignee } } } }", token=t["handler"])
    assert {"id": task, "assignee": "handler-1"} in [
        e["node"] for e in mine["data"]["inbox"]["edges"]
    ]
    assert (
        code_of(
            api.gql(f"mutation {{ recordOpinion({opinion}) {{ case {{ stage }} }} }}", token=other)
        )
        == "FORBIDDEN"
    )
    assert act(api, t["handler"], "recordOpinion", opinion)["stage"] == "REVIEW"
    history = read(api, t["auditor"], case_no, "history { type summary actorId }")["history"]
    assert {"type": "TaskReassigned", "summary": "任务 #2 改派给 handler-1: 承办人熟悉该企业",
            "actorId": "lead-1"} in history  # fmt: skip
    assert any(e["type"] == "TaskReleased" and e["actorId"] == "handler-1" for e in history)


DELEGATE = "mutation($d: String!, $f: Date!, $u: Date!, $r: String!) { delegateTasks(delegate: $d, from: $f, until: $u, reason: $r) { delegation { delegator delegate from until reason endedOn } errors { code message field } } }"


def delegate(api: Api, token: str, to: str, start: str, until: str, reason: str = "出差") -> Any:
    body = api.gql(DELEGATE, {"d": to, "f": start, "u": until, "r": reason}, token)
    assert "errors" not in body, body
    return body["data"]["delegateTasks"]


def test_a_delegate_works_the_tasks_the_delegator_holds_for_the_period(
    api: Api, clock: SettableClock
) -> None:
    t = tokens(api)
    first, second = filed(api, t["applicant"]), filed(api, t["applicant"])
    for case_no in (first, second):
        accept(api, t, case_no)
        act(api, t["handler"], "claimTask", f'taskId: "{case_no}#2"')
    deputy = api.token("handler-2", Role.HANDLER)
    opinion = 'caseNo: "{}", opinion: AGREE, comment: "同意"'
    mutation = "mutation {{ recordOpinion({}) {{ case {{ stage }} }} }}"
    assert code_of(api.gql(mutation.format(opinion.format(first)), token=deputy)) == "FORBIDDEN"

    # wrong periods and people are refused, typed and in Chinese
    for to, start, until, field in (
        ("handler-2", "2026-10-09", "2026-10-01", "until"),
        ("handler-2", "2026-09-01", "2026-09-27", "until"),  # over before today (28 Sep)
        ("handler-2", "2026-09-28", "2027-01-31", "until"),  # more than 92 days
        ("handler-1", "2026-09-28", "2026-10-09", "delegate"),  # oneself
    ):
        errors = delegate(api, t["handler"], to, start, until)["errors"]
        assert errors and errors[0]["code"] == "VALIDATION" and errors[0]["field"] == field, errors
    body = api.gql(
        DELEGATE, {"d": "x", "f": "2026-09-28", "u": "2026-09-30", "r": "r"}, t["applicant"]
    )
    assert code_of(body) == "FORBIDDEN"

    granted = delegate(api, t["handler"], "handler-2", "2026-09-28", "2026-10-09")
    assert granted == {"delegation": {"delegator": "handler-1", "delegate": "handler-2",
        "from": "2026-09-28", "until": "2026-10-09", "reason": "出差", "endedOn": None}, "errors": []}  # fmt: skip
    # the delegator's tasks show in the deputy's 待办, and the deputy works them
    todo = api.gql(
        "{ inbox(box: TODO) { totalCount edges { node { id assignee } } } }", token=deputy
    )
    ids = [
        e["node"]["id"]
        for e in todo["data"]["inbox"]["edges"]
        if e["node"]["assignee"] == "handler-1"
    ]
    assert sorted(ids) == sorted([f"{first}#2", f"{second}#2"])
    assert act(api, deputy, "recordOpinion", opinion.format(first))["stage"] == "REVIEW"
    # the same user id at another authority gets nothing by the delegation
    assert code_of(api.gql(mutation.format(opinion.format(second)),
                           token=api.token("handler-2", Role.HANDLER, org="000000"))) == "FORBIDDEN"  # fmt: skip

    # back early: the delegation ends today and the deputy's hands are off
    clock.set(at(2026, 9, 29))
    ended = api.gql(
        'mutation { endDelegation(delegate: "handler-2") { delegation { endedOn } errors { code } } }',
        token=t["handler"],
    )
    assert ended["data"]["endDelegation"] == {"delegation": {"endedOn": "2026-09-29"}, "errors": []}
    assert code_of(api.gql(mutation.format(opinion.format(second)), token=deputy)) == "FORBIDDEN"
    todo = api.gql("{ inbox(box: TODO) { edges { node { assignee } } } }", token=deputy)
    assert all(e["node"]["assignee"] != "handler-1" for e in todo["data"]["inbox"]["edges"])


# ---------------------------------------------------------------- 5. opinions for applicants


def test_applicants_see_stage_opinion_and_comment_but_not_the_internals(api: Api) -> None:
    t = tokens(api)
    case_no = filed(api, t["applicant"])
    accept(api, t, case_no)
    act(api, t["handler"], "claimTask", f'taskId: "{case_no}#2"')
    body = api.gql(
        'mutation($f: JSON) { recordOpinion(caseNo: "' + case_no + '", opinion: AGREE, '
        'comment: "材料齐全", fields: $f) { errors { code } } }',
        {"f": {"整改要求": "补充出厂检验报告", "内部评分": 85, "现场核查人": "handler-9"}},
        t["handler"],
    )
    assert body["data"]["recordOpinion"]["errors"] == [], body
    fields = "opinions { stage opinion comment fields actorId at } history { type actorId summary }"

    seen = read(api, t["applicant"], case_no, fields)
    (opinion,) = seen["opinions"]
    assert opinion["stage"] == "HANDLING" and opinion["opinion"] == "AGREE"
    assert opinion["comment"] == "材料齐全" and opinion["at"]
    assert opinion["fields"] == {"整改要求": "补充出厂检验报告"}  # the configured list only
    assert opinion["actorId"] == "工作人员"
    staff_ids = {"clerk-1", "handler-1"}
    assert not [e for e in seen["history"] if e["actorId"] in staff_ids]
    assert not [e for e in seen["history"] if any(u in e["summary"] for u in staff_ids)]
    assert {"type": "TaskClaimed", "actorId": "工作人员", "summary": "签收"} in seen["history"]
    assert any(e["actorId"] == "ent-1" for e in seen["history"])  # their own filing
    new_box = api.gql("{ inbox(box: NEW) { edges { node { assignee } } } }", token=t["applicant"])
    assert all(e["node"]["assignee"] is None for e in new_box["data"]["inbox"]["edges"])

    # staff see everything
    full = read(api, t["reviewer"], case_no, fields)
    assert full["opinions"][0]["actorId"] == "handler-1"
    assert full["opinions"][0]["fields"] == {
        "整改要求": "补充出厂检验报告", "内部评分": 85, "现场核查人": "handler-9",
    }  # fmt: skip
    assert any(e["actorId"] == "handler-1" for e in full["history"])
