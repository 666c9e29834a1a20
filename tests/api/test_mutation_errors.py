"""Each mutation's happy path and each of its error codes, over HTTP (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api
from tests.api.test_graphql import application, file, mutate, tokens
from tests.support import at
from xuke.application.clock import SettableClock


def code(payload: dict[str, Any]) -> str:
    return payload["errors"][0]["code"] if payload["errors"] else "OK"


def test_every_mutation_answers_with_its_codes(api: Api, clock: SettableClock) -> None:
    t = tokens(api)
    partial = file(api, t, materials=["SQS", "YYZZ"])["case"]["caseNo"]
    complete = file(api, t)["case"]["caseNo"]
    call = lambda who, name, args: code(mutate(api, t[who], name, args))  # noqa: E731

    # 受理 stage
    assert (
        call(
            "clerk", "requestCorrection", f'caseNo: "{partial}", missingMaterials: [], note: "补正"'
        )
        == "VALIDATION"
    )
    assert (
        call(
            "clerk",
            "requestCorrection",
            f'caseNo: "{partial}", missingMaterials: ["CPBZ"], note: "补正"',
        )
        == "VALIDATION"
    )
    assert (
        call(
            "clerk",
            "requestCorrection",
            f'caseNo: "{partial}", missingMaterials: ["CPBZ", "SCSB"], note: "补正"',
        )
        == "OK"
    )
    assert (
        call(
            "clerk",
            "requestCorrection",
            f'caseNo: "{partial}", missingMaterials: ["ZLGL"], note: "再补"',
        )
        == "INVALID_STATE"
    )
    assert (
        call("applicant", "submitCorrection", f'caseNo: "{partial}", materials: ["CPBZ"]')
        == "VALIDATION"
    )
    assert (
        call("applicant", "submitCorrection", f'caseNo: "{partial}", materials: ["CPBZ", "SCSB"]')
        == "OK"
    )
    assert call("clerk", "rejectApplication", f'caseNo: "{partial}", reason: " "') == "VALIDATION"
    assert (
        call("clerk", "rejectApplication", f'caseNo: "{partial}", reason: "不属于本机关职权"')
        == "OK"
    )
    assert call("clerk", "acceptApplication", f'caseNo: "{partial}"') == "INVALID_STATE"
    assert call("clerk", "acceptApplication", f'caseNo: "{complete}"') == "OK"
    # 承办 → 审核 → 审批
    assert call("handler", "claimTask", f'taskId: "{complete}#9"') == "INVALID_STATE"
    assert call("handler", "claimTask", 'taskId: "no-such-task"') == "NOT_FOUND"
    assert call("handler", "claimTask", f'taskId: "{complete}#2"') == "OK"
    assert call("handler", "claimTask", f'taskId: "{complete}#2"') == "INVALID_STATE"
    assert (
        call("handler", "recordOpinion", f'caseNo: "{complete}", opinion: RETURN, comment: "退回"')
        == "INVALID_STATE"
    )
    assert (
        call("handler", "recordOpinion", f'caseNo: "{complete}", opinion: AGREE, comment: ""')
        == "VALIDATION"
    )
    assert (
        call(
            "handler",
            "suspendClock",
            f'caseNo: "{complete}", reason: HEARING, expectedWorkingDays: 0, note: "听证"',
        )
        == "VALIDATION"
    )
    assert call("handler", "resumeClock", f'caseNo: "{complete}"') == "INVALID_STATE"
    assert (
        call("handler", "recordOpinion", f'caseNo: "{complete}", opinion: AGREE, comment: "同意"')
        == "OK"
    )
    assert (
        call("reviewer", "recordOpinion", f'caseNo: "{complete}", opinion: AGREE, comment: "同意"')
        == "OK"
    )
    # GYCP's regulation allows no extension (Law 42: 法律、法规另有规定的，依照其规定).
    assert (
        call("approver", "extendDeadline", f'caseNo: "{complete}", reason: "复杂"')
        == "INVALID_STATE"
    )
    assert call("approver", "issueCertificate", f'caseNo: "{complete}"') == "INVALID_STATE"
    assert (
        call("approver", "decide", f'caseNo: "{complete}", grant: false, reason: ""')
        == "VALIDATION"
    )
    assert call("approver", "decide", f'caseNo: "{complete}", grant: true, reason: "符合"') == "OK"
    assert (
        call("applicant", "withdrawApplication", f'caseNo: "{complete}", reason: "不要了"')
        == "INVALID_STATE"
    )
    assert (
        call(
            "approver",
            "recordService",
            f'caseNo: "{complete}", method: MAIL, servedAt: "2026-09-28T10:00:00+08:00"',
        )
        == "INVALID_STATE"
    )
    assert call("approver", "issueCertificate", f'caseNo: "{complete}"') == "OK"
    assert (
        call(
            "approver",
            "recordService",
            f'caseNo: "{complete}", method: MAIL, servedAt: "2030-01-01T10:00:00+08:00"',
        )
        == "VALIDATION"
    )
    assert (
        call(
            "approver",
            "recordService",
            f'caseNo: "{complete}", method: DIRECT, servedAt: "2026-09-28T08:00:00+08:00"',
        )
        == "OK"
    )
    # Withdrawal and termination before a decision.
    other = file(api, t)["case"]["caseNo"]
    assert (
        call("applicant", "withdrawApplication", f'caseNo: "{other}", reason: ""') == "VALIDATION"
    )
    assert (
        call("applicant", "withdrawApplication", f'caseNo: "{other}", reason: "企业转产"') == "OK"
    )
    last = file(api, t)["case"]["caseNo"]
    clock.set(at(2026, 9, 29))
    assert (
        call(
            "approver",
            "terminateCase",
            f'caseNo: "{last}", ground: ORGANISATION_TERMINATED, reason: "申请人已注销"',
        )
        == "OK"
    )


def test_a_nul_character_in_any_argument_is_bad_input(api: Api) -> None:
    """PostgreSQL text cannot hold U+0000 (schemathesis found it in a case number)."""
    t = tokens(api)
    status = api.gql(
        'query($no: String!) { publicStatus(caseNo: $no, queryCode: "") { decision } }',
        {"no": "\x00"},
    )
    assert status["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    written = api.gql('{ publicStatus(caseNo: "XK\\u0000", queryCode: "") { decision } }')
    assert written["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # in the query text
    filed = api.gql(
        "mutation($input: FileApplicationInput!) { fileApplication(input: $input) { errors { code } } }",
        {"input": application(applicant={**application()["applicant"], "name": "华强\x00电器"})},
        t["applicant"],
    )
    assert filed["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # the seeds only (calendar, catalogue, organisations): nothing stored
    assert api.services.app.recorder.max_notification_id() == 3
    page = api.client.get("/status/%00", headers={"X-Query-Code": "ABCD2345"})
    assert page.status_code == 404  # the status page: no such case, not a fault


def test_a_lone_surrogate_in_any_argument_is_bad_input(api: Api) -> None:
    """ "\\ud800" is no Unicode scalar value: no store can encode it. It used to reach a store
    and answer a masked 500; it is bad input wherever it stands (a variable, the query text,
    a cursor, an idempotency key) and nothing is stored."""
    t = tokens(api)

    def post(query: str, variables: str = "{}", token: str | None = None) -> dict[str, Any]:
        body = f'{{"query": {query}, "variables": {variables}}}'  # raw JSON: "\\ud800" as sent
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = api.client.post("/graphql", content=body.encode(), headers=headers)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    cases = [
        ('"query($no: String!) { publicStatus(caseNo: $no, queryCode: \\"\\") { decision } }"',
         '{"no": "440000-2026-GYCP-00000\\ud800"}', None),
        ('"query($c: String) { licenseRegister(after: $c) { totalCount } }"',
         '{"c": "\\udc00"}', None),
        ('"mutation($k: String) { acceptApplication(caseNo: \\"440000-2026-GYCP-000001\\", '
         'idempotencyKey: $k) { errors { code } } }"', '{"k": "key-\\ud800"}', t["clerk"]),
    ]  # fmt: skip
    for query, variables, token in cases:
        answer = post(query, variables, token)
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", answer
    # Written in the query text itself, graphql-core refuses the escape as a syntax error.
    written = post('"{ publicStatus(caseNo: \\"XK\\\\ud800\\", queryCode: \\"\\") { decision } }"')
    assert "Invalid Unicode escape" in written["errors"][0]["message"]
    assert api.services.app.recorder.max_notification_id() == 3  # the seeds only
