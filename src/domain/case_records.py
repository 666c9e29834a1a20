"""Value objects recorded in a licence case's events and held in its state."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import model_validator

from xuke.domain.errors import ValidationFailed
from xuke.domain.identifiers import (
    mask_id_number,
    mask_name,
    mask_phone,
    require_credit_code,
    require_id_number,
)
from xuke.domain.model import Actor, Immutable
from xuke.domain.stages import Opinion, ServiceMethod, Stage, SuspensionReason


class CommandContext(Immutable):
    """Who issues a command, when (the application's clock), under which idempotency key."""

    actor: Actor
    at: dt.datetime
    idempotency_key: str | None = None


class ApplicantRecord(Immutable):
    """The applicant as filed. An enterprise is identified by its credit code, a person by
    their ID number — the same value an APPLICANT's token carries as ``org``."""

    kind: Literal["ENTERPRISE", "PERSON"]
    name: str
    credit_code: str | None = None
    id_number: str | None = None
    contact_phone: str
    address: str

    @model_validator(mode="after")
    def _identified(self) -> ApplicantRecord:
        if self.kind == "ENTERPRISE" and not self.credit_code:
            raise ValueError("an enterprise needs a credit code")
        if self.kind == "PERSON" and not self.id_number:
            raise ValueError("a person needs an ID number")
        return self

    @classmethod
    def from_input(
        cls,
        kind: str,
        name: str,
        contact_phone: str,
        address: str,
        credit_code: str | None = None,
        id_number: str | None = None,
    ) -> ApplicantRecord:
        """Validate raw input into a record, raising ``ValidationFailed`` field by field."""
        if kind not in ("ENTERPRISE", "PERSON"):
            raise ValidationFailed("申请人类型必须是 ENTERPRISE 或 PERSON", "applicant.kind")
        if not name.strip():
            raise ValidationFailed("申请人名称不能为空", "applicant.name")
        if not contact_phone.strip() or not address.strip():
            raise ValidationFailed("联系电话和地址不能为空", "applicant.contactPhone")
        if kind == "ENTERPRISE":
            credit_code = require_credit_code(credit_code or "", "applicant.creditCode")
            id_number = None
        else:
            id_number = require_id_number(id_number or "", "applicant.idNumber")
            credit_code = None
        return cls(
            kind=kind,
            name=name.strip(),
            credit_code=credit_code,
            id_number=id_number,
            contact_phone=contact_phone.strip(),
            address=address.strip(),
        )

    @property
    def identity(self) -> str:
        """The key an applicant's token must carry to act on this case."""
        return self.credit_code or self.id_number or ""

    @property
    def public_name(self) -> str:
        """办事进度: an enterprise's name is public, a person's is masked (张*)."""
        return self.name if self.kind == "ENTERPRISE" else mask_name(self.name)

    @property
    def id_number_masked(self) -> str | None:
        return mask_id_number(self.id_number) if self.id_number else None

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)


class Task(Immutable):
    """One visit of the case to a stage: the unit of work in the inboxes (新建/待办/已办)."""

    no: int
    stage: Stage
    candidate_group: str | None
    arrived_at: dt.datetime
    assignee: str | None = None


class StageOpinion(Immutable):
    """An opinion carried forward to every later stage (seed point 6: no re-entry)."""

    stage: Stage
    opinion: Opinion
    comment: str
    fields: dict[str, Any] | None = None
    actor_id: str
    at: dt.datetime


class CorrectionNotice(Immutable):
    """补正告知: the single notice listing all missing materials (Art. 32)."""

    notice_no: str
    missing_materials: tuple[str, ...]
    note: str
    requested_on: dt.date
    period_days: int | None = None  # SAMR 15(4): the period set (None on notices before it)


class Suspension(Immutable):
    """Art. 45: a period whose working days do not count towards the decision limit."""

    reason: SuspensionReason
    expected_working_days: int
    note: str
    start: dt.date
    end: dt.date | None = None


class ServiceRecord(Immutable):
    """送达: how and when the decision reached the applicant."""

    method: ServiceMethod
    served_at: dt.datetime
    deemed_served_on: dt.date  # starts the applicant's remedy periods (public notice: +30 days)
    proof: str | None = None
    reason: str | None = None  # why public notice or leaving at the address was needed
