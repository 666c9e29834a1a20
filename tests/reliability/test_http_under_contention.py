"""Over HTTP, on both engines: many clients racing on one case (one winner per version,
nothing lost, no 5xx), and retries after dropped responses (no duplicate events). Reduced size
here; XUKE_RELIABILITY_CLIENTS=100 for the full run."""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.api.conftest import Api
from tests.api.test_graphql import FILE, application, file, tokens
from xuke.domain.roles import Role

CLIENTS = int(os.environ.get("XUKE_RELIABILITY_CLIENTS", "24"))
OPINION = 'mutation($key: String) { recordOpinion(caseNo: "%s", opinion: AGREE, comment: "意见", idempotencyKey: $key) { case { version } errors { code } } }'


def test_many_clients_racing_on_one_case(api: Api) -> None:
    t = tokens(api)
    case_no = file(api, t)["case"]["caseNo"]
    for who, mutation in (
        ("clerk", "acceptApplication"),
        ("handler", "recordOpinion"),
        ("reviewer", "recordOpinion"),
    ):
        extra = ', opinion: AGREE, comment: "同意"' if mutation == "recordOpinion" else ""
        api.gql(
            f'mutation {{ {mutation}(caseNo: "{case_no}"{extra}) {{ errors {{ code }} }} }}',
            token=t[who],
        )
    approvers = [api.token(f"approver-{n}", Role.APPROVER) for n in range(CLIENTS)]

    def race(n: int) -> tuple[int, str]:
        with httpx.Client(base_url=api.url, timeout=60) as client:
            response = client.post(
                "/graphql",
                json={"query": OPINION % case_no, "variables": {"key": f"race-{n}"}},
                headers={"Authorization": f"Bearer {approvers[n]}"},
            )
        errors = (
            response.json()["data"]["recordOpinion"]["errors"]
            if response.status_code == 200
            else []
        )
        return response.status_code, errors[0]["code"] if errors else "OK"

    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = list(pool.map(race, range(CLIENTS)))
    assert all(status == 200 for status, _ in outcomes)  # no 5xx
    winners = sum(1 for _, result in outcomes if result == "OK")
    assert winners >= 1 and {r for _, r in outcomes} <= {"OK", "CONFLICT"}
    case = api.services.app.get_case(case_no)
    history = api.services.app.history(case)
    assert [e.originator_version for e in history] == list(
        range(1, case.version + 1)
    )  # nothing lost or doubled
    assert case.version == 4 + winners


def test_retries_after_dropped_responses_store_nothing_twice(api: Api) -> None:
    t = tokens(api)
    before = api.services.app.recorder.max_notification_id() or 0
    request = {"query": FILE, "variables": {"input": application(), "key": "dropped-1"}}
    headers = {"Authorization": f"Bearer {t['applicant']}"}
    with (
        httpx.Client(base_url=api.url, timeout=0.005) as impatient,
        contextlib.suppress(httpx.TimeoutException),
    ):
        impatient.post("/graphql", json=request, headers=headers)  # the answer is lost on the way
    answers = [
        api.client.post("/graphql", json=request, headers=headers).json() for _ in range(3)
    ]  # retries
    numbers = {a["data"]["fileApplication"]["case"]["caseNo"] for a in answers}
    assert len(numbers) == 1 and all(not a["data"]["fileApplication"]["errors"] for a in answers)
    stored = (api.services.app.recorder.max_notification_id() or 0) - before
    assert stored == 4  # case filed, sequence started and numbered, idempotency record: once
