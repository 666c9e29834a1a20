"""Decision (Law 38), certificate and service (Law 44; SAMR 62 → penalty procedure rules 82-83)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xuke.domain.case.core import CaseCore
from xuke.domain.case_records import (
    CommandContext,
    ServiceRecord,
)
from xuke.domain.deadlines import (
    public_notice_served_on,
    validity_end,
)
from xuke.domain.errors import (
    HearingNotHeld,
    InvalidState,
    ReasonRequired,
    ServiceMethodNotAllowed,
    ValidationFailed,
)
from xuke.domain.model import Aggregate, local_date
from xuke.domain.stages import (
    CLOCK_RUNNING,
    ApplicationKind,
    CaseStatus,
    ServiceMethod,
    Stage,
)

Certificate = tuple[str, dt.date, dt.date | None]  # number, valid from, valid to

REMEDIES_NOTICE = (
    "申请人如对本决定不服，可以自收到本决定书之日起六十日内依法申请行政复议，"
    "或者六个月内依法向人民法院提起行政诉讼。"
)


class LicenseGranted(Aggregate.Event):
    """准予许可 (Art. 38); public under Art. 40."""

    notice_no: str
    decided_on: dt.date
    reason: str

    def apply(self, case: Any) -> None:
        # A granted cancellation (SAMR 48) issues no certificate: the decision is served.
        cancels = case.kind is ApplicationKind.CANCELLATION
        next_stage = Stage.SERVICE if cancels else Stage.CERTIFICATION
        case._decide("GRANTED", self.decided_on, self.reason, next_stage, self.timestamp)


class LicenseDenied(Aggregate.Event):
    """不予许可: in writing, with reasons and the remedies (复议/诉讼) (Art. 38)."""

    notice_no: str
    decided_on: dt.date
    reason: str
    remedies: str
    service_limit_days: int | None = None  # Law 44 is for grants: only an own limit

    def apply(self, case: Any) -> None:
        case.service_limit_days = self.service_limit_days
        case._decide("DENIED", self.decided_on, self.reason, Stage.SERVICE, self.timestamp)


class CertificateIssued(Aggregate.Event):
    """制证: the licence certificate (Art. 39, 44)."""

    certificate_no: str
    valid_from: dt.date
    valid_to: dt.date | None

    def apply(self, case: Any) -> None:
        case.certificate_no = self.certificate_no
        case.valid_from, case.valid_to = self.valid_from, self.valid_to
        case._close_task()
        case._open_task(Stage.SERVICE, self.timestamp)


class DecisionServed(Aggregate.Event):
    """送达 (民事诉讼法 Arts. 87-95)."""

    service: ServiceRecord

    def apply(self, case: Any) -> None:
        case.service = self.service
        case._finish(CaseStatus.CLOSED, None, self.timestamp)


class Decision(CaseCore):
    """准予 / 不予许可, 制证, 送达."""

    def decide(
        self,
        ctx: CommandContext,
        grant: bool,
        reason: str,
        denial_service_days: int | None = None,
    ) -> None:
        """Law 38: a refusal needs reasons and states the remedies. Law 44's service limit
        is for grants; a denial gets the authority's own limit, if it set one. After a
        hearing, it rests on the record (Law 48(2)): none while one is awaited."""
        if self.hearing is not None and self.hearing.awaits_holding:
            raise HearingNotHeld("听证尚未举行：应当根据听证笔录作出决定")
        self._require_status(*CLOCK_RUNNING, action="作出决定")
        self._require_stage(Stage.APPROVAL, "作出决定")
        today = local_date(ctx.at)
        if grant:
            self._record(
                LicenseGranted,
                ctx,
                notice_no=self.notice_no("ZY"),
                decided_on=today,
                reason=reason.strip(),
            )
        else:
            self._record(
                LicenseDenied,
                ctx,
                notice_no=self.notice_no("BY"),
                decided_on=today,
                reason=self._require_reason(reason),
                remedies=REMEDIES_NOTICE,
                service_limit_days=denial_service_days,
            )

    def issue_certificate(self, ctx: CommandContext, licence: Certificate | None = None) -> None:
        """Law 44: the certificate. A new licence's is numbered after the case and valid for
        the item's term from the day of issue; a holder's later application (change,
        renewal, reissue, correction) issues the licence's certificate as the licence now
        stands (``licence``): the number is kept (条例 25 for renewals)."""
        self._require_status(CaseStatus.GRANTED, action="制证")
        self._require_stage(Stage.CERTIFICATION, "制证")
        if self.kind is not ApplicationKind.NEW:
            if licence is None:
                raise InvalidState("须依许可证现状制证")
            number, valid_from, valid_to = licence
        else:
            valid_from, valid_to = local_date(ctx.at), None
            if self.certificate_validity_years:
                valid_to = validity_end(valid_from, self.certificate_validity_years)
            authority, year, abbreviation, seq = self.case_no.split("-")
            number = f"XK{authority}-{abbreviation}-{year}-{seq}"
        self._record(
            CertificateIssued, ctx, certificate_no=number, valid_from=valid_from, valid_to=valid_to
        )

    def record_service(
        self,
        ctx: CommandContext,
        method: ServiceMethod,
        served_at: dt.datetime,
        proof: str | None = None,
        reason: str | None = None,
    ) -> None:
        """送达 (SAMR 62 → penalty procedure rules 82-83). The authority meets Law 44 on the
        day it serves — for a public notice, the day of the notice; the applicant is deemed
        served 30 days later, which starts their remedy periods."""
        self._require_status(CaseStatus.GRANTED, CaseStatus.DENIED, action="送达")
        self._require_stage(Stage.SERVICE, "送达")
        if served_at > ctx.at:
            raise ValidationFailed("送达时间不能晚于当前时间", "servedAt")
        if self.decided_on and local_date(served_at) < self.decided_on:
            raise ValidationFailed("送达时间不能早于决定日期", "servedAt")
        reason = self._check_service_method(method, reason)
        served_on = local_date(served_at)
        if method is ServiceMethod.PUBLIC_NOTICE:
            served_on = public_notice_served_on(served_on)
        record = ServiceRecord(
            method=method, served_at=served_at, deemed_served_on=served_on, proof=proof,
            reason=reason,
        )  # fmt: skip
        self._record(DecisionServed, ctx, service=record)

    def _check_service_method(self, method: ServiceMethod, reason: str | None) -> str | None:
        """Electronic service needs the applicant's consent and a confirmed address on the
        case; public notice and leaving at the address need the reason recorded."""
        if method is ServiceMethod.ELECTRONIC and not (
            self.form.get("electronicServiceConsent")
            and str(self.form.get("electronicServiceAddress") or "").strip()
        ):
            raise ServiceMethodNotAllowed(
                "电子送达须申请人同意并确认送达地址（electronicServiceConsent、electronicServiceAddress）",
                "method",
            )
        if method in (ServiceMethod.PUBLIC_NOTICE, ServiceMethod.LEFT_AT_ADDRESS):
            why = "公告送达须说明受送达人下落不明或者其他方式无法送达的理由"
            if method is ServiceMethod.LEFT_AT_ADDRESS:
                why = "留置送达须记明拒收事由"
            if not (reason or "").strip():
                raise ReasonRequired(why, "reason")
        return reason.strip() if reason and reason.strip() else None
