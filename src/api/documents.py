"""Legal documents over HTTP.

- ``GET /documents/{number}``: the PDF, for whoever may see its case (the applicant, the
  case's authorities' staff: ``authorization.can_view``) or its licence (the holder, the
  licence's authority: ``licence_for``), with a bearer token; 404 for anyone else, as for a
  number never issued.
- ``GET /verify/{number}`` (the certificate's QR target; ``?sha256=`` to check a file): a
  public Chinese page — genuine or not, kind, date, the holder's masked name and, for a
  certificate, whether its licence is still valid. Rate-limited per client like the status
  page, so the numbers cannot be enumerated quickly.

``verify_document`` is also what ``Query.verifyDocument`` answers.
"""

from __future__ import annotations

import hmac
import html
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from xuke.api.context import Services
from xuke.api.materials import Refused, _caller
from xuke.api.pages import PageResponse
from xuke.api.status_page import RateLimiter
from xuke.application import authorization as authz
from xuke.application.blobs import BlobNotFound
from xuke.application.principal import Principal
from xuke.domain.documents import DocumentKind, DocumentRecord
from xuke.domain.errors import NotFound
from xuke.domain.licence import LicenceStatus
from xuke.projections.documents import document_row

LICENCE_STATUS_LABELS = {
    LicenceStatus.VALID: "有效",
    LicenceStatus.EXPIRED: "有效期届满，已失效",
    LicenceStatus.REVOKED: "已撤销",
    LicenceStatus.WITHDRAWN: "已撤回",
    LicenceStatus.CANCELLED: "已注销",
}


@dataclass(frozen=True)
class Verification:
    """``DocumentVerification``: ``genuine`` — the number was issued and, when a hash is
    given, it is the hash recorded then (without one: only that the number exists)."""

    genuine: bool
    found: bool
    hash_checked: bool
    kind: DocumentKind | None = None
    title: str | None = None
    issued_on: str | None = None
    holder_name: str | None = None
    status: LicenceStatus | None = None
    certificate_no: str | None = None


def verify_document(services: Services, number: str, sha256: str | None) -> Verification:
    row = document_row(services.views, number.strip()[:128])
    given = (sha256 or "").strip().lower()
    if row is None:
        return Verification(genuine=False, found=False, hash_checked=bool(given))
    matches = not given or hmac.compare_digest(given.encode(), str(row["sha256"]).encode())
    status = None
    if row["kind"] == DocumentKind.CERTIFICATE.value and row["certificate_no"]:
        try:
            status = services.app.get_licence(row["certificate_no"]).status
        except NotFound:
            status = None
    return Verification(
        genuine=matches, found=True, hash_checked=bool(given), kind=DocumentKind(row["kind"]),
        title=row["title"], issued_on=row["issued_on"], holder_name=row["holder_name"],
        status=status, certificate_no=row["certificate_no"],
    )  # fmt: skip


def router(services: Services, limiter: RateLimiter | None = None) -> APIRouter:
    limiter = limiter or RateLimiter()
    routes = APIRouter()

    @routes.get("/documents/{number}")
    async def download(request: Request, number: str) -> Response:
        try:
            principal = _caller(services, request)
        except Refused as e:
            return e.response()
        found = await run_in_threadpool(_document_file, services, principal, number)
        if found is None:
            return Refused(404, "文书不存在，或您无权查看").response()
        record, data = found
        return Response(
            data,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f"inline; filename*=UTF-8''{quote(record.number)}.pdf",
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
                "X-Document-SHA256": record.sha256,
            },
        )

    @routes.get("/verify/{number}", response_class=HTMLResponse)
    async def verify(
        request: Request,
        number: str,
        sha256: Annotated[str | None, Query(max_length=64)] = None,
    ) -> HTMLResponse:
        client = request.client.host if request.client else "unknown"
        if not limiter.allow(client):
            raise HTTPException(
                status_code=429, detail="查询过于频繁，请稍后再试", headers={"Retry-After": "60"}
            )
        result = await run_in_threadpool(verify_document, services, number, sha256)
        return PageResponse(page(number, result), status_code=200 if result.found else 404)

    return routes


def _document_file(
    services: Services, principal: Principal, number: str
) -> tuple[DocumentRecord, bytes] | None:
    """The document's bytes, if the caller may see its case or licence; a refusal is
    recorded for the supervisors and answered like an absent document."""
    app = services.app
    row = document_row(services.views, number)
    if row is None:
        return None
    record: DocumentRecord | None = None
    if row["case_no"]:
        try:
            case = app.get_case(row["case_no"])
        except NotFound:
            return None
        if not authz.can_view(principal, case):
            app.on_forbidden(
                authz.Forbidden("无权查看该案件的文书", principal, "下载文书", case.case_no)
            )
            return None
        record = case.document(number)
    elif row["certificate_no"]:
        licence = app.licence_for(principal, row["certificate_no"])
        if licence is None:
            app.on_forbidden(authz.Forbidden("无权查看该许可证的文书", principal, "下载文书"))
            return None
        record = licence.document(number)
    if record is None:
        return None
    try:
        return record, app.blobs.get(record.sha256)
    except BlobNotFound:
        return None


def page(number: str, result: Verification) -> str:
    esc = html.escape
    if not result.found:
        verdict = '<p class="bad" role="alert">✘ 未找到该文书编号：本系统未出具过此编号的文书，请警惕伪造。</p>'
        facts = ""
    else:
        if not result.genuine:
            verdict = '<p class="bad" role="alert">✘ 文件内容与出具时登记的不一致：该文件可能已被篡改。</p>'
        elif result.hash_checked:
            verdict = '<p class="good" role="status">✔ 真实有效：文件与出具时登记的一致。</p>'
        else:
            verdict = '<p class="good" role="status">✔ 真实有效：该编号的文书由本机关出具。</p>'
        rows = [
            ("文书编号", number),
            ("文书种类", result.title or ""),
            ("出具日期", result.issued_on or ""),
            ("当事人", result.holder_name or "—"),
        ]
        if result.certificate_no:
            rows.append(("许可证编号", result.certificate_no))
        if result.status is not None:
            rows.append(("许可证状态", LICENCE_STATUS_LABELS[result.status]))
        facts = "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows) + "</dl>"
    valid = ""
    if result.status is not None:
        still = result.status is LicenceStatus.VALID
        valid = (
            f'<p class="{"good" if still else "bad"}" id="licence-status">'
            f"{'该许可证目前有效。' if still else '该许可证目前已失效（' + esc(LICENCE_STATUS_LABELS[result.status]) + '）。'}</p>"
        )
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>行政许可文书核验</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2rem auto; max-width: 46rem; color: #222; padding: 0 1rem; }}
h1 {{ color: #b2261c; font-size: 1.6rem; border-bottom: 3px solid #b2261c; padding-bottom: .4rem; }}
dl {{ display: grid; grid-template-columns: 8rem 1fr; gap: .3rem 1rem; }} dt {{ color: #666; }}
.good {{ color: #1d6b2f; font-weight: bold; }} .bad {{ color: #b2261c; font-weight: bold; }}
footer {{ margin-top: 2rem; font-size: .8rem; color: #888; }}
</style></head>
<body><h1>行政许可文书核验</h1>
{verdict}
{facts}
{valid}
<p>核验文件内容：在地址后加 <code>?sha256=</code> 及文件的 SHA-256 值。本页不显示个人身份信息。</p>
<footer>依据《中华人民共和国行政许可法》公开 · xuke</footer></body></html>"""
