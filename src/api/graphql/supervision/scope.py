"""What every part of ``Supervision`` shares: the jurisdiction it looks into (the caller's,
fixed when ``supervision`` is asked for), and listing the supervision views' rows inside it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry

from xuke.api.graphql.common.paging import Connection, fetch_page
from xuke.api.graphql.common.types import Info
from xuke.projections.store import Row
from xuke.projections.supervision import supervision_rows

N = TypeVar("N")


@strawberry.type
class InJurisdiction:
    jurisdiction: strawberry.Private[str]

    async def _listed(
        self,
        info: Info,
        table: str,
        node: Callable[[Row], N],
        first: int | None,
        after: str | None,
        status: str | None = None,
    ) -> Connection[N]:
        """A page of ``table`` (cards, orders, complaints) inside the jurisdiction."""
        ctx = info.context
        page = await fetch_page(
            ctx, supervision_rows, ctx.services.views, table, self.jurisdiction,
            first or 20, after, status,
        )  # fmt: skip
        return Connection.of(page, node)
