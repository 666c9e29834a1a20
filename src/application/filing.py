"""在线申报 / 窗口收件: filing an application, numbered by its competent authority.

The item and the competent authority are resolved once; the case number comes from this
process's block of the authority-year's numbers (``case_number_blocks.py``), so filings at one
authority share group commits and processes never clash on the numbering.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from xuke.domain.case import LicenseCase
from xuke.domain.case_numbers import case_id_for, format_case_no
from xuke.domain.case_records import ApplicantRecord, CommandContext
from xuke.domain.errors import Conflict, ValidationFailed
from xuke.domain.licence import Licence
from xuke.domain.model import Aggregate, local_date
from xuke.domain.organisations import preliminary_level
from xuke.domain.stages import ApplicationKind

from . import authorization as authz
from .attachments import AttachmentFile
from .case_number_blocks import NumberBlocks
from .commands import CommandResult
from .parts import ApplicationParts
from .principal import Principal

FILING_RETRIES = 50  # a number found taken (its commit's answer lost) is skipped, not reported


class Filing(ApplicationParts):
    case_numbers: NumberBlocks

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
        # The item version and the tree in force now, whichever process changed them last.
        catalogue, organisations = self.current_catalogue(), self.current_organisations()
        item = catalogue.get(item_code)
        authority = organisations.competent_authority(item.level, jurisdiction_code)
        accepting = authority  # Law 43: a lower authority accepts and reviews first
        if item.preliminary_review:
            level = preliminary_level(item.level)
            accepting = organisations.competent_authority(level, jurisdiction_code)

        def act(at: dt.datetime) -> tuple[LicenseCase, Sequence[Aggregate]]:
            record = ApplicantRecord.from_input(**applicant)
            role = self.guard.authorize(
                lambda: authz.require_filer(principal, record.identity, channel, accepting.code)
            )
            if kind in (ApplicationKind.NEW, ApplicationKind.RENEWAL):
                catalogue.for_filing(item_code)  # a retired item takes none (ItemRetired)
            licence = self._licence_concerned(principal, kind, certificate_no, record, item_code)
            if received_at is not None and (channel != "HALL" or received_at.tzinfo is None):
                raise ValidationFailed("receivedAt 只用于窗口收件，且须带时区", "receivedAt")
            ctx = CommandContext(
                actor=principal.acting_as(role), at=at, idempotency_key=idempotency_key
            )
            year = local_date(at).year
            number = self.case_numbers.take(authority.code, year, ctx.actor, at)
            taken[:] = [(authority.code, year, number)]  # an earlier attempt's: skipped
            case_no = format_case_no(authority.code, year, item.abbreviation, number)
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
                return case, []
            filed_on = local_date(received_at or at)
            licence.link_case(ctx, case_no, kind, self.working_calendar(), filed_on)
            return case, [licence]

        # The number comes from this process's block (case_number_blocks.py): no lock is held
        # across the commit, and a number the filing did not use is given back.
        taken: list[tuple[str, int, int]] = []
        try:
            result = self.runner.execute(
                principal, "fileApplication", inputs, idempotency_key, act, FILING_RETRIES
            )
        except Conflict:
            raise  # refused on a unique key: the number may be a case's already
        except BaseException:
            for number in taken:
                self.case_numbers.give_back(*number)
            raise
        if result.replayed:
            for number in taken:
                self.case_numbers.give_back(*number)
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
