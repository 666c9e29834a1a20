"""The contract's consultation types (schema-v2: ServiceGuide, GuideMaterial, ServiceWindow,
Consultation*), plus one addition: ``Consultation.contact``, shown only to the staff of the
authority the question was routed to (never on the public board)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import strawberry

from xuke.api.graphql.common.errors import UserError
from xuke.api.graphql.common.paging import PageInfo
from xuke.api.graphql.common.types import Info
from xuke.application.consultation import ConsultationCommands, GuideView
from xuke.domain.consultation import Consultation as DomainConsultation
from xuke.domain.consultation import ConsultationStatus
from xuke.domain.errors import DomainError
from xuke.projections.store import Row

strawberry.enum(ConsultationStatus, description="OPEN 待答复 · ANSWERED 已答复 · CLOSED 已关闭")


def template_url(item_code: str, template: str | None, material_code: str) -> str | None:
    return f"/guide/{item_code}/templates/{material_code}" if template else None


@strawberry.type
class GuideMaterial:
    code: str
    name: str
    required: bool
    copies: int
    original: bool
    note: str | None
    template_url: str | None


@strawberry.type
class ServiceWindow:
    org_code: str
    name: str
    address: str
    hours: str
    phone: str


@strawberry.type(
    description="办事指南: everything an applicant needs before filing. Public, no login."
)
class ServiceGuide:
    item_code: str
    item_name: str
    legal_basis: str
    conditions: list[str]
    materials: list[GuideMaterial]
    process: list[str]
    legal_time_limit_days: int
    committed_time_limit_days: int | None
    fee: str
    windows: list[ServiceWindow]
    version: int
    updated_on: dt.date

    @classmethod
    def of(cls, g: GuideView) -> ServiceGuide:
        item = g.item
        materials = [
            GuideMaterial(
                code=m.code, name=m.name, required=m.required, copies=m.copies,
                original=m.original, note=m.note,
                template_url=template_url(item.code, m.template, m.code),
            )
            for m in g.materials()  # the same reading as the page's (guide_materials)
        ]  # fmt: skip
        return cls(
            item_code=item.code, item_name=item.name, legal_basis=item.legal_basis,
            conditions=list(g.content.conditions), materials=materials, process=list(g.content.process),
            legal_time_limit_days=item.legal_time_limit_days,
            committed_time_limit_days=item.committed_time_limit_days, fee=g.content.fee,
            windows=[ServiceWindow(**w.model_dump()) for w in g.content.windows],
            version=g.version, updated_on=g.updated_on,
        )  # fmt: skip


@strawberry.type
class Consultation:
    id: strawberry.ID
    item_code: str | None
    question: str
    asked_at: dt.datetime
    status: ConsultationStatus
    answer: str | None
    answered_at: dt.datetime | None
    answered_by_org: str | None
    published: bool
    answer_due: dt.date | None
    answer_due_provisional: bool = strawberry.field(
        default=False,
        description="answerDue rests on an estimated calendar year: loading the year may move "
        "it, and no late card is raised on it before the latest plausible date (an addition).",
    )
    # May the caller read the contact (staff of the authority, on their own board)?
    contact_visible: strawberry.Private[bool] = False

    @strawberry.field(
        description="The asker's contact: only for the staff of the authority answering it; "
        "every read is recorded (Consultation.ContactRead, in the audit trail)."
    )
    async def contact(self, info: Info) -> str | None:
        if not self.contact_visible:
            return None
        ctx = info.context
        principal = ctx.principal
        if principal is None:
            return None
        services = ctx.services
        cmds = ConsultationCommands(services.app, services.settings.consultation_answer_days)
        try:
            found: str = await ctx.run(cmds.read_contact, principal, UUID(str(self.id)))
        except DomainError:
            return None  # not (or no longer) theirs to read
        return found

    @classmethod
    def of_row(cls, r: Row, staff: bool) -> Consultation:
        answered = r.get("answered_at")
        return cls(
            id=strawberry.ID(r["consultation_id"]), item_code=r["item_code"], question=r["question"],
            asked_at=dt.datetime.fromisoformat(r["asked_at"]), status=ConsultationStatus(r["status"]),
            answer=r["answer"], answered_at=dt.datetime.fromisoformat(answered) if answered else None,
            answered_by_org=r["answered_by_org"], published=bool(r["published"]),
            answer_due=dt.date.fromisoformat(r["answer_due"]),
            answer_due_provisional=bool(r.get("due_provisional")), contact_visible=staff,
        )  # fmt: skip

    @classmethod
    def of(cls, c: DomainConsultation, staff: bool) -> Consultation:
        return cls(
            id=strawberry.ID(str(c.id)), item_code=c.item_code, question=c.question,
            asked_at=c.asked_at, status=c.status, answer=c.answer, answered_at=c.answered_at,
            answered_by_org=c.answered_by_org, published=c.published, answer_due=c.answer_due,
            answer_due_provisional=c.due_provisional, contact_visible=staff,
        )  # fmt: skip


@strawberry.type
class ConsultationEdge:
    node: Consultation
    cursor: str


@strawberry.type
class ConsultationConnection:
    edges: list[ConsultationEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class ConsultationPayload:
    consultation: Consultation | None
    errors: list[UserError]


@strawberry.type
class ServiceGuidePayload:
    guide: ServiceGuide | None
    errors: list[UserError]


@strawberry.input
class ServiceWindowInput:
    org_code: str
    name: str
    address: str
    hours: str
    phone: str


@strawberry.input
class ServiceGuideInput:
    conditions: list[str]
    process: list[str]
    fee: str
    windows: list[ServiceWindowInput]
