"""Legal documents over real HTTP, on both engines: ``Case.documents`` / ``Licence.documents``,
``verifyDocument`` (genuine with the recorded hash, not with a flipped byte's), the
authorised download (applicant and staff; 404 for a stranger) and the public ``/verify`` page
— in headless Chromium too, where it is installed."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from typing import Any

import pytest

from tests.api.conftest import Api
from tests.integration.test_licences import granted_licence
from tests.support import ENTERPRISE_CODE, OTHER_ENTERPRISE_CODE, staff
from xuke.application.clock import SettableClock
from xuke.application.document_clerk import DocumentClerk
from xuke.domain.licence import ProceedingKind
from xuke.domain.roles import Role

DOCUMENTS = "documents { kind number title issuedOn sha256 url }"
VERIFY = "query($n: String!, $h: String) { verifyDocument(number: $n, sha256: $h) { genuine kind issuedOn holderName status } }"


def issued(api: Api, clock: SettableClock) -> tuple[str, str]:
    """A granted TZSB licence (its case walked to the certificate) and its proceedings
    opened; the clerk run and the views caught up. Answers (case number, certificate)."""
    app = api.services.app
    certificate = granted_licence(app, clock)
    case_no = app.get_licence(certificate).case_nos[0]
    app.open_proceedings(staff(Role.APPROVER), certificate, ProceedingKind.REVOCATION, "核查")
    assert DocumentClerk(app, api.services.views).run_once().issued
    runner = api.services.runner
    assert runner is not None
    assert runner.wait_for(app.recorder.max_notification_id() or 0, timeout=20)
    return case_no, certificate


def case_documents(api: Api, token: str, case_no: str) -> list[dict[str, Any]]:
    body = api.gql(f'{{ case(caseNo: "{case_no}") {{ {DOCUMENTS} }} }}', token=token)
    assert "errors" not in body, body
    found: list[dict[str, Any]] = body["data"]["case"]["documents"]
    return found


def test_documents_are_listed_verified_and_downloaded_by_who_may(
    api: Api, clock: SettableClock
) -> None:
    case_no, certificate = issued(api, clock)
    holder = api.token("applicant-1", Role.APPLICANT, org=ENTERPRISE_CODE)
    handler = api.token("handler-1", Role.HANDLER)
    stranger = api.token("applicant-9", Role.APPLICANT, org=OTHER_ENTERPRISE_CODE)
    documents = case_documents(api, holder, case_no)
    kinds = [d["kind"] for d in documents]
    assert kinds[0] == "RECEIPT" and "GRANT_DECISION" in kinds and "CERTIFICATE" in kinds
    cert = next(d for d in documents if d["kind"] == "CERTIFICATE")
    assert cert["number"] == certificate and cert["url"] == f"/documents/{certificate}"
    body = api.gql(f'{{ licence(certificateNo: "{certificate}") {{ {DOCUMENTS} }} }}', token=holder)
    notice = body["data"]["licence"]["documents"][0]
    assert notice["kind"] == "PROCEEDINGS_NOTICE" and notice["number"].startswith(certificate)

    # The download: the holder and the case's staff; a stranger and no token are refused.
    for token in (holder, handler):
        response = api.client.get(cert["url"], headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert hashlib.sha256(response.content).hexdigest() == cert["sha256"]
    refused = api.client.get(cert["url"], headers={"Authorization": f"Bearer {stranger}"})
    assert refused.status_code == 404
    assert api.client.get(cert["url"]).status_code == 401
    licence_doc = api.client.get(notice["url"], headers={"Authorization": f"Bearer {holder}"})
    assert licence_doc.status_code == 200
    assert hashlib.sha256(licence_doc.content).hexdigest() == notice["sha256"]

    # verifyDocument, without a login.
    flipped = bytearray(response.content)
    flipped[len(flipped) // 2] ^= 0x01
    genuine = api.gql(VERIFY, {"n": certificate, "h": cert["sha256"]})["data"]["verifyDocument"]
    assert genuine == {
        "genuine": True, "kind": "CERTIFICATE", "issuedOn": cert["issuedOn"],
        "holderName": "深圳市华强电器有限公司", "status": "VALID",
    }  # fmt: skip
    forged = hashlib.sha256(bytes(flipped)).hexdigest()
    assert not api.gql(VERIFY, {"n": certificate, "h": forged})["data"]["verifyDocument"]["genuine"]
    unknown = api.gql(VERIFY, {"n": "XK440000-NOPE-1"})["data"]["verifyDocument"]
    assert unknown == dict.fromkeys(("genuine", "kind", "issuedOn", "holderName", "status")) | {
        "genuine": False
    }
    existence = api.gql(VERIFY, {"n": notice["number"]})["data"]["verifyDocument"]
    assert existence["genuine"] and existence["kind"] == "PROCEEDINGS_NOTICE"

    # The public page, the certificate's QR target.
    page = api.client.get(f"/verify/{certificate}")
    assert page.status_code == 200
    assert "真实有效" in page.text and "许可证状态" in page.text and "有效" in page.text
    assert ENTERPRISE_CODE not in page.text
    checked = api.client.get(f"/verify/{certificate}", params={"sha256": forged})
    assert "不一致" in checked.text
    assert api.client.get("/verify/XK440000-NOPE-1").status_code == 404


def test_the_verify_page_is_rate_limited(api: Api) -> None:
    answers = [api.client.get("/verify/NOPE-1").status_code for _ in range(25)]
    assert answers[:20] == [404] * 20 and answers[-1] == 429


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_the_verify_page_in_a_real_browser(api: Api, clock: SettableClock) -> None:
    _, certificate = issued(api, clock)
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [
                "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--dump-dom", f"{api.url}/verify/{certificate}",
            ],
            check=True, capture_output=True, text=True, timeout=60,
        ).stdout  # fmt: skip
    assert "行政许可文书核验" in dom and "真实有效" in dom and certificate in dom
    assert "该许可证目前有效" in dom
