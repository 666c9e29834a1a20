"""The document clerk (文书员): after a step, its document — generated, stored, recorded.

Rendering a PDF takes a few hundred milliseconds, so it stays off the commands' write path:
a command records its step and answers; the clerk follows the notification log and, for
each event that calls for a document (``documents/steps.py``), loads the aggregate as it
stood at that event's version, builds the content (the item from the catalogue, the
authority's name from the organisation tree, the event's local date as the issue date, the
QR code's base from ``XUKE_PUBLIC_URL``), renders it, puts the bytes into the blob store
(content-addressed, referenced from the start) and records ``DocumentIssued`` with the
bytes' SHA-256 on the case or licence, through the system's idempotent command.

Design: a small loop of its own, not a projection. It reads the log filtered to the
triggering topics (``select_notifications(topics=…)``) from a position kept in the
projections' ``projection_tracking`` table (row ``document_clerk``), and moves the position
after each event is dealt with. It is *at least once*, made exactly once by the aggregate:
``record_document`` refuses a second document for the same (kind, triggering version), and
two clerks recording at once clash on the aggregate's version — the loser records nothing.
So a clerk that crashed after recording but before moving its position, a second clerk, or
``run_once`` called twice never records twice; before rendering, the clerk also skips an
event whose document the aggregate already has. An event whose document cannot be built
(``DocumentNotDue``: the aggregate does not show the step — never for the events of the
table) is logged and passed over; any other failure (the database, the blob store) leaves
the position where it is, to be tried again on the next pass.

It runs in-process under ``xuke serve`` when the projections do (always on SQLite), and as
``xuke documents run`` elsewhere; tests call ``run_once``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xuke.documents import DocumentNotDue, build, render
from xuke.documents.steps import STEPS_BY_TOPIC, Step
from xuke.domain.case import LicenseCase
from xuke.domain.documents import DocumentKind, DocumentRecord, document_number
from xuke.domain.licence import Licence
from xuke.domain.model import local_date
from xuke.domain.stages import ApplicationKind, Stage
from xuke.projections.tracking import TrackingConflict, read_position, write_position

if TYPE_CHECKING:
    from eventsourcing.persistence import Notification

    from xuke.application.licensing import LicensingApplication
    from xuke.projections.store import ViewStore

log = logging.getLogger("xuke.documents")

POSITION = "document_clerk"  # its row in projection_tracking
PAGE_SIZE = 50
ACCEPTANCE_KINDS = frozenset(
    {
        DocumentKind.RECEIPT,
        DocumentKind.ACCEPTANCE_NOTICE,
        DocumentKind.CORRECTION_NOTICE,
        DocumentKind.NON_ACCEPTANCE_DECISION,
    }
)


@dataclass
class ClerkReport:
    issued: list[str] = field(default_factory=list)  # the 文号 recorded in this pass
    skipped: list[str] = field(default_factory=list)  # "topic@version: why" not built


class DocumentClerk:
    def __init__(
        self,
        app: LicensingApplication,
        views: ViewStore,
        *,
        public_url: str = "http://127.0.0.1:8000",
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.app, self.views, self.public_url, self.page_size = app, views, public_url, page_size

    # ---------------------------------------------------------------- the loop

    def run_once(self) -> ClerkReport:
        """Deal with every triggering event after the position, up to the log's end now."""
        report = ClerkReport()
        position = read_position(self.views, POSITION)
        while True:
            page = self.app.recorder.select_notifications(
                start=position or 0,
                limit=self.page_size,
                topics=tuple(STEPS_BY_TOPIC),
                inclusive_of_start=False,
            )
            if not page:
                return report
            for notification in page:
                self._deal_with(notification, report)
                try:
                    with self.views.transaction() as tx:
                        write_position(tx, POSITION, notification.id, position)
                    position = notification.id
                except TrackingConflict:  # another clerk moved on: continue from there
                    position = read_position(self.views, POSITION)
                    break

    def run_forever(self, stop: threading.Event, interval: float = 1.0) -> None:
        """The in-process clerk of ``xuke serve`` and ``xuke documents run``."""
        while not stop.is_set():
            try:
                report = self.run_once()
                if report.issued:
                    log.info("documents", extra={"issued": report.issued})
            except Exception:  # the next pass tries again from the same position
                log.exception("document clerk pass failed")
            stop.wait(interval)

    # ---------------------------------------------------------------- one event

    def _deal_with(self, notification: Notification, report: ClerkReport) -> None:
        owner, step = STEPS_BY_TOPIC[notification.topic]
        event = self.app.mapper.to_domain_event(notification)
        version = notification.originator_version
        latest = self.app.repository.get(notification.originator_id)
        if any(d.kind is step.kind and d.trigger_version == version for d in latest.documents):
            return  # already on record (a repeated pass, another clerk)
        source = self.app.repository.get(notification.originator_id, version=version)
        try:
            record = self._issue(source, step, event, version)
        except DocumentNotDue as e:
            report.skipped.append(f"{notification.topic}@{version}: {e}")
            log.warning("document not due", extra={"topic": notification.topic, "why": str(e)})
            return
        if owner == "case":
            recorded: Any = self.app.record_document(source.case_no, record)
        else:
            recorded = self.app.record_licence_document(source.certificate_no, record)
        if recorded is not None:
            report.issued.append(record.number)

    def _issue(
        self, source: LicenseCase | Licence, step: Step, event: Any, version: int
    ) -> DocumentRecord:
        """Build, render and store the document; answer what to record."""
        kind, issued_on = step.kind, local_date(event.timestamp)
        number = self.number(source, kind, version)
        arguments: dict[str, Any] = {
            "item": self.app.catalogue.get(  # a case's own item version; a licence's latest
                source.item_code, getattr(source, "item_version", None)
            ),
            "authority": self.authority(source, kind),
            "number": number,
            "issued_on": issued_on,
            **step.extra(event),
        }
        if kind is DocumentKind.CERTIFICATE:
            arguments["verify_base"] = self.public_url
        content = build(kind, source, **arguments)
        pdf = render(content)
        stored = self.app.blobs.put(pdf, content_type="application/pdf")
        return DocumentRecord(
            kind=kind, number=number, title=content.title, issued_on=issued_on,
            sha256=stored.sha256, trigger_version=version,
        )  # fmt: skip

    @staticmethod
    def number(source: LicenseCase | Licence, kind: DocumentKind, version: int) -> str:
        """The 文号 (``domain/documents.py``): from the case or certificate number; a
        certificate's is the certificate's own (a later one under it adds its case)."""
        if isinstance(source, Licence):
            return document_number(source.certificate_no, kind, version)
        if kind is DocumentKind.CERTIFICATE and source.certificate_no:
            if source.kind is ApplicationKind.NEW:
                return source.certificate_no
            return f"{source.certificate_no}-{source.case_no}"
        return document_number(source.case_no, kind, version)

    def authority(self, source: LicenseCase | Licence, kind: DocumentKind) -> str:
        """Who issues it: the authority that acted at that step (a lower one accepts where
        the item says so, Law 43), or the licence's granting authority (or the superior that
        opened the proceedings, SAMR 40)."""
        if isinstance(source, Licence):
            code = source.jurisdiction_code
            if kind is not DocumentKind.CANCELLATION_NOTICE and source.proceedings is not None:
                code = source.proceedings.opened_by
        elif kind in ACCEPTANCE_KINDS:
            code = source.acting_org(Stage.ACCEPTANCE)
        else:
            code = source.jurisdiction_code
        org = self.app.organisations.find(code)
        if org is None and isinstance(source, Licence):
            org = self.app.organisations.find(source.jurisdiction_code)
        return org.name if org is not None else code
