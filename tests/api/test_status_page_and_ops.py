"""The public status page (form, JSON, rate limit, a real browser) and the ops endpoints."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from tests.api.conftest import Api
from tests.support import PERSON_ID, applicant, gycp_filing, person
from xuke.domain.roles import Role

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def file_as_person(api: Api) -> tuple[str, str]:
    result = api.services.app.file_application(
        applicant(PERSON_ID),
        item_code="JLQJ-XSPZ", applicant=person(), jurisdiction_code="440106", materials=["SQS", "JSWJ", "YJ"],
    )  # fmt: skip
    assert api.services.runner is not None and api.services.runner.wait_for(
        result.notification_id or 0, 5
    )
    return result.case.case_no, result.query_code or ""


def test_the_json_answer_hides_personal_data_and_is_the_same_for_wrong_codes(api: Api) -> None:
    case_no, code = file_as_person(api)
    ok = api.client.get(f"/status/{case_no}", headers={"X-Query-Code": code})
    assert ok.status_code == 200
    body = ok.json()
    assert body["applicant_name"] == "张**" and body["status"] == "SUBMITTED"
    assert PERSON_ID not in ok.text and "13900139000" not in ok.text and "张三丰" not in ok.text
    wrong = api.client.get(f"/status/{case_no}", params={"code": "WRONGCODE1"})
    unknown = api.client.get("/status/440000-2026-JLQJ-999999", params={"code": code})
    assert wrong.status_code == unknown.status_code == 404 and wrong.json() == unknown.json()
    assert api.client.get(f"/status/{case_no}").status_code == 400


def test_the_form_answers_in_chinese(api: Api) -> None:
    case_no, code = file_as_person(api)
    assert "行政许可办事进度查询" in api.client.get("/status").text
    answer = api.client.post("/status", data={"case_no": case_no, "query_code": code})
    assert answer.status_code == 200 and "已申请，待受理" in answer.text and "张**" in answer.text
    refused = api.client.post("/status", data={"case_no": case_no, "query_code": "nope"})
    assert refused.status_code == 404 and "查询码不正确" in refused.text


def test_too_many_lookups_get_429(api: Api) -> None:
    statuses = {api.client.get("/status/x", params={"code": "y"}).status_code for _ in range(25)}
    assert statuses == {404, 429}


def test_health_readiness_and_metrics(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["ready"]
    api.gql("{ licenseItems { code } }")
    metrics = api.client.get("/metrics").text
    assert (
        "xuke_http_requests_total" in metrics
        and 'xuke_projection_lag{projection="inbox"}' in metrics
    )
    assert (
        api.client.get("/healthz", headers={"x-request-id": "abc"}).headers["x-request-id"] == "abc"
    )


def test_an_inbox_page_costs_the_same_number_of_queries_whatever_its_size(api: Api) -> None:
    token = api.token("clerk-x", Role.CLERK)
    for _ in range(12):
        api.services.app.file_application(applicant(), **gycp_filing())
    assert api.services.runner is not None
    api.services.runner.wait_for(api.services.app.recorder.max_notification_id() or 0, 5)
    calls: list[int] = []
    original = api.services.views.transaction

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        name = threading.current_thread().name  # the request's, not the projections' own
        if not name.startswith(("projection-", "read-ahead-")):
            calls.append(1)
        return original(*args, **kwargs)

    api.services.views.transaction = counting  # type: ignore[method-assign]
    query = "{ inbox(box: TODO, first: %d) { edges { node { caseNo case { status deadlines { light } } } } } }"
    costs = []
    for size in (2, 12):
        calls.clear()
        body = api.gql(query % size, token=token)
        assert len(body["data"]["inbox"]["edges"]) == size
        costs.append(len(calls))
    api.services.views.transaction = original  # type: ignore[method-assign]
    assert costs[0] == costs[1] <= 5  # rows, counts, and one batch of cases


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_the_status_page_in_a_real_browser(api: Api) -> None:
    case_no, code = file_as_person(api)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "status-page.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--window-size=1000,900", f"--screenshot={shot}",
                f"{api.url}/status?caseNo={case_no}&code={code}",
            ],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        dom = subprocess.run(
            [
                "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--dump-dom", f"{api.url}/status?caseNo={case_no}&code={code}",
            ],
            check=True, capture_output=True, text=True, timeout=60,
        ).stdout  # fmt: skip
    assert shot.stat().st_size > 10_000
    assert "办理进度" in dom and "张**" in dom and PERSON_ID not in dom


def test_the_public_pages_carry_security_headers(api: Api) -> None:
    """No scripts, no framing, no sniffing, no referrer on the pages the public opens."""
    for path in ("/status", "/verify/XK440000-GYCP-2026-999999"):
        page = api.client.get(path)
        assert page.headers["content-type"].startswith("text/html"), path
        csp = page.headers["content-security-policy"]
        assert "script-src" not in csp and "default-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "no-referrer"


def test_a_client_request_id_is_kept_only_if_short_and_plain(api: Api) -> None:
    plain = api.client.get("/healthz", headers={"X-Request-ID": "abc-123.x_y"})
    assert plain.headers["x-request-id"] == "abc-123.x_y"
    for bad in ("a" * 65, "evil\tvalue", "a/b;c=d", "caf\u00e9"):
        answer = api.client.get("/healthz", headers={"X-Request-ID": bad.encode("latin-1")})
        assert answer.headers["x-request-id"] != bad and len(answer.headers["x-request-id"]) == 32
