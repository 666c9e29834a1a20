"""在线申报 / 窗口收件: filing an application, numbered by its competent authority.

The item and the competent authority are resolved once, before the authority's numbering
lock is taken; filings at one authority then take their numbers one after another in this
process (other processes clash on the sequence and retry, which stays correct).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from xuke.domain.case import LicenseCase
from xuke.domain.case_numbers import CaseNumberSequence, case_id_for, format_case_no
from xuke.domain.case_records import ApplicantRecord, CommandContext
from xuke.domain.errors import ValidationFailed
from xuke.domain.licence import Licence
from xuke.domain.model import Aggregate, local_date
from xuke.domain.organisations import preliminary_level
from xuke.domain.stages import ApplicationKind

from . import authorization as authz
from .attachments import AttachmentFile
from .commands import CommandResult
from .parts import ApplicationParts
from .principal import Principal

FILING_RETRIES = 50  # numbering races between processes are retried, not reported


class Filing(ApplicationParts):
    _numbering_locks: dict[str, threading.Lock]
    _numbering_guard: threading.Lock

    def file_application(
        self,
        principal: Principal,
        *,
        item_code: str,
        applicant: dict[str, Any],
        jurisdiction_code: str,
        materials: Sequence[str],
        form: dict[str, Any] | None = None,
        channel: str = "ONLINE",
        received_at: dt.datetime | None = None,
        idempotency_key: str | None = None,
        kind: ApplicationKind = ApplicationKind.NEW,
        certificate_no: str | None = None,
        attachments: Sequence[AttachmentFile] = (),
    ) -> CommandResult:
        """在线申报 (applicant) or 窗口收件 (clerk, ``channel="HALL"``); a holder's later
        application (``kind``) names the licence it concerns (``certificate_no``); files
        uploaded first stand for its materials (``attachments``)."""
        inputs: dict[str, Any] = {
            "item_code": item_code, "applicant": applicant, "jurisdiction_code": jurisdiction_code,
            "materials": sorted(materials), "form": form, "channel": channel, "received_at": received_at,
            "kind": kind, "certificate_no": certificate_no,
        }  # fmt: skip
        if attachments:  # only then: the fingerprints of earlier filings stay as they were
            inputs["attachments"] = list(attachments)
        item = self.catalogue.get(item_code)
        authority = self.organisations.competent_authority(item.level, jurisdiction_code)
        accepting = authority  # Law 43: a lower authority accepts and reviews first
        if item.preliminary_review:
            level = preliminary_level(item.level)
            accepting = self.organisations.competent_authority(level, jurisdiction_code)

        def act(at: dt.datetime) -> tuple[LicenseCase, Sequence[Aggregate]]:
            record = ApplicantRecord.from_input(**applicant)
            role = self.guard.authorize(
                lambda: authz.require_filer(principal, record.identity, channel, accepting.code)
            )
            licence = self._licence_concerned(principal, kind, certificate_no, record, item_code)
            if received_at is not None and (channel != "HALL" or received_at.tzinfo is None):
                raise ValidationFailed("receivedAt 只用于窗口收件，且须带时区", "receivedAt")
            ctx = CommandContext(
                actor=principal.acting_as(role), at=at, idempotency_key=idempotency_key
            )
            sequence = self._sequence(authority.code, local_date(at).year, ctx)
            case_no = format_case_no(
                authority.code, sequence.year, item.abbreviation, sequence.issue(ctx.actor, at)
            )
            code_hash = self.query_codes.hash(self.query_codes.derive(case_id_for(case_no)))
            case = LicenseCase.file(
                ctx, case_no=case_no, item=item, applicant=record, applicant_division=jurisdiction_code,
                jurisdiction_code=authority.code, channel=channel, materials=tuple(materials),
                form=form or {}, received_at=received_at or at, query_code_hash=code_hash,
                kind=kind, licence_no=certificate_no if kind is not ApplicationKind.NEW else None,
                preliminary_org=accepting.code if item.preliminary_review else None,
            )  # fmt: skip
            if attachments:
                self._attach(case, ctx, attachments)
            if licence is None:
                return case, [sequence]
            filed_on = local_date(received_at or at)
            licence.link_case(ctx, case_no, kind, self.working_calendar(), filed_on)
            return case, [sequence, licence]

        with self._numbering_lock(authority.code):
            result = self.runner.execute(
                principal, "fileApplication", inputs, idempotency_key, act, FILING_RETRIES
            )
        return CommandResult(
            case=result.case,
            notification_id=result.notification_id,
            query_code=self.query_codes.derive(result.case.id),
            replayed=result.replayed,
        )

    def _licence_concerned(
        self,
        principal: Principal,
        kind: ApplicationKind,
        certificate_no: str | None,
        record: ApplicantRecord,
        item_code: str,
    ) -> Licence | None:
        """A holder's application concerns its own licence of the same item; only the holder
        may file it (Law 9: a licence is not transferred)."""
        if kind is ApplicationKind.NEW or not certificate_no:
            return None  # the case's own rules refuse a missing or a needless number
        licence = self.get_licence(certificate_no)
        if record.identity != licence.holder.identity:
            self.guard.deny(authz.Forbidden("只能就本人持有的许可证提出申请", principal, "申报"))
        if licence.item_code != item_code:
            raise ValidationFailed(
                f"许可证 {certificate_no} 的许可事项是 {licence.item_code}", "itemCode"
            )
        return licence

    def _sequence(self, authority: str, year: int, ctx: CommandContext) -> CaseNumberSequence:
        try:
            sequence: CaseNumberSequence = self.repository.get(
                CaseNumberSequence.id_for(authority, year)
            )
        except AggregateNotFoundError:
            sequence = CaseNumberSequence.start(authority, year, ctx.actor, ctx.at)
        return sequence

    def _numbering_lock(self, authority: str) -> threading.Lock:
        """Optimistically, filings at one authority clash on its sequence and all but one
        start again: fifty at once cost some 1,200 attempts; queued, they cost fifty."""
        with self._numbering_guard:
            return self._numbering_locks.setdefault(authority, threading.Lock())
