"""documents: every legal document issued, by its number (文号) — what verification
(``verifyDocument``, ``/verify/{number}``) and the download route (``/documents/{number}``)
look up: its kind, title, date and SHA-256, the case or licence that issued it, and the
holder's name masked as the licence register masks it (a person's: 张*).

A case's ``DocumentIssued`` arrives with the case as it stood (``CaseProjection``); a
licence's names its licence by id only, so the view also keeps each licence's number and
holder from its own events (``document_licences``), which precede its documents in the log.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic

from xuke.domain.case import LicenseCase
from xuke.domain.documents import DocumentKind, is_document_number
from xuke.domain.licence import Licence
from xuke.projections.base import Before, CaseProjection, Envelope
from xuke.projections.store import Row, Transaction, ViewStore
from xuke.projections.writes import Upserts, iso

COLUMNS = (
    "number", "kind", "title", "issued_on", "sha256", "case_no", "certificate_no",
    "holder_name", "trigger_version",
)  # fmt: skip
LICENCE_COLUMNS = ("licence_id", "certificate_no", "holder_name")
TOPICS = frozenset(
    get_topic(cls)
    for cls in (
        LicenseCase.DocumentIssued,
        Licence.LicenceIssued,
        Licence.LicenceChanged,
        Licence.DocumentIssued,
    )
)


class DocumentsProjection(CaseProjection):
    name = "documents"
    tables = ("documents", "document_licences")
    awaited = False  # verification and downloads follow the clerk, itself behind the steps
    partitionable = False  # a licence's documents are not in its cases' share

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = Upserts(self.table("documents"), COLUMNS, ("number",))
        self.licences = Upserts(self.table("document_licences"), LICENCE_COLUMNS, ("licence_id",))

    def wants(self, topic: str) -> bool:
        return topic in TOPICS

    def on_case_event(
        self, tx: Transaction, event: LicenseCase.Event, before: Before | None, after: LicenseCase
    ) -> None:
        if isinstance(event, LicenseCase.DocumentIssued):
            certificate = after.certificate_no if event.kind is DocumentKind.CERTIFICATE else None
            self._put(event, after.case_no, certificate, after.applicant.public_name)

    def on_other_event(self, tx: Transaction, envelope: Envelope) -> None:
        event, licence_id = envelope.event, str(envelope.originator_id)
        if isinstance(event, Licence.LicenceIssued):
            self.licences.put(
                {
                    "licence_id": licence_id,
                    "certificate_no": event.certificate_no,
                    "holder_name": event.holder.public_name,
                }
            )
        elif isinstance(event, Licence.LicenceChanged) and event.holder is not None:
            if (row := self._licence(tx, licence_id)) is not None:
                self.licences.put({**row, "holder_name": event.holder.public_name})
        elif isinstance(event, Licence.DocumentIssued):
            row = self._licence(tx, licence_id)
            certificate, holder = (row["certificate_no"], row["holder_name"]) if row else (None, "")
            self._put(event, None, certificate, holder)

    def _licence(self, tx: Transaction, licence_id: str) -> dict[str, Any] | None:
        row = self.licences.get(licence_id)
        if row is None:
            found = tx.fetchone(
                f"SELECT * FROM {self.licences.table} WHERE licence_id = %s", [licence_id]
            )
            row = dict(found) if found else None
        return row

    def _put(
        self, event: Any, case_no: str | None, certificate_no: str | None, holder: str
    ) -> None:
        self.rows.put(
            {
                "number": event.number,
                "kind": event.kind.value,
                "title": event.title,
                "issued_on": iso(event.issued_on),
                "sha256": event.sha256,
                "case_no": case_no,
                "certificate_no": certificate_no,
                "holder_name": holder,
                "trigger_version": event.trigger_version,
            }
        )

    def flush(self, tx: Transaction) -> None:
        self.licences.flush(tx)
        self.rows.flush(tx)


def document_row(store: ViewStore, number: str) -> Row | None:
    """The document of that number, or None (also for a malformed number)."""
    if not is_document_number(number):
        return None
    return store.fetchone("SELECT * FROM documents WHERE number = %s", [number])
