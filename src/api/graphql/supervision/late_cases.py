"""Late cases: the open cases of the jurisdiction whose light is RED (overdue) or YELLOW
(warning), as the inbox's tasks."""

from __future__ import annotations

from collections.abc import Callable

import strawberry

from xuke.api.context import Context
from xuke.api.graphql.common.paging import fetch_page
from xuke.api.graphql.common.types import Info
from xuke.api.graphql.inbox.types import TaskConnection
from xuke.api.graphql.supervision.scope import InJurisdiction
from xuke.projections.inbox import overdue_page, warnings_page
from xuke.projections.paging import Page
from xuke.projections.store import Row


@strawberry.type
class LateCases(InJurisdiction):
    @strawberry.field
    async def overdue(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> TaskConnection:
        """Open cases whose light is RED, the oldest deadline first."""
        return await _tasks(info.context, overdue_page, self.jurisdiction, first, after)

    @strawberry.field
    async def warnings(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> TaskConnection:
        """Open cases whose light is YELLOW."""
        return await _tasks(info.context, warnings_page, self.jurisdiction, first, after)


async def _tasks(
    ctx: Context,
    query: Callable[..., Page[Row]],
    jurisdiction: str,
    first: int | None,
    after: str | None,
) -> TaskConnection:
    services = ctx.services
    page = await fetch_page(
        ctx, query, services.views, jurisdiction, services.today(), first or 20, after
    )
    return TaskConnection.of(page, ctx)
