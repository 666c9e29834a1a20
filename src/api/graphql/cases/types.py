"""The case as clients see it: the ``Case`` with its applicant, opinions, deadlines and event
history, and the replay for auditors."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry.scalars import JSON

from xuke.api.context import Context
from xuke.api.graphql.common.documents import Document
from xuke.api.graphql.common.types import (
    ApplicationKind,
    CaseStatus,
    Info,
    LicenseItem,
    Opinion,
    Role,
    Stage,
)
from xuke.api.graphql.deadlines import Deadlines
from xuke.api.materials import download_url
from xuke.application.principal import Principal as DomainPrincipal
from xuke.application.summaries import label, summarize
from xuke.domain.case import LicenseCase
from xuke.domain.case_records import ApplicantRecord, AttachmentRecord
from xuke.domain.case_records import StageOpinion as DomainOpinion
from xuke.domain.model import DomainEvent, local_date
from xuke.domain.roles import OVERSIGHT_ROLES, STAFF_ROLES

STAFF_PLACEHOLDER = "工作人员"  # what applicants see instead of a staff member's user id
TASK_EVENTS = frozenset({"TaskClaimed", "TaskReleased", "TaskReassigned"})  # name staff


def sees_internals(principal: DomainPrincipal | None) -> bool:
    """Staff and oversight roles see who did what and each stage's own fields; applicants
    (and the public) see the opinions as the seed promises: stage, opinion and comment."""
    return principal is not None and bool(principal.roles & (STAFF_ROLES | OVERSIGHT_ROLES))


if TYPE_CHECKING:
    from xuke.api.graphql.cases.hearings import Hearing
    from xuke.api.graphql.cases.preliminary import PreliminaryReview

_HEARINGS = strawberry.lazy("xuke.api.graphql.cases.hearings")  # its mutations need ``Case``
_PRELIMINARY = strawberry.lazy("xuke.api.graphql.cases.preliminary")


@strawberry.type
class Applicant:
    kind: str
    name: str
    credit_code: str | None
    id_number_masked: str | None
    contact_phone_masked: str | None

    @classmethod
    def of(cls, applicant: ApplicantRecord, public: bool) -> Applicant:
        """Masked as for cases (a licence's holder too); without a login (the public view)
        the name is its public form."""
        return cls(
            kind=applicant.kind,
            name=applicant.public_name if public else applicant.name,
            credit_code=applicant.credit_code,
            id_number_masked=applicant.id_number_masked,
            contact_phone_masked=applicant.contact_phone_masked,
        )


@strawberry.type
class CaseEvent:
    version: int
    type: str
    occurred_at: dt.datetime
    actor_id: str
    actor_role: Role | None
    event: strawberry.Private[DomainEvent]
    full: strawberry.Private[bool]  # the caller may see the event's data
    internal: strawberry.Private[bool] = True  # the caller may see staff user ids

    @strawberry.field
    def summary(self) -> str:
        if not self.internal and type(self.event).__name__ in TASK_EVENTS:
            return label(self.event)  # "签收", without whose hands
        return summarize(self.event)

    @strawberry.field
    def data(self) -> JSON | None:
        if not self.full:
            return None
        return cast(JSON, self.event.model_dump(mode="json", exclude={"originator_id"}))

    @classmethod
    def of(cls, event: DomainEvent, principal: DomainPrincipal | None) -> CaseEvent:
        """Summary and data are made only if asked for: a history of 50 events is mostly
        asked for its versions, types and times."""
        internal = sees_internals(principal)
        staff = event.actor.role is not None and event.actor.role is not Role.APPLICANT
        return cls(
            version=event.originator_version,
            type=type(event).__name__,
            occurred_at=event.timestamp,
            actor_id=STAFF_PLACEHOLDER if staff and not internal else event.actor.id,
            actor_role=event.actor.role,
            event=event,
            full=principal is not None and bool(principal.roles & OVERSIGHT_ROLES),
            internal=internal,
        )


@strawberry.type(
    description="An opinion carried forward to later stages, with the fields this stage's department added (seed: no re-entry, own fields per stage)."
)
class StageOpinion:
    stage: Stage
    opinion: Opinion
    comment: str
    fields: JSON | None
    actor_id: str
    at: dt.datetime

    @classmethod
    def of(cls, o: DomainOpinion, shown: frozenset[str] | None = None) -> StageOpinion:
        """``shown``: for an applicant, the keys of ``fields`` they may see (the setting
        ``XUKE_APPLICANT_OPINION_FIELDS``), and no staff user id; None: everything."""
        if shown is None:
            fields, actor_id = o.fields, o.actor_id
        else:
            kept = {k: v for k, v in (o.fields or {}).items() if k in shown}
            fields, actor_id = kept or None, STAFF_PLACEHOLDER
        return cls(
            stage=o.stage, opinion=o.opinion, comment=o.comment, fields=cast(JSON, fields),
            actor_id=actor_id, at=o.at,
        )  # fmt: skip


@strawberry.type(description="A file handed in for one of the item's materials.")
class Attachment:
    material_code: str
    file_name: str
    sha256: str
    size: int
    content_type: str
    uploaded_at: dt.datetime = strawberry.field(description="when it was handed in to the case")
    url: str = strawberry.field(
        description="download for the applicant and the case's staff only (bearer token)"
    )

    @classmethod
    def of(cls, a: AttachmentRecord, case_no: str) -> Attachment:
        return cls(
            material_code=a.material_code, file_name=a.file_name, sha256=a.sha256, size=a.size,
            content_type=a.content_type, uploaded_at=a.attached_at,
            url=download_url(case_no, a.sha256),
        )  # fmt: skip


@strawberry.type
class Case:
    id: strawberry.ID
    case_no: str
    item: LicenseItem
    applicant: Applicant
    jurisdiction_code: str
    status: CaseStatus
    stage: Stage
    version: int
    received_on: dt.date
    accepted_on: dt.date | None
    decided_on: dt.date | None
    decision: str | None
    certificate_no: str | None
    kind: ApplicationKind
    opinions: list[StageOpinion]
    aggregate: strawberry.Private[LicenseCase]

    @strawberry.field
    async def deadlines(self, info: Info) -> Deadlines:
        """Counted only when asked for: it needs the calendar in force."""
        ctx = info.context
        calendar = await ctx.run(lambda: ctx.calendar)
        return Deadlines.of(
            ctx.services.app.deadlines(self.aggregate, ctx.services.today(), calendar),
            self.aggregate.clock(),
        )

    @strawberry.field(description="初审 (Law 43), for items a lower authority reviews first.")
    async def preliminary_review(
        self, info: Info
    ) -> Annotated[PreliminaryReview, _PRELIMINARY] | None:
        from xuke.api.graphql.cases.preliminary import preliminary_review_of

        return await preliminary_review_of(info, self.aggregate)

    @strawberry.field(description="听证 (Law 46-48): the case's latest hearing, if any.")
    async def hearing(self, info: Info) -> Annotated[Hearing, _HEARINGS] | None:
        from xuke.api.graphql.cases.hearings import hearing_of  # it imports the payloads

        return await hearing_of(info, self.aggregate)

    @strawberry.field(
        description="Files for the item's materials; a required material without one is missing (compare item.requiredMaterials)."
    )
    def attachments(self, info: Info) -> list[Attachment]:
        if info.context.principal is None:  # the public view: no files
            return []
        return [Attachment.of(a, self.case_no) for a in self.aggregate.attachments]

    @strawberry.field(
        description="The case's legal documents, as issued (文号, SHA-256, download link)."
    )
    def documents(self, info: Info) -> list[Document]:
        if info.context.principal is None:  # the public view: no documents
            return []
        return [Document.of(d) for d in self.aggregate.documents]

    @strawberry.field
    async def history(self, info: Info) -> list[CaseEvent]:
        ctx = info.context
        events = await ctx.run(ctx.services.app.history, self.aggregate, self.version)
        return [CaseEvent.of(e, ctx.principal) for e in events]

    @classmethod
    def of(cls, case: LicenseCase, ctx: Context) -> Case:
        return cls(
            id=strawberry.ID(str(case.id)),
            case_no=case.case_no,
            item=LicenseItem.of(ctx.services.app.catalogue.get(case.item_code, case.item_version)),
            applicant=_applicant(case, public=ctx.principal is None),
            jurisdiction_code=case.jurisdiction_code,
            status=case.status,
            stage=case.stage,
            version=case.version,
            received_on=local_date(case.received_at),
            accepted_on=case.accepted_on,
            decided_on=case.decided_on,
            decision=case.decision,
            certificate_no=case.certificate_no or case.licence_no,  # v2: the licence concerned
            kind=case.kind,
            opinions=[StageOpinion.of(o, _shown_fields(ctx)) for o in case.opinions],
            aggregate=case,
        )


def _shown_fields(ctx: Context) -> frozenset[str] | None:
    """None for staff and oversight (everything); else the opinion fields applicants see."""
    if sees_internals(ctx.principal):
        return None
    return frozenset(ctx.services.settings.applicant_opinion_fields)


def _applicant(case: LicenseCase, public: bool) -> Applicant:
    """Without a login (the public view) the applicant's name is its public form."""
    return Applicant.of(case.applicant, public)


@strawberry.type(description="Replay for auditors: the case exactly as it stood after `version`.")
class CaseHistory:
    case_no: str
    as_of_version: int
    events: list[CaseEvent]
    case: strawberry.Private[LicenseCase]

    @strawberry.field
    def state(self, info: Info) -> Case:
        return Case.of(self.case, info.context)
