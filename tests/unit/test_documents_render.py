"""Legal documents (docs/architecture.md, documents): every kind built from a real aggregate through its commands,
rendered to PDF, read back (pypdf) for its parties, articles, dates and number, rendered to PNG
(pdftoppm, into ``test-artifacts/documents/``) and — for the certificate — its QR code decoded
(zxing-cpp) back to the verification URL."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.support import ENTERPRISE_CODE, at
from tests.unit.test_case_rules import accepted, calendar, ctx, filed, served_ready
from tests.unit.test_licence import ctx as licence_ctx
from tests.unit.test_licence import opened, tzsb
from xuke.documents import DocumentContent, DocumentKind, build, render
from xuke.domain.case import LicenseCase
from xuke.domain.catalogue import default_catalogue
from xuke.domain.licence import CancellationGround, Licence
from xuke.domain.organisations import default_organisations
from xuke.domain.roles import Role
from xuke.domain.stages import HearingBasis, ServiceMethod, SuspensionReason, TerminationGround

D = dt.date
ISSUED = D(2026, 11, 30)
VERIFY = "https://xuke.example.gov.cn"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"
LAW = "《中华人民共和国行政许可法》"
SAMR = "《市场监督管理行政许可程序暂行规定》"
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None,
    reason="pdftoppm (Debian poppler-utils) is not installed: scripts/test installs it",
)


def authority() -> str:
    org = default_organisations().find("440000")
    assert org is not None
    return org.name  # 广东省市场监督管理局


# ---------------------------------------------------------------- each kind's aggregate


def with_correction() -> LicenseCase:
    case = filed(materials=["SQS", "YYZZ"])
    case.request_correction(ctx(at(2026, 9, 29)), calendar(), ["CPBZ", "SCSB"], "请按清单补正")
    return case


def not_accepted() -> LicenseCase:
    case = filed()
    case.reject(ctx(at(2026, 9, 29)), calendar(), "申请事项不属于本机关职权范围")
    return case


def suspended() -> LicenseCase:
    case = accepted()
    case.suspend_clock(
        ctx(at(2026, 10, 9), Role.HANDLER), calendar(), SuspensionReason.TESTING, 15,
        "产品须送法定检验机构检测",
    )  # fmt: skip
    return case


def extended() -> LicenseCase:
    case = accepted(item="TZSB-SCXK")
    case.extend_deadline(ctx(at(2026, 10, 20), Role.APPROVER), calendar(), "需要组织现场核查")
    return case


def hearing_noticed() -> LicenseCase:
    case = accepted()
    case.notice_hearing(
        ctx(at(2026, 10, 9), Role.HANDLER), calendar(), HearingBasis.ARTICLE_47_RIGHT,
        "该申请直接关系相邻企业的重大利益",
    )  # fmt: skip
    return case


def hearing_scheduled() -> LicenseCase:
    case = hearing_noticed()
    case.request_hearing(ctx(at(2026, 10, 10), Role.APPLICANT), calendar())
    case.schedule_hearing(
        ctx(at(2026, 10, 12), Role.HANDLER), calendar(), at(2026, 10, 22, 9, 30),
        "广东省市场监督管理局第三听证室", "user-presiding",
    )  # fmt: skip
    return case


def granted() -> LicenseCase:
    return served_ready(True, scope={"products": ["电线电缆", "电力金具"]})


def served() -> LicenseCase:
    case = granted()
    case.record_service(
        ctx(at(2026, 10, 14), Role.APPROVER), ServiceMethod.DIRECT, at(2026, 10, 14, 9), "签收单"
    )
    return case


def terminated() -> LicenseCase:
    case = accepted()
    case.terminate(
        ctx(at(2026, 10, 9), Role.APPROVER), TerminationGround.ORGANISATION_TERMINATED,
        "申请人已办理注销登记",
    )  # fmt: skip
    return case


def revoked() -> Licence:
    licence = opened(D(2026, 9, 28))
    licence.revoke(licence_ctx(D(2026, 10, 12)), "以欺骗手段取得许可，情节属实", D(2026, 10, 12))
    return licence


def cancelled() -> Licence:
    licence = tzsb()
    licence.cancel(
        licence_ctx(D(2026, 6, 1)), CancellationGround.ORGANISATION_TERMINATED, "企业已注销",
        D(2026, 6, 1),
    )  # fmt: skip
    return licence


CASES: dict[DocumentKind, tuple[Callable[[], LicenseCase | Licence], dict[str, object]]] = {
    DocumentKind.RECEIPT: (lambda: filed(materials=["SQS", "YYZZ"]), {}),
    DocumentKind.ACCEPTANCE_NOTICE: (accepted, {}),
    DocumentKind.CORRECTION_NOTICE: (with_correction, {}),
    DocumentKind.NON_ACCEPTANCE_DECISION: (not_accepted, {}),
    DocumentKind.SUSPENSION_NOTICE: (suspended, {}),
    DocumentKind.EXTENSION_NOTICE: (extended, {}),
    DocumentKind.HEARING_NOTICE: (hearing_scheduled, {}),
    DocumentKind.GRANT_DECISION: (granted, {}),
    DocumentKind.DENIAL_DECISION: (lambda: served_ready(False), {}),
    DocumentKind.CERTIFICATE: (granted, {"verify_base": VERIFY}),
    DocumentKind.SERVICE_RECEIPT: (served, {}),
    DocumentKind.TERMINATION_NOTICE: (terminated, {}),
    DocumentKind.PROCEEDINGS_NOTICE: (lambda: opened(D(2026, 9, 28)), {}),
    DocumentKind.REVOCATION_DECISION: (revoked, {"reason": "以欺骗手段取得许可，情节属实"}),
    DocumentKind.CANCELLATION_NOTICE: (
        cancelled, {"ground": CancellationGround.ORGANISATION_TERMINATED, "note": "企业已注销"},
    ),
}  # fmt: skip


def number_for(kind: DocumentKind) -> str:
    return f"粤市监许〔2026〕{list(DocumentKind).index(kind) + 1}号"


def content_of(kind: DocumentKind) -> DocumentContent:
    make, extra = CASES[kind]
    source = make()
    item_code = source.item_code
    arguments: dict[str, object] = {
        "item": default_catalogue().get(item_code), "authority": authority(),
        "issued_on": ISSUED, **extra,
    }  # fmt: skip
    if kind is not DocumentKind.CERTIFICATE:
        arguments["number"] = number_for(kind)
    return build(kind, source, **arguments)


@cache
def rendered(kind: DocumentKind) -> bytes:
    return render(content_of(kind))


def text_of(pdf: bytes) -> str:
    """Extracted text without whitespace (pypdf spaces out justified CJK glyphs)."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------- every kind


def test_the_kinds_are_the_contracts() -> None:
    assert set(CASES) == set(DocumentKind)
    contract = Path(__file__).resolve().parents[1] / "contract" / "schema-v2.graphql"
    if contract.is_file():  # our copy of the contract (tests/api/test_contract.py)
        block = contract.read_text("utf-8").split("enum DocumentKind {", 1)[1].split("}", 1)[0]
        names = {line.split("#")[0].strip() for line in block.splitlines()} - {""}
        assert names == {kind.value for kind in DocumentKind}


@pytest.mark.parametrize("kind", list(DocumentKind), ids=lambda kind: kind.value)
def test_every_kind_renders_with_its_parties_articles_number_and_dates(kind: DocumentKind) -> None:
    content = content_of(kind)
    pdf = rendered(kind)
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    assert squeeze(content.title) in text
    assert content.number in text
    assert authority() in text
    assert "2026年11月30日" in text  # the issue date, as signed
    for label, value in content.parties:
        assert squeeze(value) in text, (label, value)
    for article in content.legal_basis if content.certificate is None else ():
        assert squeeze(article) in text, article
    for paragraph in (*content.facts, *content.body, *content.remedies):
        assert squeeze(paragraph) in text, paragraph
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None and reader.metadata.title == content.title
    assert reader.pages[0].mediabox.width in (595.28, 841.89)  # A4, points


def test_the_remedies_are_stated_where_the_law_requires_them() -> None:
    with_remedies = {
        DocumentKind.NON_ACCEPTANCE_DECISION, DocumentKind.DENIAL_DECISION,
        DocumentKind.TERMINATION_NOTICE, DocumentKind.REVOCATION_DECISION,
        DocumentKind.CANCELLATION_NOTICE,
    }  # fmt: skip
    for kind in DocumentKind:
        text = text_of(rendered(kind))
        assert ("六十日内" in text and "六个月内" in text) is (kind in with_remedies), kind


def test_a_correction_notice_names_every_missing_material() -> None:
    text = text_of(rendered(DocumentKind.CORRECTION_NOTICE))
    assert "1.产品执行标准" in text and "2.主要生产设备和检验设备清单" in text
    assert f"{LAW}第三十二条第一款第（四）项" in text and f"{SAMR}第十五条" in text
    assert "10个工作日内" in text


def test_a_denial_gives_its_reasons_and_the_remedies() -> None:
    text = text_of(rendered(DocumentKind.DENIAL_DECISION))
    assert "不符合产业政策" in text and f"{LAW}第三十八条第二款" in text
    assert "深圳市华强电器有限公司" in text and ENTERPRISE_CODE in text
    assert "工业产品生产许可证核发" in text


def test_a_suspension_notice_says_what_why_and_how_long() -> None:
    text = text_of(rendered(DocumentKind.SUSPENSION_NOTICE))
    assert "特别程序：检测" in text and "产品须送法定检验机构检测" in text
    assert "自2026年10月9日起，预计需要15个工作日" in text and f"{LAW}第四十五条" in text


def test_the_other_kinds_carry_their_own_facts() -> None:
    assert "受理日期为2026年9月29日" in text_of(rendered(DocumentKind.ACCEPTANCE_NOTICE))
    hearing = text_of(rendered(DocumentKind.HEARING_NOTICE))
    assert "听证通知书" in hearing and "2026年10月22日9时30分" in hearing
    assert "延长10个工作日" in text_of(rendered(DocumentKind.EXTENSION_NOTICE))
    termination = text_of(rendered(DocumentKind.TERMINATION_NOTICE))
    assert "申请人依法终止" in termination and f"{SAMR}第三十一条" in termination
    service = text_of(rendered(DocumentKind.SERVICE_RECEIPT))
    assert "直接送达" in service and "2026年10月14日9时00分" in service
    proceedings = text_of(rendered(DocumentKind.PROCEEDINGS_NOTICE))
    assert "撤销行政许可告知书" in proceedings and "2026年10月10日前" in proceedings
    cancellation = text_of(rendered(DocumentKind.CANCELLATION_NOTICE))
    assert f"{LAW}第七十条第（三）项" in cancellation and "注销日期为2026年6月1日" in cancellation


def test_the_certificate_shows_holder_scope_validity_and_number() -> None:
    content = content_of(DocumentKind.CERTIFICATE)
    assert content.certificate is not None
    number = content.certificate.certificate_no
    assert content.number == number == "XK440000-GYCP-2026-000001"
    assert content.certificate.verify_url == f"{VERIFY}/verify/{number}"
    text = text_of(rendered(DocumentKind.CERTIFICATE))
    for expected in (
        "行政许可证书", "深圳市华强电器有限公司", ENTERPRISE_CODE, "电线电缆、电力金具",
        "2026年10月13日至2031年10月12日", number, "发证日期：2026年11月30日",
    ):  # fmt: skip
        assert squeeze(expected) in text, expected


# ---------------------------------------------------------------- bytes


def test_the_same_content_gives_the_same_bytes() -> None:
    for kind in (DocumentKind.CERTIFICATE, DocumentKind.DENIAL_DECISION):
        again = render(content_of(kind))  # a fresh aggregate, a fresh PDF
        assert again == rendered(kind)
    later = content_of(DocumentKind.DENIAL_DECISION)
    later = type(later)(**{**later.__dict__, "issued_on": D(2026, 12, 1)})
    assert render(later) != rendered(DocumentKind.DENIAL_DECISION)


def test_the_creation_date_is_the_issue_date_and_the_fonts_are_embedded_subsets() -> None:
    pdf = rendered(DocumentKind.GRANT_DECISION)
    assert b"/CreationDate (D:20261130000000+08'00')" in pdf
    reader = PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        assert font["/Subtype"] == "/Type0"
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        assert "+" in str(descriptor["/FontName"])  # a subset (ABCDEF+Name)
        assert "/FontFile3" in descriptor or "/FontFile2" in descriptor  # embedded
    assert len(pdf) < 200_000  # subsets, not the 20 MB collection


def test_a_long_document_numbers_its_pages() -> None:
    content = content_of(DocumentKind.DENIAL_DECISION)
    long = type(content)(**{**content.__dict__, "facts": content.facts * 12})
    reader = PdfReader(io.BytesIO(render(long)))
    assert len(reader.pages) > 1
    assert "—1—" in squeeze(reader.pages[0].extract_text())
    assert "—2—" in squeeze(reader.pages[1].extract_text())
    single = PdfReader(io.BytesIO(rendered(DocumentKind.DENIAL_DECISION)))
    assert len(single.pages) == 1 and "—1—" not in squeeze(single.pages[0].extract_text())


# ---------------------------------------------------------------- as seen


def to_png(pdf: bytes, name: str, dpi: int = 110) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(source),
         str(ARTIFACTS / name)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return ARTIFACTS / f"{name}.png"


@needs_poppler
@pytest.mark.parametrize("kind", list(DocumentKind), ids=lambda kind: kind.value)
def test_every_kind_renders_to_a_png(kind: DocumentKind) -> None:
    png = to_png(rendered(kind), kind.value.lower())
    assert png.stat().st_size > 10_000  # text was drawn, not an empty page


@needs_poppler
def test_the_certificates_qr_code_decodes_to_the_verify_url() -> None:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp is a dev dependency")
    from PIL import Image

    png = to_png(rendered(DocumentKind.CERTIFICATE), "certificate-qr", dpi=200)
    with Image.open(png) as image:
        found = [result.text for result in zxingcpp.read_barcodes(image.convert("L"))]
    assert found == [f"{VERIFY}/verify/XK440000-GYCP-2026-000001"]
