"""Every mutation runs its command through ``execute``: in the thread pool (eventsourcing is
synchronous); a broken business rule answered as the payload's errors, a refusal or a bad
login as a top-level error; each outcome counted; and a success answered only once the views
its caller reads next show it (read-your-writes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from xuke.api.context import Context, forbidden
from xuke.api.graphql.common.errors import UserError, unauthenticated, user_error
from xuke.api.graphql.common.types import Info
from xuke.application.authorization import Forbidden, Unauthenticated
from xuke.application.licensing import CommandResult
from xuke.domain.errors import DomainError

R = TypeVar("R")


async def execute(info: Info, run: Callable[[], R]) -> tuple[R | None, list[UserError]]:
    """Outcomes are counted under the mutation's name (``fileApplication``), not an alias."""
    ctx, command = info.context, info.field_name
    metrics = ctx.services.metrics.commands
    try:
        result = await ctx.run(run)
    except DomainError as e:
        metrics.labels(command, e.code.value).inc()
        return None, [user_error(e)]
    except Forbidden as e:
        metrics.labels(command, "FORBIDDEN").inc()
        raise forbidden(e.message) from None
    except Unauthenticated as e:
        raise unauthenticated(str(e)) from None
    metrics.labels(command, "OK").inc()
    await ctx.services.wait_for_views(await written_up_to(ctx, result))
    return result, []


async def written_up_to(ctx: Context, result: object) -> int | None:
    """A case command says where it wrote (None for a replay: nothing to wait for); other
    commands (supervision's) do not, and the head of the store is waited for instead."""
    if isinstance(result, CommandResult):
        return result.notification_id
    return await ctx.run(ctx.services.app.recorder.max_notification_id)
