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
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from xuke.api.context import Services
from xuke.api.lookups import count_lookup
from xuke.api.materials import Refused, _caller
from xuke.api.pages import PageResponse
from xuke.api.templating import render
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


def router(services: Services) -> APIRouter:
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
        await count_lookup(services, request)  # one limit with every lookup by secret
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
    """The verify page, on the shared layout (``templates/verify.html``)."""
    facts: list[tuple[str, str]] = []
    if result.found:
        facts = [
            ("文书编号", number),
            ("文书种类", result.title or ""),
            ("出具日期", result.issued_on or ""),
            ("当事人", result.holder_name or "—"),
        ]
        if result.certificate_no:
            facts.append(("许可证编号", result.certificate_no))
        if result.status is not None:
            facts.append(("许可证状态", LICENCE_STATUS_LABELS[result.status]))
    return render(
        "verify.html",
        result=result,
        facts=facts,
        licence_status=None if result.status is None else LICENCE_STATUS_LABELS[result.status],
        licence_valid=result.status is LicenceStatus.VALID,
    )
