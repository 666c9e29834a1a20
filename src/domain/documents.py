"""Legal documents (文书) as the aggregates record them: which kinds there are, the record a
``DocumentIssued`` event leaves on a case or a licence, and how a document's number (文号) is
made. Pure: what a document *says* and how it is rendered live in ``xuke.documents``.

The 文号 is unique per authority and year because it is built from a number that already is:
a case's documents from the case number (which carries the authority and the year), a kind
code and the version of the event that called for the document —
``440000-2026-GYCP-000001-SL-4``; a licence's from its certificate number the same way
(``GYCP-440000-2026-000001-CX-7``). A certificate's number is the certificate's own (the
number the public reads off it and the QR code's target); a later certificate under the same
number (a change, reissue, correction, renewal) adds the case number that issued it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from enum import StrEnum

from xuke.domain.errors import InvalidState, ValidationFailed
from xuke.domain.model import Immutable


class DocumentKind(StrEnum):
    """The v2 contract's ``DocumentKind`` (``schema-v2.graphql``), member for member."""

    RECEIPT = "RECEIPT"  # 申请材料接收凭证
    ACCEPTANCE_NOTICE = "ACCEPTANCE_NOTICE"  # 受理通知书 (Law 32)
    CORRECTION_NOTICE = "CORRECTION_NOTICE"  # 补正材料通知书 (Law 32(4))
    NON_ACCEPTANCE_DECISION = "NON_ACCEPTANCE_DECISION"  # 不予受理决定书
    SUSPENSION_NOTICE = "SUSPENSION_NOTICE"  # 特别程序告知书 (Law 45)
    EXTENSION_NOTICE = "EXTENSION_NOTICE"  # 延长期限告知书 (Law 42)
    HEARING_NOTICE = "HEARING_NOTICE"  # 听证告知书 / 听证通知书 (Law 47, 48)
    GRANT_DECISION = "GRANT_DECISION"  # 准予行政许可决定书
    DENIAL_DECISION = "DENIAL_DECISION"  # 不予行政许可决定书 (Law 38)
    CERTIFICATE = "CERTIFICATE"  # 行政许可证书
    SERVICE_RECEIPT = "SERVICE_RECEIPT"  # 送达回证
    TERMINATION_NOTICE = "TERMINATION_NOTICE"  # 终止行政许可程序通知书 (SAMR 31)
    PROCEEDINGS_NOTICE = "PROCEEDINGS_NOTICE"  # 撤销 / 撤回 告知书
    REVOCATION_DECISION = "REVOCATION_DECISION"  # 撤销 / 撤回决定书
    CANCELLATION_NOTICE = "CANCELLATION_NOTICE"  # 注销公告


KIND_CODES: dict[DocumentKind, str] = {
    DocumentKind.RECEIPT: "JS",  # 接收
    DocumentKind.ACCEPTANCE_NOTICE: "SL",  # 受理
    DocumentKind.CORRECTION_NOTICE: "BZ",  # 补正
    DocumentKind.NON_ACCEPTANCE_DECISION: "BSL",  # 不受理
    DocumentKind.SUSPENSION_NOTICE: "TB",  # 特别程序
    DocumentKind.EXTENSION_NOTICE: "YC",  # 延长
    DocumentKind.HEARING_NOTICE: "TZ",  # 听证
    DocumentKind.GRANT_DECISION: "ZY",  # 准予
    DocumentKind.DENIAL_DECISION: "BY",  # 不予
    DocumentKind.CERTIFICATE: "ZS",  # 证书
    DocumentKind.SERVICE_RECEIPT: "SD",  # 送达
    DocumentKind.TERMINATION_NOTICE: "ZZ",  # 终止
    DocumentKind.PROCEEDINGS_NOTICE: "CG",  # 撤销告知
    DocumentKind.REVOCATION_DECISION: "CX",  # 撤销
    DocumentKind.CANCELLATION_NOTICE: "ZX",  # 注销
}
"""The kind's code in a 文号 (pinyin initials)."""

DOCUMENT_NUMBER = re.compile(r"[A-Za-z0-9-]{1,120}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def is_document_number(text: str) -> bool:
    """Shaped like a 文号 this system issues? Anything else names no document."""
    return DOCUMENT_NUMBER.fullmatch(text) is not None


def document_number(prefix: str, kind: DocumentKind, trigger_version: int) -> str:
    """``{case or certificate number}-{kind code}-{version of the triggering event}``."""
    return f"{prefix}-{KIND_CODES[kind]}-{trigger_version}"


class DocumentRecord(Immutable):
    """One issued document as its aggregate keeps it: the bytes are in the blob store under
    ``sha256``, so a later change of the stored PDF is detectable."""

    kind: DocumentKind
    number: str
    title: str
    issued_on: dt.date
    sha256: str
    trigger_version: int  # the aggregate's version whose event called for it


class DocumentAlreadyIssued(InvalidState):
    """That step's document is already on record (the clerk is idempotent)."""


def check_new_document(
    records: Iterable[DocumentRecord], record: DocumentRecord, version: int
) -> None:
    """One document per (kind, triggering event), on an event the aggregate has had."""
    if not 1 <= record.trigger_version <= version:
        raise ValidationFailed(
            f"触发事件版本 {record.trigger_version} 不在 1 到 {version} 之间", "triggerVersion"
        )
    if not _SHA256.fullmatch(record.sha256):
        raise ValidationFailed("SHA-256 须为 64 位小写十六进制", "sha256")
    if not is_document_number(record.number) or not record.title.strip():
        raise ValidationFailed("文号或标题无效", "number")
    for known in records:
        if (known.kind, known.trigger_version) == (record.kind, record.trigger_version):
            raise DocumentAlreadyIssued(
                f"{record.kind.value} 已就版本 {record.trigger_version} 出具（{known.number}）"
            )
        if known.number == record.number:
            raise DocumentAlreadyIssued(f"文号 {record.number} 已使用")
