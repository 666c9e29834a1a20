"""The GraphQL service over real HTTP, driven by the roles' tokens, on both backends."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.api.conftest import Api
from tests.support import ENTERPRISE_CODE, GYCP_ALL, OTHER_ENTERPRISE_CODE, at
from xuke.application.clock import SettableClock
from xuke.domain.roles import Role
from xuke.supervision.denied_access import DeniedAccessLog

FILE = """mutation File($input: FileApplicationInput!, $key: String) {
  fileApplication(input: $input, idempotencyKey: $key) {
    queryCode errors { code message field }
    case { caseNo status stage version applicant { name creditCode } deadlines { acceptanceDue light } }
  }
}"""
CASE_FIELDS = "case { caseNo status stage version opinions { stage opinion comment fields } deadlines { decisionDue extended light provisional } } errors { code message field }"


def application(**overrides: Any) -> dict[str, Any]:
    return {
        "itemCode": "GYCP-SCXK",
        "jurisdictionCode": "440305",
        "materials": GYCP_ALL,
        "applicant": {"kind": "ENTERPRISE", "name": "深圳市华强电器有限公司", "creditCode": ENTERPRISE_CODE,
                      "contactPhone": "13800138000", "address": "深圳市南山区"},
        **overrides,
    }  # fmt: skip


def mutate(
    api: Api, token: str, name: str, args: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    declared = "(" + ", ".join(f"${k}: JSON" for k in variables) + ")" if variables else ""
    body = api.gql(
        f"mutation {declared} {{ {name}({args}) {{ {CASE_FIELDS} }} }}", variables, token
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][name]
    return payload


def tokens(api: Api) -> dict[str, str]:
    return {
        "applicant": api.token("ent-1", Role.APPLICANT, org=ENTERPRISE_CODE, jurisdiction="440305"),
        "stranger": api.token(
            "ent-2", Role.APPLICANT, org=OTHER_ENTERPRISE_CODE, jurisdiction="440305"
        ),
        "clerk": api.token("clerk-1", Role.CLERK),
        "handler": api.token("handler-1", Role.HANDLER),
        "reviewer": api.token("reviewer-1", Role.REVIEWER),
        "approver": api.token("approver-1", Role.APPROVER),
        "supervisor": api.token("sup-1", Role.SUPERVISOR),
        "auditor": api.token("aud-1", Role.AUDITOR),
        "sz-clerk": api.token("sz-clerk", Role.CLERK, org="440300"),
    }


def file(api: Api, t: dict[str, str], key: str | None = None, **overrides: Any) -> dict[str, Any]:
    body = api.gql(FILE, {"input": application(**overrides), "key": key}, t["applicant"])
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["fileApplication"]
    return payload


def test_a_full_lifecycle_driven_by_the_roles_tokens(api: Api, clock: SettableClock) -> None:
    t = tokens(api)
    filed = file(api, t, materials=["SQS", "YYZZ"])
    case_no = filed["case"]["caseNo"]
    assert filed["queryCode"] and filed["case"]["status"] == "SUBMITTED" and not filed["errors"]
    clock.set(at(2026, 9, 29))
    assert (
        mutate(
            api,
            t["clerk"],
            "requestCorrection",
            f'caseNo: "{case_no}", missingMaterials: ["CPBZ", "SCSB"], note: "请补正"',
        )["case"]["status"]
        == "AWAITING_CORRECTION"
    )
    mutate(
        api, t["applicant"], "submitCorrection", f'caseNo: "{case_no}", materials: ["CPBZ", "SCSB"]'
    )
    assert (
        mutate(api, t["clerk"], "acceptApplication", f'caseNo: "{case_no}"')["case"]["stage"]
        == "HANDLING"
    )
    mutate(api, t["handler"], "claimTask", f'taskId: "{case_no}#4"')
    mutate(
        api,
        t["handler"],
        "suspendClock",
        f'caseNo: "{case_no}", reason: TESTING, expectedWorkingDays: 5, note: "送检"',
    )
    mutate(api, t["handler"], "resumeClock", f'caseNo: "{case_no}"')
    opinion = mutate(
        api,
        t["handler"],
        "recordOpinion",
        f'caseNo: "{case_no}", opinion: AGREE, comment: "核查合格", fields: $fields',
        {"fields": {"核查组": "3人"}},
    )
    assert opinion["case"]["opinions"][0]["fields"] == {"核查组": "3人"}
    mutate(
        api, t["reviewer"], "recordOpinion", f'caseNo: "{case_no}", opinion: AGREE, comment: "同意"'
    )
    # Law 42 as the item's rule: the GYCP regulation's 60 days have no extension.
    no_extension = mutate(
        api, t["approver"], "extendDeadline", f'caseNo: "{case_no}", reason: "情况复杂"'
    )
    assert no_extension["errors"][0]["code"] == "INVALID_STATE" and no_extension["case"] is None
    mutate(
        api,
        t["approver"],
        "recordOpinion",
        f'caseNo: "{case_no}", opinion: AGREE, comment: "同意发证"',
    )
    assert (
        mutate(
            api, t["approver"], "decide", f'caseNo: "{case_no}", grant: true, reason: "符合条件"'
        )["case"]["status"]
        == "GRANTED"
    )
    mutate(api, t["approver"], "issueCertificate", f'caseNo: "{case_no}"')
    served = mutate(
        api,
        t["approver"],
        "recordService",
        f'caseNo: "{case_no}", method: MAIL, servedAt: "2026-09-29T09:00:00+08:00"',
    )
    assert served["case"]["status"] == "CLOSED" and served["case"]["stage"] == "DONE"
    # The applicant sees the case, its opinions and history; the history's data is not theirs.
    body = api.gql(
        f'{{ case(caseNo: "{case_no}") {{ certificateNo history {{ type actorRole summary data }} }} }}',
        token=t["applicant"],
    )
    history = body["data"]["case"]["history"]
    assert history[0]["type"] == "ApplicationFiled" and all(e["data"] is None for e in history)
    assert body["data"]["case"]["certificateNo"] == "XK440000-GYCP-2026-000001"
    # Read-your-writes: the applicant's status page already shows it.
    status = api.gql(
        f'{{ publicStatus(caseNo: "{case_no}", queryCode: "{filed["queryCode"]}") {{ status steps {{ status note }} }} }}'
    )
    assert status["data"]["publicStatus"]["status"] == "CLOSED"
    # The register (公示) follows moments later: no mutation waits for it.
    assert api.services.runner is not None
    api.services.runner.wait_for(api.services.app.recorder.max_notification_id() or 0, 5)
    register = api.gql(
        '{ licenseRegister(search: "华强") { totalCount edges { node { certificateNo holderName } } } }'
    )
    assert register["data"]["licenseRegister"]["totalCount"] == 1


def test_each_business_failure_is_a_typed_error_in_the_payload(
    api: Api, clock: SettableClock
) -> None:
    t = tokens(api)
    bad = api.gql(
        FILE,
        {
            "input": application(
                applicant={**application()["applicant"], "creditCode": "914403001922038217"}
            )
        },
        t["applicant"],
    )
    assert bad["data"]["fileApplication"]["errors"][0] == {
        "code": "VALIDATION",
        "message": bad["data"]["fileApplication"]["errors"][0]["message"],
        "field": "applicant.creditCode",
    }
    case_no = file(api, t, materials=["SQS", "YYZZ"])["case"]["caseNo"]
    missing = mutate(api, t["clerk"], "acceptApplication", 'caseNo: "440000-2026-GYCP-999999"')
    assert missing["errors"][0]["code"] == "NOT_FOUND" and missing["case"] is None
    clock.set(at(2026, 10, 12))  # after the acceptance window
    late = mutate(
        api,
        t["clerk"],
        "requestCorrection",
        f'caseNo: "{case_no}", missingMaterials: ["CPBZ", "SCSB"], note: "补正"',
    )
    assert late["errors"][0]["code"] == "DEADLINE_PASSED"
    mutate(api, t["clerk"], "acceptApplication", f'caseNo: "{case_no}"')
    tzsb = file(api, t, itemCode="TZSB-SCXK", materials=["SQB", "YYZZ", "ZLBZ", "JSRY"])
    tzsb_no = tzsb["case"]["caseNo"]
    mutate(api, t["clerk"], "acceptApplication", f'caseNo: "{tzsb_no}"')
    mutate(api, t["approver"], "extendDeadline", f'caseNo: "{tzsb_no}", reason: "复杂"')
    again = mutate(api, t["approver"], "extendDeadline", f'caseNo: "{tzsb_no}", reason: "再延"')
    assert again["errors"][0]["code"] == "ALREADY_EXTENDED"
    wrong_stage = mutate(
        api, t["approver"], "decide", f'caseNo: "{case_no}", grant: false, reason: "不符合"'
    )
    assert wrong_stage["errors"][0]["code"] == "INVALID_STATE"


def test_idempotency_keys_replay_and_refuse_reuse(api: Api) -> None:
    t = tokens(api)
    first = file(api, t, key="k-1")
    again = file(api, t, key="k-1")
    assert (
        again["case"]["caseNo"] == first["case"]["caseNo"]
        and again["queryCode"] == first["queryCode"]
    )
    position = api.services.app.recorder.max_notification_id()
    reused = api.gql(FILE, {"input": application(materials=["SQS"]), "key": "k-1"}, t["applicant"])
    assert reused["data"]["fileApplication"]["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert api.services.app.recorder.max_notification_id() == position


def test_concurrent_mutations_on_one_case_give_one_conflict_at_most_per_version(api: Api) -> None:
    t = tokens(api)
    case_no = file(api, t)["case"]["caseNo"]
    clerks = [api.token(f"clerk-{n}", Role.CLERK) for n in range(6)]

    def accept(token: str) -> str:
        payload = mutate(api, token, "acceptApplication", f'caseNo: "{case_no}"')
        return payload["errors"][0]["code"] if payload["errors"] else "OK"

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(accept, clerks))
    assert outcomes.count("OK") == 1 and set(outcomes) <= {"OK", "CONFLICT", "INVALID_STATE"}


def test_authentication_and_authorization_are_top_level_errors(api: Api) -> None:
    t = tokens(api)
    case_no = file(api, t)["case"]["caseNo"]
    anonymous = api.gql(
        f'mutation {{ acceptApplication(caseNo: "{case_no}") {{ errors {{ code }} }} }}'
    )
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    forged = api.gql("{ me { userId } }", token="not.a.token")
    assert forged["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for who in ("handler", "supervisor"):  # they see the case: refused
        body = api.gql(
            f'mutation {{ acceptApplication(caseNo: "{case_no}") {{ errors {{ code }} }} }}',
            token=t[who],
        )
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", who
    for who in ("sz-clerk", "stranger"):  # they do not: no such case, as for a free number
        body = api.gql(
            f'mutation {{ acceptApplication(caseNo: "{case_no}") {{ errors {{ code }} }} }}',
            token=t[who],
        )
        free = api.gql(
            'mutation { acceptApplication(caseNo: "440000-2026-GYCP-999999") { errors { code } } }',
            token=t[who],
        )
        assert body["data"]["acceptApplication"]["errors"][0]["code"] == "NOT_FOUND", who
        assert free["data"] == body["data"], who
    assert (
        api.gql("{ supervision { warnings { totalCount } } }", token=t["handler"])["errors"][0][
            "extensions"
        ]["code"]
        == "FORBIDDEN"
    )


def test_nothing_leaks_through_case_inbox_or_history(api: Api) -> None:
    t = tokens(api)
    case_no = file(api, t)["case"]["caseNo"]
    for who in ("stranger", "sz-clerk"):
        assert (
            api.gql(f'{{ case(caseNo: "{case_no}") {{ caseNo }} }}', token=t[who])["data"]["case"]
            is None
        )
        inbox = api.gql("{ inbox(box: TODO) { totalCount } }", token=t[who])["data"]["inbox"]
        assert inbox["totalCount"] == 0
    history = api.gql(f'{{ caseHistory(caseNo: "{case_no}") {{ caseNo }} }}', token=t["clerk"])
    assert history["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    audited = api.gql(
        f'{{ caseHistory(caseNo: "{case_no}", asOfVersion: 1) {{ asOfVersion state {{ status }} events {{ type data }} }} }}',
        token=t["auditor"],
    )
    assert audited["data"]["caseHistory"]["events"][0]["data"]["case_no"] == case_no


def test_inboxes_per_role(api: Api) -> None:
    t = tokens(api)
    case_no = file(api, t)["case"]["caseNo"]
    query = "{ inbox(box: %s, first: 50) { totalCount edges { node { id caseNo stage candidateGroup light decisionDue case { status } } } } }"
    clerk_todo = api.gql(query % "TODO", token=t["clerk"])["data"]["inbox"]
    assert [e["node"]["caseNo"] for e in clerk_todo["edges"]] == [case_no]
    assert clerk_todo["edges"][0]["node"]["candidateGroup"] == "440000:CLERK"
    assert api.gql(query % "NEW", token=t["applicant"])["data"]["inbox"]["totalCount"] == 1
    mutate(api, t["clerk"], "acceptApplication", f'caseNo: "{case_no}"')
    assert api.gql(query % "DONE", token=t["clerk"])["data"]["inbox"]["totalCount"] == 1
    handler = api.gql(query % "TODO", token=t["handler"])["data"]["inbox"]
    assert (
        handler["edges"][0]["node"]["stage"] == "HANDLING"
        and handler["edges"][0]["node"]["case"]["status"] == "ACCEPTED"
    )


def test_bad_input_never_gives_a_500(api: Api) -> None:
    assert (
        api.client.post(
            "/graphql", content=b"{not json", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )
    deep = "{ me { " + "roles " * 1 + "} }"
    assert api.client.post("/graphql", json={"query": deep}).status_code == 200
    nested = "{ inbox(box: TODO) { edges { node { case { history { summary } opinions { comment } item { requiredMaterials { code } } } } } } }"
    assert api.client.post("/graphql", json={"query": nested}).status_code == 200
    assert (
        api.client.post(
            "/graphql", content=b"x" * 2_000_000, headers={"content-type": "application/json"}
        ).status_code
        == 413
    )
    chunked = (b" " * 100_000 for _ in range(20))  # no Content-Length: capped as it is read
    assert (
        api.client.post(
            "/graphql", content=chunked, headers={"content-type": "application/json"}
        ).status_code
        == 413
    )
    body = api.gql(
        '{ inbox(box: TODO, after: "garbage") { totalCount } }', token=tokens(api)["clerk"]
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_every_forbidden_attempt_is_recorded_for_supervision(api: Api) -> None:
    t = tokens(api)
    case_no = file(api, t)["case"]["caseNo"]
    api.gql(
        f'mutation {{ acceptApplication(caseNo: "{case_no}") {{ errors {{ code }} }} }}',
        token=t["sz-clerk"],
    )
    api.gql("{ supervision { warnings { totalCount } } }", token=t["handler"])
    refusals = DeniedAccessLog(api.services.views).recent("44")
    assert [(r["user_id"], r["case_no"]) for r in refusals] == [
        ("handler-1", None),
        ("sz-clerk", case_no),
    ]
