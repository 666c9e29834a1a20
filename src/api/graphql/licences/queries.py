"""The licence query: one licence by its certificate number, for those who may see it."""

from __future__ import annotations

import strawberry

from xuke.api.graphql.common.types import Info
from xuke.api.graphql.licences.types import Licence


@strawberry.type
class LicenceQueries:
    @strawberry.field(
        description="Its holder; staff of its jurisdiction; SUPERVISOR, AUDITOR. null when "
        "absent or not visible to the caller."
    )
    async def licence(self, info: Info, certificate_no: str) -> Licence | None:
        ctx = info.context
        principal = ctx.require_principal()
        licence = await ctx.run(ctx.services.app.licence_for, principal, certificate_no)
        return Licence.of(licence, ctx) if licence else None
