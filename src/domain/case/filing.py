"""Filing (申请): an application received online or at the service hall (SAMR 14: received
when it reaches the platform or is handed in, at any hour).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from xuke.domain.case.core import STATE_FIELDS, CaseCore
from xuke.domain.case_numbers import case_id_for
from xuke.domain.case_records import (
    ApplicantRecord,
    CommandContext,
)
from xuke.domain.catalogue import LicenseItem
from xuke.domain.deadlines import (
    ARTICLE_DECISION,
    DEFAULT_EXTENSION_DAYS,
    SERVICE_PERIOD_DAYS,
)
from xuke.domain.errors import (
    ValidationFailed,
)
from xuke.domain.free_form import require_json_object
from xuke.domain.model import Aggregate
from xuke.domain.stages import (
    ApplicationKind,
    CaseStatus,
    Stage,
)

if TYPE_CHECKING:
    from xuke.domain.case import LicenseCase

# How far back a hall receipt may be entered. The clock runs from the day of receipt (Law 32),
# so an old date at once deems the case accepted; older than this is taken for a typo.
LATE_ENTRY_LIMIT = dt.timedelta(days=366)


class ApplicationFiled(Aggregate.Created):
    """申请: an application was received, online or at the service hall."""

    case_no: str
    item_code: str
    item_name: str
    item_abbreviation: str
    legal_time_limit_days: int
    committed_time_limit_days: int | None
    certificate_validity_years: int | None
    required_materials: tuple[str, ...]
    applicant: ApplicantRecord
    applicant_division: str
    jurisdiction_code: str
    channel: str
    materials: tuple[str, ...]
    form: dict[str, Any]
    received_at: dt.datetime
    query_code_hash: str
    extension_days: int | None = DEFAULT_EXTENSION_DAYS
    decision_article: str = ARTICLE_DECISION
    kind: ApplicationKind = ApplicationKind.NEW
    licence_no: str | None = None
    preliminary_org: str | None = None  # Law 43: the lower authority that accepts first
    item_version: int = 1  # the catalogue version filed under (events before it: version 1)

    def apply(self, case: Any) -> None:
        for name in type(self).model_fields:
            if name in STATE_FIELDS:
                setattr(case, name, getattr(self, name))
        case.filed_by = self.actor
        case.status = CaseStatus.SUBMITTED
        case.stage, case.task, case.tasks_opened = Stage.ACCEPTANCE, None, 0
        case.correction = case.correction_received_on = None
        case.accepted_on = case.acceptance_decided_on = None
        case.deemed_accepted = case.extended = False
        case.opinions, case.suspensions = (), ()
        case.status_before_suspension = case.extension_reason = None
        case.decision = case.decided_on = case.decision_reason = None
        case.certificate_no = case.valid_from = case.valid_to = None
        case.service = case.closed_on = case.closing_reason = None
        case.correction_extended_by, case.termination_ground = 0, None
        case.hearing = case.preliminary = None
        case.attachments = case.documents = ()
        case.extension_added, case.service_limit_days = (
            DEFAULT_EXTENSION_DAYS,
            SERVICE_PERIOD_DAYS,
        )
        case._open_task(Stage.ACCEPTANCE, self.timestamp)


class Filing(CaseCore):
    """在线申报 / 窗口收件."""

    @classmethod
    def file(
        cls,
        ctx: CommandContext,
        *,
        case_no: str,
        item: LicenseItem,
        applicant: ApplicantRecord,
        applicant_division: str,
        jurisdiction_code: str,
        channel: str,
        materials: tuple[str, ...],
        form: dict[str, Any],
        received_at: dt.datetime,
        query_code_hash: str,
        kind: ApplicationKind = ApplicationKind.NEW,
        licence_no: str | None = None,
        preliminary_org: str | None = None,
    ) -> LicenseCase:
        """在线申报 / 窗口收件. Materials must be ones the item knows of; missing required
        ones are what the correction notice is for, so they do not block filing."""
        if channel not in ("ONLINE", "HALL"):
            raise ValidationFailed("渠道必须是 ONLINE 或 HALL", "channel")
        if received_at > ctx.at:
            raise ValidationFailed("收件时间不能晚于当前时间", "receivedAt")
        if received_at < ctx.at - LATE_ENTRY_LIMIT:  # a typo, not a paper found in a drawer
            raise ValidationFailed(
                f"收件时间不能早于当前时间 {LATE_ENTRY_LIMIT.days} 天以上（请核对年份）",
                "receivedAt",
            )
        unknown = set(materials) - item.material_codes
        if unknown:
            raise ValidationFailed(f"未知的申请材料: {', '.join(sorted(unknown))}", "materials")
        require_json_object(form, "form")
        if (kind is ApplicationKind.NEW) != (licence_no is None):
            raise ValidationFailed(
                "变更、延续、注销、补办、更正须填写所涉许可证编号；新申请不填", "certificateNo"
            )
        case: LicenseCase = cls._create(
            cls.ApplicationFiled,  # type: ignore[attr-defined]  # LicenseCase's own class
            id=case_id_for(case_no),
            actor=ctx.actor,
            timestamp=ctx.at,
            idempotency_key=ctx.idempotency_key,
            case_no=case_no,
            item_code=item.code,
            item_name=item.name,
            item_abbreviation=item.abbreviation,
            legal_time_limit_days=item.legal_time_limit_days,
            committed_time_limit_days=item.committed_time_limit_days,
            certificate_validity_years=item.certificate_validity_years,
            required_materials=tuple(sorted(item.required_material_codes)),
            applicant=applicant,
            applicant_division=applicant_division,
            jurisdiction_code=jurisdiction_code,
            channel=channel,
            materials=tuple(sorted(set(materials))),
            form=form,
            received_at=received_at,
            query_code_hash=query_code_hash,
            extension_days=item.extension_days,
            decision_article=item.legal_time_limit_article,
            kind=kind,
            licence_no=licence_no,
            preliminary_org=preliminary_org,
            item_version=item.version,
        )
        return case
