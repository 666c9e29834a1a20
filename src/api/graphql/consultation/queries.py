"""``serviceGuide`` (no login) and ``consultations``: the public board (published answers,
no contact) or, for staff, their authority's questions in every status (``status`` filters:
an addition to the contract, the staff's 待答复 tab is ``status: OPEN``)."""

from __future__ import annotations

import strawberry

from xuke.api.graphql.common.errors import top_level
from xuke.api.graphql.common.paging import edges, fetch_page, page_info
from xuke.api.graphql.common.types import Info
from xuke.api.graphql.consultation.types import (
    Consultation,
    ConsultationConnection,
    ConsultationEdge,
    ServiceGuide,
)
from xuke.application.consultation import ConsultationCommands
from xuke.domain.consultation import ConsultationStatus
from xuke.domain.errors import DomainError
from xuke.domain.roles import STAFF_ROLES
from xuke.projections.consultations import consultation_page


def commands(info: Info) -> ConsultationCommands:
    services = info.context.services
    settings = services.settings
    return ConsultationCommands(
        services.app, settings.consultation_answer_days, settings.home_authority
    )


@strawberry.type
class ConsultationQueries:
    @strawberry.field(description="办事指南 of a licence item; null for an unknown item. No login.")
    async def service_guide(self, info: Info, item_code: str) -> ServiceGuide | None:
        try:
            guide = await info.context.run(commands(info).guide, item_code)
        except DomainError:
            return None
        return ServiceGuide.of(guide)

    @strawberry.field(
        description="No login: published answers only, without contacts. Staff: their "
        "authority's questions in all statuses (status: OPEN is the 待答复 tab)."
    )
    async def consultations(
        self,
        info: Info,
        item_code: str | None = None,
        first: int | None = 20,
        after: str | None = None,
        status: ConsultationStatus | None = None,
    ) -> ConsultationConnection:
        ctx = info.context
        principal = ctx.principal
        staff = principal is not None and bool(principal.roles & STAFF_ROLES)
        if item_code is not None:
            try:
                item_code = (await ctx.run(commands(info).item, item_code)).code
            except DomainError as e:
                raise top_level(e) from None
        page = await fetch_page(
            ctx, lambda *a: consultation_page(
                ctx.services.views, first or 20, after, item_code=item_code,
                authority=principal.org_code if staff and principal else None,
                status=status.value if status else None,
            ),
        )  # fmt: skip
        return ConsultationConnection(
            edges=edges(page, ConsultationEdge, lambda r: Consultation.of_row(r, staff)),
            page_info=page_info(page),
            total_count=page.total_count,
        )
