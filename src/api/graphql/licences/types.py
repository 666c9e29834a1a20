"""The licence as clients see it (v2 "licences after grant"): its holder masked as a case's
applicant, its term and renewal date on the calendar in force, an open 撤销 / 撤回 procedure
with its hearing, and its event history summarised like a case's."""

from __future__ import annotations

import datetime as dt
from typing import cast

import strawberry
from strawberry.scalars import JSON

from xuke.api.context import Context
from xuke.api.graphql.cases.hearings import Hearing
from xuke.api.graphql.cases.types import Applicant, CaseEvent
from xuke.api.graphql.common.documents import Document
from xuke.api.graphql.common.errors import UserError
from xuke.api.graphql.common.types import Info, LicenceStatus, LicenseItem, ProceedingKind
from xuke.domain.deadlines import HEARING_HOLD_DAYS
from xuke.domain.licence import Licence as DomainLicence
from xuke.domain.licence import Proceedings
from xuke.domain.stages import HearingBasis, HearingStatus

DECIDED = frozenset({LicenceStatus.REVOKED, LicenceStatus.WITHDRAWN})


@strawberry.type(
    description="Revocation and withdrawal are procedures: notice, 5 days to state one's case "
    "(陈述申辩), a hearing on request, then a decision."
)
class LicenceProceedings:
    kind: ProceedingKind
    grounds: str
    opened_by: str = strawberry.field(
        description="the granting authority or its superior (SAMR 40)"
    )
    noticed_on: dt.date
    statement_by: dt.date = strawberry.field(description="notice + 5 working days")
    hearing: Hearing | None = strawberry.field(
        description="Law 47: the right told with the notice, asked for by statementBy, "
        "held within 20 working days of the request."
    )
    decide_by: dt.date = strawberry.field(
        description="SAMR 45: 60 working days from the opening, + 20 once; hearing time excluded"
    )
    extended: bool
    compensation: str | None = strawberry.field(
        description="补偿 (撤回, Law 8) / 赔偿 (撤销, Law 69), recorded with the decision"
    )

    @classmethod
    def of(cls, p: Proceedings, hearing: Hearing | None) -> LicenceProceedings:
        return cls(
            kind=p.kind, grounds=p.grounds, opened_by=p.opened_by, noticed_on=p.noticed_on,
            statement_by=p.statement_by, hearing=hearing, decide_by=p.decide_by,
            extended=p.extended, compensation=p.compensation,
        )  # fmt: skip


def _hearing(p: Proceedings, today: dt.date, ctx: Context) -> Hearing:
    """The holder's right to a hearing (Law 47), told with the notice: asked for by the end
    of the statement window (else waived once it passed), held within 20 working days."""
    if p.hearing_held_on is not None:
        status = HearingStatus.HELD
    elif p.hearing_requested_on is not None:
        status = HearingStatus.REQUESTED
    elif today > p.statement_by or p.closed:
        status = HearingStatus.WAIVED
    else:
        status = HearingStatus.NOTIFIED
    hold_by = None
    if p.hearing_requested_on is not None:
        hold_by = ctx.calendar.add_working_days(p.hearing_requested_on, HEARING_HOLD_DAYS).date
    return Hearing(
        basis=HearingBasis.ARTICLE_47_RIGHT, status=status, notified_on=p.noticed_on,
        request_by=p.statement_by, requested_on=p.hearing_requested_on, hold_by=hold_by,
        scheduled_at=None, place=None, presiding_officer=None, held_on=p.hearing_held_on,
        record=p.hearing_record,
    )  # fmt: skip


@strawberry.type(description="许可证: one licence, from its certificate to its cancellation.")
class Licence:
    certificate_no: str
    item: LicenseItem
    holder: Applicant
    jurisdiction_code: str
    status: LicenceStatus
    valid_from: dt.date
    valid_to: dt.date | None
    aggregate: strawberry.Private[DomainLicence]

    @strawberry.field(
        description="The last day to file a RENEWAL (Law 50): the item's own rule (GYCP: "
        "validTo − 6 months), else 30 working days before validTo (SAMR 27, 77)."
    )
    async def renewal_apply_by(self, info: Info) -> dt.date | None:
        ctx = info.context
        calendar = await ctx.run(lambda: ctx.calendar)
        return self.aggregate.renewal_apply_by(calendar)

    @strawberry.field(description="Law 50: a renewal filed in time and not decided before validTo")
    def deemed_renewed(self) -> bool:
        return self.aggregate.deemed_renewed

    @strawberry.field(
        description="What the licence covers (products, sites …), changed by CHANGE cases"
    )
    def scope(self) -> JSON | None:
        return cast(JSON, self.aggregate.scope)

    @strawberry.field(description="The grant and every later case concerning it, oldest first")
    def case_nos(self) -> list[str]:
        return list(self.aggregate.case_nos)

    @strawberry.field(
        description="An open 撤销 / 撤回 procedure; after a revocation or withdrawal, the one "
        "that decided it (with any compensation)."
    )
    async def proceedings(self, info: Info) -> LicenceProceedings | None:
        p = self.aggregate.proceedings
        if p is None or (p.closed and self.status not in DECIDED):
            return None
        ctx = info.context
        hearing = await ctx.run(_hearing, p, ctx.services.today(), ctx)
        return LicenceProceedings.of(p, hearing)

    @strawberry.field
    def version(self) -> int:
        return self.aggregate.version

    @strawberry.field(description="Every event of the licence, oldest first, summarised.")
    async def history(self, info: Info) -> list[CaseEvent]:
        ctx = info.context
        events = await ctx.run(ctx.services.app.licence_history, self.aggregate)
        return [CaseEvent.of(e, ctx.principal) for e in events]

    @strawberry.field(
        description="The licence's legal documents (撤销 / 撤回 notices and decisions, 注销 "
        "announcements); its certificates are on the cases that issued them."
    )
    def documents(self, info: Info) -> list[Document]:
        if info.context.principal is None:
            return []
        return [Document.of(d) for d in self.aggregate.documents]

    @classmethod
    def of(cls, licence: DomainLicence, ctx: Context) -> Licence:
        return cls(
            certificate_no=licence.certificate_no,
            item=LicenseItem.of(ctx.services.app.catalogue.get(licence.item_code)),
            holder=Applicant.of(licence.holder, public=ctx.principal is None),
            jurisdiction_code=licence.jurisdiction_code,
            status=licence.status,
            valid_from=licence.valid_from,
            valid_to=licence.valid_to,
            aggregate=licence,
        )


@strawberry.type
class LicencePayload:
    licence: Licence | None
    errors: list[UserError]
