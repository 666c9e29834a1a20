"""Materials as files over real HTTP, on SQLite (files under XUKE_DATA_DIR) and on PostgreSQL
(the blobs table): upload, refusals, attachments on a filing and during a correction,
downloads for the case's people only, and the sweep of uploads no case referred to."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import build_schema

from tests.api.conftest import Api
from tests.api.test_graphql import application, mutate, tokens
from tests.materials_files import JPEG, ofd, pdf, png
from tests.support import at
from xuke.api.graphql.schema import sdl
from xuke.application.clock import SettableClock
from xuke.domain.roles import Role
from xuke.settings import Settings
from xuke.supervision.watcher import DeadlineWatcher

SHARED = Path(__file__).resolve().parents[3] / "shared" / "api"
ATTACHMENT_FIELDS = "materialCode fileName sha256 size contentType uploadedAt url"
FILE = f"""mutation File($input: FileApplicationInput!) {{
  fileApplication(input: $input) {{
    errors {{ code message field }}
    case {{ caseNo status attachments {{ {ATTACHMENT_FIELDS} }} item {{ requiredMaterials {{ code required }} }} }}
  }}
}}"""
ADD = f"""mutation Add($caseNo: String!, $attachments: [AttachmentInput!]!, $key: String) {{
  addAttachments(caseNo: $caseNo, attachments: $attachments, idempotencyKey: $key) {{
    errors {{ code message field }}
    case {{ caseNo status attachments {{ {ATTACHMENT_FIELDS} }} }}
  }}
}}"""


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The files of this test under its own XUKE_DATA_DIR."""
    return Settings(
        database_url=database_url, secret_key="test-secret", demo=False, data_dir=tmp_path / "data"
    )


def upload(
    api: Api,
    token: str | None,
    data: bytes,
    name: str = "材料.pdf",
    declared: str = "application/pdf",
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return api.client.post("/materials", files={"file": (name, data, declared)}, headers=headers)


def uploaded(api: Api, token: str, data: bytes, name: str = "材料.pdf") -> str:
    response = upload(api, token, data, name)
    assert response.status_code == 200, response.text
    sha: str = response.json()["sha256"]
    return sha


def stored_blobs(api: Api) -> int:
    return api.services.views.count("blobs", "1 = 1")


def file_with(api: Api, token: str, attachments: list[dict[str, str]], **overrides: Any) -> Any:
    body = api.gql(FILE, {"input": application(attachments=attachments, **overrides)}, token)
    assert "errors" not in body, body
    return body["data"]["fileApplication"]


def add(api: Api, token: str, case_no: str, attachments: list[dict[str, str]]) -> Any:
    body = api.gql(ADD, {"caseNo": case_no, "attachments": attachments}, token)
    assert "errors" not in body, body
    return body["data"]["addAttachments"]


def attachment(code: str, sha: str, name: str = "材料.pdf") -> dict[str, str]:
    return {"materialCode": code, "sha256": sha, "fileName": name}


# ------------------------------------------------------------------ upload


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (pdf(), "application/pdf"),
        (ofd(), "application/ofd"),
        (JPEG, "image/jpeg"),
        (png(), "image/png"),
    ],
    ids=["pdf", "ofd", "jpeg", "png"],
)
def test_each_accepted_type_is_stored_by_its_hash(
    api: Api, settings: Settings, data: bytes, content_type: str
) -> None:
    t = tokens(api)
    # The name and the declared type say nothing: the bytes decide.
    response = upload(api, t["applicant"], data, name="scan.bin", declared="text/plain")
    assert response.status_code == 200, response.text
    sha = hashlib.sha256(data).hexdigest()
    assert response.json() == {"sha256": sha, "size": len(data), "contentType": content_type}
    assert api.services.app.blobs.get(sha) == data
    # Content-addressed: the same bytes again, even from a clerk, are stored once.
    assert upload(api, t["clerk"], data).json()["sha256"] == sha
    assert stored_blobs(api) == 1
    if settings.is_sqlite:
        assert (settings.data_dir / "blobs" / sha[:2] / sha[2:4] / sha).read_bytes() == data
    else:
        row = api.services.views.fetchone("SELECT data FROM blobs WHERE sha256 = %s", [sha])
        assert row is not None and bytes(row["data"]) == data


def test_bad_uploads_are_refused_in_chinese_and_nothing_is_stored(
    api: Api, settings: Settings
) -> None:
    t = tokens(api)
    refusals: list[tuple[httpx.Response, int]] = [
        (upload(api, t["applicant"], b"just text, renamed", name="营业执照.pdf"), 415),
        (upload(api, t["applicant"], b"PK\x03\x04 a zip that is not one", name="x.ofd"), 415),
        (upload(api, t["applicant"], b""), 400),
        (upload(api, None, pdf()), 401),
        (upload(api, "not-a-token", pdf()), 401),
        (upload(api, t["handler"], pdf()), 403),  # not an applicant nor a clerk
    ]
    auth = {"Authorization": f"Bearer {t['applicant']}"}
    boundary = "xuke-boundary"
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + pdf()
    multipart = {**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    # The body ends before the closing boundary: a cut-off upload.
    refusals.append((api.client.post("/materials", content=part, headers=multipart), 400))
    # Garbage where the multipart should start.
    refusals.append((api.client.post("/materials", content=b"garbage", headers=multipart), 400))
    # Not multipart at all; no file field; two files.
    refusals.append((api.client.post("/materials", json={"file": "x"}, headers=auth), 415))
    refusals.append(
        (
            api.client.post(
                "/materials", data={"other": "x"}, files={"x": ("a", b"")}, headers=auth
            ),
            400,
        )
    )
    two = [("file", ("a.pdf", pdf(), "application/pdf")), ("file", ("b.png", png(), "image/png"))]
    refusals.append((api.client.post("/materials", files=two, headers=auth), 400))
    # Over the cap (set low here): refused as it streams in, and by its declared length.
    api.services.settings.upload_max_bytes = 1000
    refusals.append((upload(api, t["applicant"], pdf() + b"%" * 1000), 413))
    refusals.append((upload(api, t["applicant"], pdf() + b"%" * 200_000), 413))
    for response, status in refusals:
        assert response.status_code == status, (status, response.text)
        detail = response.json()["detail"]
        assert any("\u4e00" <= c <= "\u9fff" for c in detail), detail  # said in Chinese
    assert "PDF、OFD、JPEG、PNG" in refusals[0][0].json()["detail"]
    assert stored_blobs(api) == 0
    assert not (settings.data_dir / "blobs").exists() or not any(
        p.is_file() for p in (settings.data_dir / "blobs").rglob("*")
    )
    api.services.settings.upload_max_bytes = 20 * 1024 * 1024
    assert upload(api, t["applicant"], pdf()).status_code == 200  # and the service is well


# ------------------------------------------------------------------ attachments on the case


def test_a_filing_with_attachments_shows_them_and_what_is_missing(api: Api) -> None:
    t = tokens(api)
    sqs = uploaded(api, t["applicant"], pdf("申请书"), "申请书.pdf")
    yyzz = uploaded(api, t["applicant"], png(), "营业执照.png")
    filed = file_with(
        api, t["applicant"],
        [attachment("SQS", sqs, "申请书.pdf"), attachment("YYZZ", yyzz, "营业执照.png")],
        materials=["SQS", "YYZZ"],
    )  # fmt: skip
    assert filed["errors"] == [], filed
    case = filed["case"]
    got = {a["materialCode"]: a for a in case["attachments"]}
    assert got["SQS"]["sha256"] == sqs and got["SQS"]["contentType"] == "application/pdf"
    assert got["YYZZ"]["fileName"] == "营业执照.png" and got["YYZZ"]["size"] == len(png())
    assert got["SQS"]["url"] == f"/materials/{sqs}?case={case['caseNo']}"
    assert got["SQS"]["uploadedAt"].startswith("2026-09-28T")
    required = {m["code"] for m in case["item"]["requiredMaterials"] if m["required"]}
    assert required - set(got) == {"CPBZ", "SCSB"}  # what a correction notice would list
    referenced = api.services.views.fetchall(
        "SELECT sha256 FROM blobs WHERE referenced_at IS NOT NULL"
    )
    assert {r["sha256"] for r in referenced} == {sqs, yyzz}
    history = api.gql(
        "query($no: String!) { case(caseNo: $no) { history { type summary } } }",
        {"no": case["caseNo"]},
        t["applicant"],
    )["data"]["case"]["history"]
    assert [e["type"] for e in history] == ["ApplicationFiled", "AttachmentsAdded"]
    assert "申请书.pdf" in history[1]["summary"]


def test_hashes_not_yours_or_never_uploaded_and_unknown_materials_are_refused(
    api: Api,
) -> None:
    t = tokens(api)
    theirs = uploaded(api, t["stranger"], pdf("another applicant's"))
    cases = [
        ([attachment("SQS", theirs)], "attachments"),  # another applicant's upload
        ([attachment("SQS", "0" * 64)], "attachments"),  # never uploaded
        ([attachment("SQS", "not-a-hash")], "attachments"),
        ([attachment("NOPE", uploaded(api, t["applicant"], png()))], "attachments"),
    ]
    for files, field in cases:
        refused = file_with(api, t["applicant"], files)
        assert refused["case"] is None, refused
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [("VALIDATION", field)]
    assert "POST /materials" in file_with(api, t["applicant"], cases[0][0])["errors"][0]["message"]
    # The same bytes uploaded by yourself are yours to refer to.
    mine = uploaded(api, t["applicant"], pdf("another applicant's"))
    assert mine == theirs
    assert file_with(api, t["applicant"], [attachment("SQS", mine)])["errors"] == []


def test_attachments_while_a_correction_is_pending_and_not_after_acceptance(
    api: Api, clock: SettableClock
) -> None:
    t = tokens(api)
    filed = file_with(api, t["applicant"], [], materials=["SQS", "YYZZ"])
    case_no = filed["case"]["caseNo"]
    clock.set(at(2026, 9, 29))
    corrected = mutate(
        api, t["clerk"], "requestCorrection",
        f'caseNo: "{case_no}", missingMaterials: ["CPBZ", "SCSB"], note: "请补正"',
    )  # fmt: skip
    assert corrected["case"]["status"] == "AWAITING_CORRECTION"
    cpbz = uploaded(api, t["applicant"], pdf("产品标准"), "产品标准.pdf")
    added = add(api, t["applicant"], case_no, [attachment("CPBZ", cpbz, "产品标准.pdf")])
    assert added["errors"] == [] and added["case"]["status"] == "AWAITING_CORRECTION"
    assert [a["materialCode"] for a in added["case"]["attachments"]] == ["CPBZ"]
    # Another applicant may not add files to this case: to them it does not exist.
    body = api.gql(
        ADD, {"caseNo": case_no, "attachments": [attachment("CPBZ", cpbz)]}, t["stranger"]
    )
    assert body["data"]["addAttachments"]["errors"][0]["code"] == "NOT_FOUND"
    mutate(
        api, t["applicant"], "submitCorrection", f'caseNo: "{case_no}", materials: ["CPBZ", "SCSB"]'
    )
    # A clerk at the hall hands in a file for the applicant (their own upload).
    scsb = uploaded(api, t["clerk"], JPEG, "生产设备.jpg")
    by_clerk = add(api, t["clerk"], case_no, [attachment("SCSB", scsb, "生产设备.jpg")])
    assert by_clerk["errors"] == [] and len(by_clerk["case"]["attachments"]) == 2
    mutate(api, t["clerk"], "acceptApplication", f'caseNo: "{case_no}"')
    late = add(api, t["applicant"], case_no, [attachment("CPBZ", cpbz)])
    assert late["case"] is None and late["errors"][0]["code"] == "INVALID_STATE"


# ------------------------------------------------------------------ downloads


def test_downloads_for_the_applicant_and_the_staff_only(api: Api) -> None:
    t = tokens(api)
    data = pdf("营业执照")
    sha = uploaded(api, t["applicant"], data, "营业执照.pdf")
    case = file_with(api, t["applicant"], [attachment("YYZZ", sha, "营业执照.pdf")])["case"]
    url = case["attachments"][0]["url"]
    for who in ("applicant", "clerk", "handler", "supervisor"):
        response = api.client.get(url, headers={"Authorization": f"Bearer {t[who]}"})
        assert response.status_code == 200, (who, response.text)
        assert response.content == data
        assert response.headers["content-type"] == "application/pdf"
        assert "attachment" in response.headers["content-disposition"]
        assert response.headers["x-content-type-options"] == "nosniff"
    outsider = api.token("sz-staff", Role.HANDLER, org="440300")  # Shenzhen: not this case's
    for token in (t["stranger"], outsider):
        response = api.client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 404 and "文件不存在" in response.json()["detail"]
    assert api.client.get(url).status_code == 401
    mine = {"Authorization": f"Bearer {t['applicant']}"}
    other = uploaded(api, t["applicant"], png())  # uploaded, but not in this case
    for wrong in (
        f"/materials/{other}?case={case['caseNo']}",
        f"/materials/{sha}?case=440000-2026-GYCP-999999",
        f"/materials/{sha}",
        f"/materials/{'../' * 3}etc?case={case['caseNo']}",
    ):
        assert api.client.get(wrong, headers=mine).status_code == 404, wrong
    denied = api.services.views.fetchall(
        "SELECT user_id, action FROM denied_access WHERE action = %s", ["下载材料"]
    )
    assert {d["user_id"] for d in denied} == {"ent-2", "sz-staff"}


# ------------------------------------------------------------------ the sweep


def test_uploads_no_case_refers_to_are_swept_after_a_day(
    api: Api, clock: SettableClock, settings: Settings
) -> None:
    t = tokens(api)
    kept = uploaded(api, t["applicant"], pdf("kept"))
    orphan = uploaded(api, t["applicant"], pdf("orphan"))
    assert file_with(api, t["applicant"], [attachment("SQS", kept)])["errors"] == []
    watcher = DeadlineWatcher(api.services.app, api.services.views)
    clock.advance(hours=23)
    assert watcher.run_once().swept_uploads == []
    clock.advance(hours=2)
    assert watcher.run_once().swept_uploads == [orphan]
    blobs = api.services.app.blobs
    assert blobs.exists(kept) and not blobs.exists(orphan)
    assert stored_blobs(api) == 1
    if settings.is_sqlite:
        assert not (settings.data_dir / "blobs" / orphan[:2] / orphan[2:4] / orphan).exists()
    assert file_with(api, t["applicant"], [attachment("SQS", orphan)])["errors"][0]["code"] == (
        "VALIDATION"
    )
    # Uploaded again, the same bytes have a day again.
    assert uploaded(api, t["applicant"], pdf("orphan")) == orphan
    clock.advance(hours=12)
    assert watcher.run_once().swept_uploads == []


# ------------------------------------------------------------------ the contract


def test_the_v2_contract_for_attachments_is_served_exactly() -> None:
    if not (SHARED / "schema-v2.graphql").exists():
        pytest.skip("../shared is not beside this checkout")
    contract = build_schema(
        (SHARED / "schema.graphql").read_text("utf-8")
        + "\n"
        + (SHARED / "schema-v2.graphql").read_text("utf-8")
    )
    served = build_schema(sdl())
    for name in ("Attachment", "AttachmentInput"):
        expected = contract.type_map[name].fields  # type: ignore[union-attr]
        actual = served.type_map[name].fields  # type: ignore[union-attr]
        assert {k: str(v.type) for k, v in actual.items()} == {
            k: str(v.type) for k, v in expected.items()
        }
    for type_name, field in (("Case", "attachments"), ("FileApplicationInput", "attachments")):
        assert str(served.type_map[type_name].fields[field].type) == str(  # type: ignore[union-attr]
            contract.type_map[type_name].fields[field].type  # type: ignore[union-attr]
        )
    assert contract.mutation_type is not None and served.mutation_type is not None
    expected_args = contract.mutation_type.fields["addAttachments"].args
    actual_args = served.mutation_type.fields["addAttachments"].args
    assert {k: str(v.type) for k, v in actual_args.items()} == {
        k: str(v.type) for k, v in expected_args.items()
    }
    assert str(served.mutation_type.fields["addAttachments"].type) == "CasePayload!"
