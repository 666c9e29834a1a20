"""The caller's inbox: its own tasks and those of its unit's groups for its staff roles."""

from __future__ import annotations

import strawberry

from xuke.api.graphql.common.paging import fetch_page
from xuke.api.graphql.common.types import InboxBox, Info
from xuke.api.graphql.inbox.types import TaskConnection
from xuke.domain.roles import STAFF_ROLES
from xuke.projections.inbox import inbox_page


@strawberry.type
class InboxQueries:
    @strawberry.field
    async def inbox(
        self, info: Info, box: InboxBox, first: int | None = 20, after: str | None = None
    ) -> TaskConnection:
        ctx = info.context
        principal = ctx.require_principal()
        groups = [
            f"{principal.org_code}:{role.value}" for role in sorted(principal.roles & STAFF_ROLES)
        ]
        # 委托代办: the tasks of those whose work the caller does today
        delegators = await ctx.run(ctx.services.app.delegators_today, principal)
        page = await fetch_page(
            ctx, inbox_page, ctx.services.views, principal.user_id, groups, box, first or 20,
            after, delegators,
        )  # fmt: skip
        return TaskConnection.of(page, ctx)
