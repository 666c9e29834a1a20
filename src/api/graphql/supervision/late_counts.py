"""Late tasks counted per authority or item (the supervisor dashboard's tables): the same
tasks as ``overdue`` and ``warnings``, so each column adds up to their ``totalCount``."""

from __future__ import annotations

from enum import Enum

import strawberry

from xuke.api.graphql.common.types import Info
from xuke.api.graphql.supervision.scope import InJurisdiction
from xuke.projections.live_queries import late_counts


@strawberry.enum
class LateGroup(Enum):
    DEPARTMENT = "DEPARTMENT"  # the case's authority (its division code)
    ITEM = "ITEM"  # the licence item's name


@strawberry.type(description="Open tasks overdue (RED) and in warning (YELLOW) today, per key.")
class LateCount:
    key: str
    overdue: int
    warnings: int


@strawberry.type
class LateCountFields(InJurisdiction):
    @strawberry.field(description="overdue and warnings counted per authority or item (today).")
    async def late_counts(self, info: Info, group_by: LateGroup) -> list[LateCount]:
        ctx = info.context
        rows = await ctx.run(
            late_counts, ctx.services.views, self.jurisdiction, ctx.services.today(), group_by.value
        )
        return [
            LateCount(key=str(r["key"]), overdue=int(r["overdue"] or 0),
                      warnings=int(r["warnings"] or 0))
            for r in rows
        ]  # fmt: skip
