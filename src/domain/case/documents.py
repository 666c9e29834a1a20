"""Legal documents (文书): each step's notice or decision, recorded once it has been generated
and stored — its kind, 文号, title, date and the SHA-256 of its PDF (the bytes stay in the
blob store). The document clerk (``application/document_clerk.py``) records them, after the
step, by the system's idempotent command: one document per (kind, triggering event).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xuke.domain.case.core import CaseCore
from xuke.domain.case_records import CommandContext
from xuke.domain.documents import DocumentKind, DocumentRecord, check_new_document
from xuke.domain.model import Aggregate


class DocumentIssued(Aggregate.Event):
    """出具文书: a step's document was generated; its hash is on record."""

    kind: DocumentKind
    number: str
    title: str
    issued_on: dt.date
    sha256: str
    trigger_version: int

    def apply(self, case: Any) -> None:
        case.documents = (*case.documents, record_of(self))


def record_of(event: Any) -> DocumentRecord:
    return DocumentRecord(
        kind=event.kind, number=event.number, title=event.title, issued_on=event.issued_on,
        sha256=event.sha256, trigger_version=event.trigger_version,
    )  # fmt: skip


class Documents(CaseCore):
    """文书."""

    def record_document(self, ctx: CommandContext, record: DocumentRecord) -> None:
        """Refuses a second document for the same (kind, triggering event), or a number
        already used (``DocumentAlreadyIssued``)."""
        check_new_document(self.documents, record, self.version)
        self._record(DocumentIssued, ctx, **record.model_dump())

    def document(self, number: str) -> DocumentRecord | None:
        return next((d for d in self.documents if d.number == number), None)
