"""Legal documents (M15), as the v2 contract names them: ``Document`` (listed on
``Case.documents`` and ``Licence.documents``, from the aggregate's ``DocumentIssued``
records) and ``DocumentVerification`` (``verifyDocument``)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from urllib.parse import quote

import strawberry

from xuke.api.graphql.common.types import LicenceStatus
from xuke.domain.documents import DocumentRecord


@strawberry.enum
class DocumentKind(Enum):
    RECEIPT = "RECEIPT"  # 申请材料接收凭证
    ACCEPTANCE_NOTICE = "ACCEPTANCE_NOTICE"  # 受理通知书 (Law 32)
    CORRECTION_NOTICE = "CORRECTION_NOTICE"  # 补正材料通知书 (Law 32(4))
    NON_ACCEPTANCE_DECISION = "NON_ACCEPTANCE_DECISION"  # 不予受理决定书
    SUSPENSION_NOTICE = "SUSPENSION_NOTICE"  # 特别程序告知书 (Law 45)
    EXTENSION_NOTICE = "EXTENSION_NOTICE"  # 延长期限告知书 (Law 42)
    HEARING_NOTICE = "HEARING_NOTICE"  # 听证告知书 / 听证通知书 (Law 47, 48)
    GRANT_DECISION = "GRANT_DECISION"  # 准予行政许可决定书
    DENIAL_DECISION = "DENIAL_DECISION"  # 不予行政许可决定书 (Law 38)
    CERTIFICATE = "CERTIFICATE"  # 许可证书
    SERVICE_RECEIPT = "SERVICE_RECEIPT"  # 送达回证
    TERMINATION_NOTICE = "TERMINATION_NOTICE"  # 终止行政许可程序通知书 (SAMR 31)
    PROCEEDINGS_NOTICE = "PROCEEDINGS_NOTICE"  # 撤销 / 撤回 告知书
    REVOCATION_DECISION = "REVOCATION_DECISION"  # 撤销 / 撤回决定书
    CANCELLATION_NOTICE = "CANCELLATION_NOTICE"  # 注销公告


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
            kind=DocumentKind(record.kind.value), number=record.number, title=record.title,
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
