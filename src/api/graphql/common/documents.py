"""Legal documents (M15), as the v2 contract names them: ``Document`` (listed on
``Case.documents`` and ``Licence.documents``, from the aggregate's ``DocumentIssued``
records) and ``DocumentVerification`` (``verifyDocument``)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import strawberry

from xuke.api.graphql.common.types import LicenceStatus
from xuke.domain.documents import DocumentKind, DocumentRecord

strawberry.enum(DocumentKind)  # the domain's kinds are the contract's


@strawberry.type(description="A legal document issued in a case or on a licence.")
class Document:
    kind: DocumentKind
    number: str = strawberry.field(description="文号, unique")
    title: str
    issued_on: dt.date
    sha256: str = strawberry.field(description="of the PDF bytes, recorded when issued")
    url: str

    @classmethod
    def of(cls, record: DocumentRecord) -> Document:
        return cls(
            kind=record.kind, number=record.number, title=record.title,
            issued_on=record.issued_on, sha256=record.sha256, url=document_url(record.number),
        )  # fmt: skip


def document_url(number: str) -> str:
    """The authorised download (``GET /documents/{number}``: the applicant or holder and the
    case's staff, with their bearer token)."""
    return f"/documents/{quote(number, safe='')}"


@strawberry.type(description="What verifying a document's number (and hash) finds.")
class DocumentVerification:
    genuine: bool = strawberry.field(
        description="the number exists and the hash matches what was issued"
    )
    kind: DocumentKind | None
    issued_on: dt.date | None
    holder_name: str | None = strawberry.field(description="masked for persons")
    status: LicenceStatus | None = strawberry.field(
        description="for certificates: is the licence still valid?"
    )
