"""实时监控: GraphQL subscriptions over ``graphql-transport-ws`` at ``/graphql``.

- ``inboxCounts``: the caller's 新建 / 待办 / 已办 counts, the numbers ``inbox(box).totalCount``
  gives, sent at once and again whenever they change.
- ``supervisionCards(jurisdiction)``: each 黄牌 / 红牌 issued to a unit of the jurisdiction from
  now on, authorised like ``supervision`` (SUPERVISOR, AUDITOR or ADMIN, inside the caller's
  own jurisdiction).

Both are woken by the views' positions (``feed``), not by polling the queries. The token comes
with the connection (``connection_init`` payload ``{"Authorization": "Bearer …"}``, or the
upgrade request's header): see ``router.LiveConnections``. Each subscription ends at the
token's ``exp`` (``until_expiry``) with an ``UNAUTHENTICATED`` error."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TypeVar
from uuid import UUID

import strawberry
from eventsourcing.utils import get_topic
from graphql import GraphQLError

from xuke.api.context import Context, forbidden
from xuke.api.graphql.common.errors import bad_input
from xuke.api.graphql.common.types import Info
from xuke.api.graphql.live.feed import feed_of
from xuke.api.graphql.supervision.cards import SupervisionCard
from xuke.domain.roles import STAFF_ROLES
from xuke.domain.supervision import SupervisionCard as CardAggregate
from xuke.projections.inbox import InboxBox, inbox_total
from xuke.projections.live_queries import cards_in, supervision_totals
from xuke.projections.store import Row

CARD_ISSUED = get_topic(CardAggregate.Issued)
DIVISION = re.compile(r"\d{6}")
READ_LIMIT = 500  # notifications read at a time while catching up with the supervision view
T = TypeVar("T")


@strawberry.type(
    description="实时: the caller's inbox counts, as inbox(box).totalCount gives them."
)
class InboxCounts:
    new: int
    todo: int
    done: int


@strawberry.type(
    description="实时: a jurisdiction's supervision totals, as supervision's connections count them."
)
class SupervisionTotals:
    overdue: int
    warnings: int
    cards: int
    open_orders: int


@strawberry.type
class LiveSubscriptions:
    @strawberry.subscription(
        description="实时监控: the caller's inbox counts now, and again whenever they change."
    )
    async def inbox_counts(self, info: Info) -> AsyncGenerator[InboxCounts, None]:
        ctx = info.context
        principal = ctx.require_principal()
        groups = [f"{principal.org_code}:{r.value}" for r in sorted(principal.roles & STAFF_ROLES)]
        views, last = ctx.services.views, None

        def counts() -> InboxCounts:
            new, todo, done = (
                inbox_total(views, principal.user_id, groups, box)
                for box in (InboxBox.NEW, InboxBox.TODO, InboxBox.DONE)
            )
            return InboxCounts(new=new, todo=todo, done=done)

        async for _ in until_expiry(ctx, feed_of(ctx.services).moves(["inbox"])):
            now = await ctx.run(counts)
            if now != last:
                last = now
                yield now

    @strawberry.subscription(
        description="实时监控: each card issued from now on to a unit of the jurisdiction "
        "(the caller's own by default); SUPERVISOR, AUDITOR or ADMIN."
    )
    async def supervision_cards(
        self, info: Info, jurisdiction: str | None = None
    ) -> AsyncGenerator[SupervisionCard, None]:
        ctx = info.context
        code = _jurisdiction(ctx, jurisdiction)
        moves = until_expiry(ctx, feed_of(ctx.services).moves(["supervision"]))
        seen = await anext(moves)  # from now on: what the view holds already is not news
        async for position in moves:
            while position > seen:
                rows, seen = await ctx.run(_new_cards, ctx, code, seen, position)
                for row in rows:
                    yield SupervisionCard.of(row)

    @strawberry.subscription(
        description="实时监控: the jurisdiction's totals now, and again whenever they change "
        "(the supervisor dashboard reloads its figures then); SUPERVISOR, AUDITOR or ADMIN."
    )
    async def supervision_totals(
        self, info: Info, jurisdiction: str | None = None
    ) -> AsyncGenerator[SupervisionTotals, None]:
        ctx = info.context
        code, services, last = _jurisdiction(ctx, jurisdiction), ctx.services, None

        def totals() -> SupervisionTotals:
            counts = supervision_totals(services.views, code, services.today())
            return SupervisionTotals(**counts)

        async for _ in until_expiry(ctx, feed_of(services).moves(["inbox", "supervision"])):
            now = await ctx.run(totals)
            if now != last:
                last = now
                yield now


async def until_expiry(ctx: Context, moves: AsyncIterator[T]) -> AsyncGenerator[T, None]:
    """The feed's moves until the caller's token expires; then ``UNAUTHENTICATED``. The
    token was checked once, when the connection started: its ``exp`` (on the principal) is
    a deadline for the wait, so nothing is asked of the token service per message, and a
    quiet feed ends on time too."""
    principal = ctx.principal
    expires = principal.expires_at if principal is not None else None
    while True:
        try:
            if expires is None:
                position = await anext(moves)
            else:
                async with asyncio.timeout(_seconds_until(expires)):
                    position = await anext(moves)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise _expired() from None
        yield position


def _seconds_until(moment: dt.datetime) -> float:
    left = (moment - dt.datetime.now(dt.UTC)).total_seconds()
    if left <= 0:
        raise _expired()
    return left


def _expired() -> GraphQLError:
    return GraphQLError(
        "登录已过期：令牌已过期，请重新登录后再订阅", extensions={"code": "UNAUTHENTICATED"}
    )


def _jurisdiction(ctx: Context, jurisdiction: str | None) -> str:
    principal = ctx.require_oversight("监察")
    code = jurisdiction or principal.jurisdiction_code
    if not DIVISION.fullmatch(code):
        raise bad_input("jurisdiction 须为 6 位行政区划代码")
    if not principal.covers(code):
        raise forbidden(f"辖区 {code} 不在您的辖区 ({principal.jurisdiction_code}) 内")
    return code


def _new_cards(ctx: Context, jurisdiction: str, after: int, upto: int) -> tuple[list[Row], int]:
    """Cards issued by the events after ``after`` up to ``upto`` (at most ``READ_LIMIT`` of
    them), in the order they were stored, and the position read up to. The event log says
    which cards are new; the supervision view, already at ``upto``, gives their rows."""
    notifications = ctx.services.app.recorder.select_notifications(
        start=after, limit=READ_LIMIT, stop=upto, topics=[CARD_ISSUED], inclusive_of_start=False
    )
    reached = upto if len(notifications) < READ_LIMIT else notifications[-1].id
    ids = [str(UUID(str(n.originator_id))) for n in notifications]
    rows = {r["card_id"]: r for r in cards_in(ctx.services.views, ids, jurisdiction)}
    return [rows[i] for i in ids if i in rows], reached
