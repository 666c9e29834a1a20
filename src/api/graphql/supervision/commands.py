"""How a supervision mutation runs: its command through the shared ``execute``, then the row
its event made in the supervision view read back for the payload."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

import strawberry

from xuke.api.graphql.common.commands import execute
from xuke.api.graphql.common.errors import UserError, bad_input
from xuke.api.graphql.common.types import Info
from xuke.application.supervision import SupervisionCommands
from xuke.domain.model import Aggregate
from xuke.projections.store import Row
from xuke.projections.supervision import supervision_row

N = TypeVar("N")

# (commands, caller): the caller is a Principal, or None where no login is needed (login=False)
Runner = Callable[[SupervisionCommands, Any], Aggregate]


async def acted(
    info: Info, run: Runner, table: str, node: Callable[[Row], N], login: bool = True
) -> tuple[N | None, list[UserError]]:
    """Run the command, then read back the row its event made in ``table``."""
    ctx = info.context
    principal = ctx.require_principal() if login else ctx.principal
    commands = SupervisionCommands(ctx.services.app)
    aggregate, errors = await execute(info, lambda: run(commands, principal))
    if aggregate is None:
        return None, errors
    row = await ctx.run(supervision_row, ctx.services.views, table, aggregate.id)
    return (node(row) if row else None), []


def uuid_of(value: strawberry.ID) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise bad_input("not an id") from None
