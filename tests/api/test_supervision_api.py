"""监察 over GraphQL: orders, complaints, cards, the denied-access log and compliance."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api
from tests.api.test_graphql import file, tokens
from tests.api.test_legal_rules_api import accept, act, decide, file_tzsb, read, to_approval
from tests.api.test_licences_api import file_for
from tests.support import at
from xuke.application.clock import SettableClock
from xuke.domain.roles import Role
from xuke.supervision.watcher import DeadlineWatcher


def test_orders_complaints_cards_and_compliance_over_http(api: Api, clock: SettableClock) -> None:
    t = tokens(api)
    filed = file(api, t)
    case_no, code = filed["case"]["caseNo"], filed["queryCode"]
    order = api.gql(
        f'mutation {{ issueSupervisionOrder(caseNo: "{case_no}", instruction: "请尽快受理", respondBy: "2026-10-09") '
        "{ order { id status unit } errors { code } } }",
        token=t["supervisor"],
    )["data"]["issueSupervisionOrder"]["order"]
    assert order["status"] == "OPEN" and order["unit"] == "440000"
    answered = api.gql(
        f'mutation {{ answerSupervisionOrder(orderId: "{order["id"]}", report: "已受理") {{ order {{ status report }} }} }}',
        token=t["clerk"],
    )["data"]["answerSupervisionOrder"]["order"]
    assert answered == {"status": "ANSWERED", "report": "已受理"}
    # Anyone with the query code may complain, without logging in; a wrong code is NOT_FOUND.
    complaint = api.gql(
        f'mutation {{ fileComplaint(caseNo: "{case_no}", text: "办理进度太慢了", queryCode: "{code}") '
        "{ complaint { id status channel } errors { code } } }"
    )["data"]["fileComplaint"]
    assert complaint["complaint"]["channel"] == "PUBLIC"
    wrong = api.gql(
        f'mutation {{ fileComplaint(caseNo: "{case_no}", text: "猜查询码", queryCode: "X") {{ errors {{ code }} }} }}'
    )
    assert wrong["data"]["fileComplaint"]["errors"][0]["code"] == "NOT_FOUND"
    complaint_id = complaint["complaint"]["id"]
    api.gql(
        f'mutation {{ answerComplaint(complaintId: "{complaint_id}", reply: "已督促办理") {{ errors {{ code }} }} }}',
        token=t["supervisor"],
    )
    public = api.gql(
        f'{{ publicStatus(caseNo: "{case_no}", queryCode: "{code}") {{ complaints {{ status reply }} }} }}'
    )
    assert public["data"]["publicStatus"]["complaints"] == [
        {"status": "ANSWERED", "reply": "已督促办理"}
    ]
    # A card from the watcher, and the refusals so far, are the supervisors' to see.
    clock.set(at(2026, 10, 12))
    assert api.services.runner is not None
    api.services.runner.wait_for(api.services.app.recorder.max_notification_id() or 0, 5)
    DeadlineWatcher(api.services.app, api.services.views).run_once()
    api.services.runner.wait_for(api.services.app.recorder.max_notification_id() or 0, 5)
    api.gql(
        f'mutation {{ acceptApplication(caseNo: "{case_no}") {{ errors {{ code }} }} }}',
        token=t["sz-clerk"],
    )
    view = api.gql(
        "{ supervision { cards { totalCount nodes { colour cause caseNo } } orders { totalCount } "
        'complaints(status: "ANSWERED") { totalCount } deniedAccess { userId action } '
        'compliance(from: "2026-01-01", to: "2026-12-31", groupBy: ITEM) { key yellowCards redCards } } }',
        token=t["supervisor"],
    )["data"]["supervision"]
    assert view["cards"]["nodes"][0]["cause"] == "STAGE_HELD_TOO_LONG"
    unit = api.gql("{ unitCards { totalCount nodes { cause } } }", token=t["clerk"])["data"][
        "unitCards"
    ]
    assert unit["totalCount"] == 1
    assert view["orders"]["totalCount"] == 1 and view["complaints"]["totalCount"] == 1
    assert view["deniedAccess"][0]["userId"] == "sz-clerk"
    negative = api.gql(
        "{ supervision { deniedAccess(first: -1) { userId } } }", token=t["supervisor"]
    )
    assert negative["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # not LIMIT -1
    assert {"key": "GYCP-SCXK", "yellowCards": 1, "redCards": 0} in view["compliance"]
    refused = api.gql(
        f'mutation {{ issueSupervisionOrder(caseNo: "{case_no}", instruction: "x", respondBy: "2026-12-01") {{ errors {{ code }} }} }}',
        token=api.token("h", Role.HANDLER),
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_the_audit_trail_over_http_counts_and_pages_the_whole_chain(api: Api) -> None:
    t = tokens(api)
    case_nos = [file(api, t)["case"]["caseNo"] for _ in range(3)]
    assert api.services.runner is not None
    api.services.runner.wait_for(api.services.app.recorder.max_notification_id() or 0, 5)
    query = (
        "query($no: String, $after: String) { supervision { auditTrail(caseNo: $no, first: 2, "
        "after: $after) { totalCount pageInfo { endCursor hasNextPage } edges { node { position caseNo } } } } }"
    )
    stored = api.services.views.count("audit_trail", "1 = 1")
    positions, after = [], None
    while True:
        trail = api.gql(query, {"after": after}, t["auditor"])["data"]["supervision"]["auditTrail"]
        assert trail["totalCount"] == stored  # the chain's length, without counting its rows
        positions += [e["node"]["position"] for e in trail["edges"]]
        if not trail["pageInfo"]["hasNextPage"]:
            break
        after = trail["pageInfo"]["endCursor"]
    assert positions == list(range(1, stored + 1))
    one = api.gql(query, {"no": case_nos[1]}, t["auditor"])["data"]["supervision"]["auditTrail"]
    assert one["totalCount"] == 1 and one["edges"][0]["node"]["caseNo"] == case_nos[1]


def caught_up(api: Api) -> None:
    assert api.services.runner is not None
    reached = api.services.app.recorder.max_notification_id() or 0
    assert api.services.runner.wait_for(reached, 10)


def test_compliance_over_http_counts_renewals_decided_and_deemed(
    api: Api, clock: SettableClock
) -> None:
    """Law 50. Two TZSB-SCXK licences filed and decided Mon 2026-09-28, certified Mon
    2026-10-12: valid to Fri 2030-10-11. Both renewals are filed Thu 2030-08-01; one is
    decided Tue 2030-08-20 (granted in August, certified the same day), the other is left
    undecided and deemed granted by the watcher on Sat 2030-10-12, validTo + 1 (October)."""
    t = tokens(api)
    clock.set(at(2026, 9, 28))
    cases = [file_tzsb(api, t) for _ in range(2)]
    for case_no in cases:
        to_approval(api, t, case_no)
        decide(api, t, case_no, grant=True)
    clock.set(at(2026, 10, 12))
    numbers = []
    for case_no in cases:
        act(api, t["approver"], "issueCertificate", f'caseNo: "{case_no}"')
        numbers.append(read(api, t["approver"], case_no, "certificateNo")["certificateNo"])
    clock.set(at(2030, 8, 1))
    renewals = []
    for number in numbers:
        filed = file_for(api, t, number)["data"]["fileApplication"]
        assert not filed["errors"], filed
        renewals.append(filed["case"]["caseNo"])
    accept(api, t, renewals[1])  # and left undecided
    clock.set(at(2030, 8, 20))
    to_approval(api, t, renewals[0])
    decide(api, t, renewals[0], grant=True)
    act(api, t["approver"], "issueCertificate", f'caseNo: "{renewals[0]}"')
    clock.set(at(2030, 10, 12))
    caught_up(api)
    report = DeadlineWatcher(api.services.app, api.services.views).run_once()
    assert report.deemed_renewed == [numbers[1]]
    caught_up(api)

    def by(group: str, fields: str = "key closed renewalsGranted renewalsDeemed") -> list[Any]:
        query = (
            "query($g: ComplianceGroup!) { supervision { "
            f'compliance(from: "2030-08-01", to: "2030-10-31", groupBy: $g) {{ {fields} }} }} }}'
        )
        body = api.gql(query, {"g": group}, t["supervisor"])
        assert "errors" not in body, body
        rows: list[Any] = body["data"]["supervision"]["compliance"]
        return rows

    assert by("DEPARTMENT") == [
        {"key": "440000", "closed": 0, "renewalsGranted": 1, "renewalsDeemed": 1}
    ]
    assert by("ITEM") == [
        {"key": "TZSB-SCXK", "closed": 0, "renewalsGranted": 1, "renewalsDeemed": 1}
    ]
    # Per month: the renewals where they fell; beside them the groups of cases open and
    # overdue on Sat 2030-10-12, by due month — the two grants never served (due within
    # October 2026), the undecided renewal (due Thu 2030-08-29), the decided one never served
    # (10 working days after Tue 2030-08-20: Aug 21-23 (3), 26-30 (8), Sep 2-3 (10): Tue
    # 2030-09-03).
    monthly = by("MONTH", "key overdueOpen renewalsGranted renewalsDeemed")
    assert [
        (r["key"], r["overdueOpen"], r["renewalsGranted"], r["renewalsDeemed"]) for r in monthly
    ] == [
        ("2026-10", 2, 0, 0),
        ("2030-08", 1, 1, 0),
        ("2030-09", 1, 0, 0),
        ("2030-10", 0, 0, 1),
    ]
