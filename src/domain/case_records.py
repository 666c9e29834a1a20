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
    require_phone,
)
from xuke.domain.model import Actor, Immutable
from xuke.domain.stages import (
    HEARING_OPEN,
    HearingBasis,
    HearingStatus,
    Opinion,
    ServiceMethod,
    Stage,
    SuspensionReason,
)


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
        contact_phone = require_phone(contact_phone, "applicant.contactPhone")
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


class PreliminaryReviewRecord(Immutable):
    """初审 (Law 43): what the lower authority sent up with the whole file."""

    reviewing_org: str
    opinion: Opinion
    comment: str
    actor_id: str
    forwarded_on: dt.date


class ServiceRecord(Immutable):
    """送达: how and when the decision reached the applicant."""

    method: ServiceMethod
    served_at: dt.datetime
    deemed_served_on: dt.date  # starts the applicant's remedy periods (public notice: +30 days)
    proof: str | None = None
    reason: str | None = None  # why public notice or leaving at the address was needed


class HearingRecord(Immutable):
    """听证 (Law 46-48; SAMR 53-59): the case's latest hearing. Its request and hold-by dates
    are not stored: they follow from ``notified_on`` and ``requested_on`` on the calendar in
    force (``deadlines.hearing_request_due``, ``hearing_hold_due``), like every limit."""

    basis: HearingBasis
    status: HearingStatus
    note: str
    notified_on: dt.date
    noticed_by: str  # the staff member who gave notice (Law 48(3): may not preside)
    requested_on: dt.date | None = None
    scheduled_at: dt.datetime | None = None
    place: str | None = None
    presiding_officer: str | None = None  # an actor id (user id) of the authority's staff
    held_on: dt.date | None = None
    record: str | None = None  # 听证笔录: the decision rests on it (Law 48(2))
    lapsed: bool = False  # WAIVED by law: no request within the 5 days (Law 47)

    @property
    def is_open(self) -> bool:
        return self.status in HEARING_OPEN

    @property
    def request_window_from(self) -> dt.date | None:
        """Law 47: the applicant's 5 days run from the written notice of the right."""
        return self.notified_on if self.basis is HearingBasis.ARTICLE_47_RIGHT else None

    @property
    def hold_from(self) -> dt.date | None:
        """Law 47: held within 20 days of the request. Our reading for an Art. 46 hearing (no
        request): the same 20 days from its notice, so the stopped clock cannot stay stopped."""
        if self.basis is HearingBasis.PUBLIC_INTEREST:
            return self.notified_on
        return self.requested_on

    @property
    def awaits_holding(self) -> bool:
        """Asked for (or the organ's own) and not yet held: no decision before its record."""
        if self.basis is HearingBasis.PUBLIC_INTEREST:
            return self.is_open
        return self.status in (HearingStatus.REQUESTED, HearingStatus.SCHEDULED)


class AttachmentRecord(Immutable):
    """A file handed in as one of the item's materials: its hash, size and type as the blob
    store knows them, and the name the sender gave it. The bytes stay in the blob store."""

    material_code: str
    file_name: str
    sha256: str
    size: int
    content_type: str
    attached_at: dt.datetime  # when it was handed in to the case (the event's time)
