"""Law 43 over real HTTP on both engines: the province reviews first, the nation decides."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api
from tests.api.test_graphql import file, mutate, tokens
from tests.support import at
from xuke.application.clock import SettableClock
from xuke.domain.roles import Role

REVIEW = """query($no: String!) { case(caseNo: $no) {
  stage kind preliminaryReview { reviewingOrgCode due opinion comment forwardedOn }
  deadlines { decisionDue explanations { limit due } } } }"""


def read(api: Api, token: str, case_no: str) -> dict[str, Any]:
    body = api.gql(REVIEW, {"no": case_no}, token)
    assert "errors" not in body, body
    case: dict[str, Any] = body["data"]["case"]
    return case


def test_the_lower_authority_reviews_and_forwards_the_whole_file(
    api: Api, clock: SettableClock
) -> None:
    t = tokens(api)
    nation = api.token("nation-handler", Role.HANDLER, org="000000")
    case_no = file(api, t, itemCode="TZJY-JGHZ", materials=["SQB", "FRZG", "ZLTX", "JYRY"])["case"][
        "caseNo"
    ]
    clock.set(at(2026, 9, 29))
    accepted = mutate(api, t["clerk"], "acceptApplication", f'caseNo: "{case_no}"')
    assert accepted["case"]["stage"] == "PRELIMINARY_REVIEW"
    case = read(api, t["handler"], case_no)
    # 20 working days after the province's acceptance on Tue 29 Sep 2026 (National Day
    # 1-7 Oct off, Sat 10 Oct worked): Mon 2 Nov.
    assert case["preliminaryReview"] == {
        "reviewingOrgCode": "440000", "due": "2026-11-02", "opinion": None, "comment": None,
        "forwardedOn": None,
    }  # fmt: skip
    assert case["deadlines"]["decisionDue"] is None
    assert {"limit": "PRELIMINARY_REVIEW", "due": "2026-11-02"} in case["deadlines"]["explanations"]
    clock.set(at(2026, 10, 20))
    wrong = api.gql(
        f'mutation {{ forwardForDecision(caseNo: "{case_no}", opinion: AGREE, comment: "同意") '
        "{ errors { code } } }",
        token=api.token("sz-handler", Role.HANDLER, org="440300"),
    )
    # a city below the reviewing province does not even see the national case
    assert wrong["data"]["forwardForDecision"]["errors"][0]["code"] == "NOT_FOUND"
    sent = mutate(
        api, t["handler"], "forwardForDecision",
        f'caseNo: "{case_no}", opinion: AGREE, comment: "初审合格"',
    )  # fmt: skip
    assert sent["case"]["stage"] == "HANDLING" and not sent["errors"]
    case = read(api, nation, case_no)
    assert case["preliminaryReview"]["forwardedOn"] == "2026-10-20"
    assert case["preliminaryReview"]["opinion"] == "AGREE"
    # Law 42 from the nation's receipt of the file on Tue 20 Oct: Tue 17 Nov.
    assert case["deadlines"]["decisionDue"] == "2026-11-17"
    again = mutate(
        api, api.token("nation-clerk", Role.CLERK, org="000000"), "requestCorrection",
        f'caseNo: "{case_no}", missingMaterials: ["SQB"], note: "请补正"',
    )  # fmt: skip
    assert again["errors"][0]["code"] == "INVALID_STATE"  # no second request for materials
