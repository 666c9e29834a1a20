"""Legal documents (M15), as the v2 contract names them: only the types, so that the fields
that list documents (``Licence.documents``) exist. No document is issued yet: those fields
serve empty lists until the documents feature records them."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry


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
