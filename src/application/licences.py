"""Licences after grant (Laws 8, 49, 50, 69, 70; SAMR 25-52): reading a licence, the
authority's own acts on it (撤销 / 撤回 proceedings, 注销), what the law does by itself when a
term ends (deemed renewal, expiry), and what a holder's case does to its licence.

A licence is its own aggregate (``domain/licence.py``). A case and its licence change in one
transaction: the case command returns the licence it changed and both are saved together, so
a certificate never exists without its licence, nor a renewal without its case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from xuke.domain.case import LicenseCase
from xuke.domain.case.decision import Certificate
from xuke.domain.case_records import CommandContext
from xuke.domain.documents import DocumentRecord
from xuke.domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from xuke.domain.licence import CancellationGround, Licence, ProceedingKind
from xuke.domain.model import Aggregate, DomainEvent, local_date
from xuke.domain.roles import OVERSIGHT_ROLES, STAFF_ROLES
from xuke.domain.stages import TERMINAL, ApplicationKind, CaseStatus

from . import authorization as authz
from .commands import CommandResult
from .parts import ApplicationParts
from .principal import SYSTEM, Principal

LicenceChange = Callable[[Licence, CommandContext], None]
LicenceResult = CommandResult[Licence]


class LicenceCommands(ApplicationParts):
    # ---------------------------------------------------------------- reads

    def get_licence(self, certificate_no: str) -> Licence:
        try:
            licence: Licence = self.repository.get(Licence.id_for(certificate_no))
        except AggregateNotFoundError:
            raise NotFound(f"许可证 {certificate_no} 不存在") from None
        return licence

    def licence_for(self, principal: Principal, certificate_no: str) -> Licence | None:
        """Its holder, staff of its jurisdiction, supervisors and auditors; None otherwise."""
        try:
            licence = self.get_licence(certificate_no)
        except NotFound:
            return None
        if authz.is_holder(principal, licence.holder.identity):
            return licence
        inside = principal.roles & (STAFF_ROLES | OVERSIGHT_ROLES)
        return licence if inside and principal.covers(licence.jurisdiction_code) else None

    def licence_as_of(
        self, principal: Principal, certificate_no: str, version: int | None = None
    ) -> Licence:
        """Auditors' replay of a licence, as it stood after ``version``."""
        if not principal.roles & OVERSIGHT_ROLES:
            raise authz.Forbidden(
                "回溯许可证记录需要 AUDITOR、SUPERVISOR 或 ADMIN 角色", principal, "回溯"
            )
        latest = self.get_licence(certificate_no)
        if version is None:
            return latest
        if not 1 <= version <= latest.version:
            raise ValidationFailed(f"版本必须在 1 到 {latest.version} 之间", "asOfVersion")
        licence: Licence = self.repository.get(latest.id, version=version)
        return licence

    def licence_history(self, licence: Licence) -> list[DomainEvent]:
        events = self.histories.events(licence.id)[: licence.version]
        return [e for e in events if isinstance(e, DomainEvent)]

    # ---------------------------------------------------------------- the authority's acts

    def open_proceedings(
        self, principal: Principal, certificate_no: str, kind: ProceedingKind, grounds: str,
        idempotency_key: str | None = None,
    ) -> LicenceResult:  # fmt: skip
        """撤销 / 撤回 begin with a notice: the granting authority or its superior (SAMR 40)."""
        return self._licence_command(
            principal, "openProceedings", certificate_no, {"kind": kind, "grounds": grounds},
            idempotency_key, authz.require_licence_authority,
            lambda lic, ctx: lic.open_proceedings(ctx, kind, grounds, principal.org_code, self.working_calendar()),
        )  # fmt: skip

    def request_licence_hearing(
        self, principal: Principal, certificate_no: str, idempotency_key: str | None = None
    ) -> LicenceResult:
        """The holder asks for a hearing within the statement window (Law 47, SAMR 53)."""
        return self._licence_command(
            principal, "requestLicenceHearing", certificate_no, {}, idempotency_key,
            authz.require_holder,
            lambda lic, ctx: lic.request_hearing(ctx, local_date(ctx.at)),
        )  # fmt: skip

    def record_licence_hearing(
        self, principal: Principal, certificate_no: str, record: str,
        idempotency_key: str | None = None,
    ) -> LicenceResult:  # fmt: skip
        """听证笔录 of a proceedings hearing (Law 48); its time does not count (SAMR 34)."""
        return self._licence_command(
            principal, "recordLicenceHearing", certificate_no, {"record": record}, idempotency_key,
            authz.require_licence_authority,
            lambda lic, ctx: lic.record_licence_hearing(ctx, record, self.working_calendar()),
        )  # fmt: skip

    def extend_proceedings(
        self, principal: Principal, certificate_no: str, reason: str,
        idempotency_key: str | None = None,
    ) -> LicenceResult:  # fmt: skip
        """SAMR 45: the decision limit of the proceedings extended once, by 20 working days."""
        return self._licence_command(
            principal, "extendProceedings", certificate_no, {"reason": reason}, idempotency_key,
            authz.require_licence_authority,
            lambda lic, ctx: lic.extend_proceedings(ctx, reason, self.working_calendar()),
        )  # fmt: skip

    def discontinue_proceedings(
        self, principal: Principal, certificate_no: str, reason: str,
        idempotency_key: str | None = None,
    ) -> LicenceResult:  # fmt: skip
        """不予撤销 / 撤回: the proceedings end and the licence stays VALID."""
        return self._licence_command(
            principal, "discontinueProceedings", certificate_no, {"reason": reason},
            idempotency_key, authz.require_licence_authority,
            lambda lic, ctx: lic.discontinue_proceedings(ctx, reason),
        )  # fmt: skip

    def revoke_licence(
        self, principal: Principal, certificate_no: str, reason: str,
        idempotency_key: str | None = None,
    ) -> LicenceResult:  # fmt: skip
        """撤销 (Law 69), after the statement window or the requested hearing."""
        return self._licence_command(
            principal, "revokeLicence", certificate_no, {"reason": reason}, idempotency_key,
            authz.require_licence_authority,
            lambda lic, ctx: lic.revoke(ctx, reason, local_date(ctx.at)),
        )  # fmt: skip

    def withdraw_licence(
        self, principal: Principal, certificate_no: str, reason: str,
        idempotency_key: str | None = None,
    ) -> LicenceResult:  # fmt: skip
        """撤回 (Law 8), after the statement window or the requested hearing."""
        return self._licence_command(
            principal, "withdrawLicence", certificate_no, {"reason": reason}, idempotency_key,
            authz.require_licence_authority,
            lambda lic, ctx: lic.withdraw(ctx, reason, local_date(ctx.at)),
        )  # fmt: skip

    def cancel_licence(
        self, principal: Principal, certificate_no: str, ground: CancellationGround, note: str,
        idempotency_key: str | None = None,
    ) -> LicenceResult:  # fmt: skip
        """注销 on the authority's own motion (Law 70)."""
        return self._licence_command(
            principal, "cancelLicence", certificate_no, {"ground": ground, "note": note},
            idempotency_key, authz.require_licence_authority,
            lambda lic, ctx: lic.cancel(ctx, ground, note, local_date(ctx.at)),
        )  # fmt: skip

    # ---------------------------------------------------------------- what the law does itself

    def deem_renewed_if_due(self, certificate_no: str) -> LicenceResult | None:
        """Law 50, SAMR 27: a renewal filed in time and still undecided the day after the
        term ends is deemed granted. None when not due (so several watchers may try)."""
        licence = self.get_licence(certificate_no)
        pending = licence.pending_renewal_case
        if pending is None or self.get_case(pending).status in TERMINAL:
            return None
        return self._system_licence_command(
            "deemRenewed",
            certificate_no,
            lambda lic, ctx: lic.deem_renewed(ctx, local_date(ctx.at)),
        )

    def expire_if_due(self, certificate_no: str) -> LicenceResult | None:
        """The term ran out without a renewal: EXPIRED (cancellation follows, Law 70(1))."""
        return self._system_licence_command(
            "expireLicence", certificate_no, lambda lic, ctx: lic.expire(ctx, local_date(ctx.at))
        )

    def record_licence_document(
        self, certificate_no: str, record: DocumentRecord
    ) -> LicenceResult | None:
        """出具文书 on a licence, by the system: None when already on record."""
        return self._system_licence_command(
            "recordDocument", certificate_no, lambda lic, ctx: lic.record_document(ctx, record)
        )

    # ---------------------------------------------------------------- a case's licence

    def _certificate_for(
        self, case: LicenseCase, ctx: CommandContext
    ) -> tuple[Licence | None, Certificate | None]:
        """Before a holder's case issues its certificate, its licence changes as granted:
        renewed from validTo + 1, changed, reissued or corrected; the certificate then shows
        the licence as it now stands, under its own number."""
        if case.kind is ApplicationKind.NEW or case.licence_no is None:
            return None, None
        licence = self.get_licence(case.licence_no)
        kind, form = case.kind, case.form
        if kind is ApplicationKind.RENEWAL and licence.pending_renewal_case == case.case_no:
            licence.renew(ctx, case.case_no, case.decided_on or local_date(ctx.at))
        elif kind is ApplicationKind.CHANGE:
            licence.change(ctx, case.case_no, holder=case.applicant, scope=form.get("scope"))
        elif kind is ApplicationKind.REISSUE:
            licence.reissue(ctx, case.case_no)
        elif kind is ApplicationKind.CERTIFICATE_CORRECTION:
            licence.correct_certificate(ctx, case.case_no, dict(form.get("corrections") or {}))
        return licence, (licence.certificate_no, licence.valid_from, licence.valid_to)

    def _licence_follows(self, case: LicenseCase, ctx: CommandContext) -> Sequence[Aggregate]:
        """What a case event just recorded does to a licence: a new licence's certificate
        creates it; a granted cancellation cancels it (SAMR 48); a renewal ending without a
        grant leaves no renewal pending."""
        event = case.pending_events[-1] if case.pending_events else None
        if isinstance(event, LicenseCase.CertificateIssued) and case.kind is ApplicationKind.NEW:
            return [self._new_licence(case, ctx)]
        if case.licence_no is None or case.kind is ApplicationKind.NEW:
            return []
        if (
            isinstance(event, LicenseCase.LicenseGranted)
            and case.kind is ApplicationKind.CANCELLATION
        ):
            licence = self.get_licence(case.licence_no)
            note = f"被许可人申请注销（{case.case_no}）"
            licence.cancel(ctx, CancellationGround.OTHER_BY_LAW, note, local_date(ctx.at))
            return [licence]
        ended = case.status in TERMINAL or case.status is CaseStatus.DENIED
        if case.kind is ApplicationKind.RENEWAL and ended and case.decision != "GRANTED":
            licence = self.get_licence(case.licence_no)
            if licence.pending_renewal_case == case.case_no:
                licence.close_renewal(ctx, case.case_no, case.status.value)
                return [licence]
        return []

    def _new_licence(self, case: LicenseCase, ctx: CommandContext) -> Licence:
        item = self.catalogue.get(case.item_code, case.item_version)  # the case's version
        assert case.certificate_no is not None and case.valid_from is not None
        return Licence.issue(
            ctx, certificate_no=case.certificate_no, case_no=case.case_no,
            item_code=case.item_code, item_name=case.item_name, holder=case.applicant,
            jurisdiction_code=case.jurisdiction_code, valid_from=case.valid_from,
            valid_to=case.valid_to, validity_years=case.certificate_validity_years,
            scope=case.form.get("scope"), renewal_months_before=item.renewal_months_before,
            renewal_working_days_before=item.renewal_working_days_before,
        )  # fmt: skip

    # ---------------------------------------------------------------- machinery

    def _licence_command(
        self,
        principal: Principal,
        command: str,
        certificate_no: str,
        inputs: dict[str, Any],
        idempotency_key: str | None,
        authorize: Callable[[Principal, Licence, str], Any],
        change: LicenceChange,
    ) -> LicenceResult:
        def act(at: dt.datetime) -> tuple[Licence, Sequence[Aggregate]]:
            licence = self.get_licence(certificate_no)
            role = self.guard.authorize(lambda: authorize(principal, licence, command))
            actor = principal.acting_as(role)
            change(licence, CommandContext(actor=actor, at=at, idempotency_key=idempotency_key))
            return licence, []

        inputs = {"certificate_no": certificate_no, **inputs}
        return self.runner.execute(principal, command, inputs, idempotency_key, act)

    def _system_licence_command(
        self, command: str, certificate_no: str, change: LicenceChange
    ) -> LicenceResult | None:
        try:
            return self._licence_command(
                SYSTEM, command, certificate_no, {}, None, lambda *_: None, change
            )
        except (Conflict, DomainError) as e:
            if isinstance(e, NotFound):
                raise
            return None
