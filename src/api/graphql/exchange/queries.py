"""``exchangeFeed`` and ``webhooks``: EXCHANGE (a partner system) or ADMIN, within the
caller's jurisdiction."""

from __future__ import annotations

import strawberry

from xuke.api.context import Context, forbidden
from xuke.api.graphql.common.errors import bad_input
from xuke.api.graphql.common.paging import PageInfo
from xuke.api.graphql.common.types import Info
from xuke.api.graphql.exchange.types import (
    ExchangeEvent,
    ExchangeEventConnection,
    ExchangeEventEdge,
    Webhook,
)
from xuke.application.authorization import Forbidden
from xuke.application.principal import Principal
from xuke.application.webhooks import WebhookRegistry, require_exchange
from xuke.domain.exchange import parse_types
from xuke.projections.exchange_queries import feed_count, read_feed

MAX_FIRST = 1000


def parse_after(after: str | None) -> int:
    """The cursor is a position, as a string ("" or null: from the start)."""
    if after is None or after == "":
        return 0
    if not after.isascii() or not after.isdigit() or len(after) > 18:
        raise bad_input(f"游标无效：{after[:40]!r} 不是事件位置（非负整数）")
    return int(after)


def exchange_principal(ctx: Context, action: str) -> Principal:
    principal = ctx.require_principal()
    try:
        require_exchange(principal, action)
    except Forbidden as e:
        ctx.services.app.on_forbidden(e)
        raise forbidden(e.message) from None
    return principal


def own_urls(ctx: Context) -> tuple[str, ...]:
    """How this service is reached: XUKE_PUBLIC_URL, the address and port the request came
    in on (the listening socket's), and the host the caller named (a webhook pointing at
    any of them would post to ourselves)."""
    urls = [ctx.services.settings.public_url]
    request = ctx.request
    if request is not None:
        server = request.scope.get("server")
        if server and server[1] is not None:
            host = f"[{server[0]}]" if ":" in str(server[0]) else server[0]
            urls.append(f"{request.url.scheme}://{host}:{server[1]}")
        urls.append(str(request.base_url))
    return tuple(urls)


def registry(ctx: Context) -> WebhookRegistry:
    return WebhookRegistry(ctx.services.views, own_urls(ctx))


@strawberry.type
class ExchangeQueries:
    @strawberry.field(
        description="The published feed after a position, in order (EXCHANGE, ADMIN; the "
        "caller's jurisdiction). The cursor is the position."
    )
    async def exchange_feed(
        self,
        info: Info,
        after: str | None = None,
        first: int | None = 100,
        types: list[str] | None = None,
    ) -> ExchangeEventConnection:
        ctx = info.context
        principal = exchange_principal(ctx, "exchangeFeed")
        position = parse_after(after)
        size = 100 if first is None else first
        if not 1 <= size <= MAX_FIRST:
            raise bad_input(f"first 应在 1 到 {MAX_FIRST} 之间")
        try:
            wanted = parse_types(types)
        except ValueError as e:
            raise bad_input(str(e)) from None
        views, scope = ctx.services.reads, principal.jurisdiction_code  # a replica may serve it
        rows = await ctx.run(
            lambda: read_feed(
                views, after=position, limit=size + 1, types=wanted, jurisdiction=scope
            )
        )
        total = await ctx.run(lambda: feed_count(views, types=wanted, jurisdiction=scope))
        page = rows[:size]
        return ExchangeEventConnection(
            edges=[
                ExchangeEventEdge(node=ExchangeEvent.of(r), cursor=str(r.position)) for r in page
            ],
            page_info=PageInfo(
                has_next_page=len(rows) > size,
                end_cursor=str(page[-1].position) if page else None,
            ),
            total_count=total,
        )

    @strawberry.field(description="The caller's webhooks (an ADMIN: all in the jurisdiction).")
    async def webhooks(self, info: Info) -> list[Webhook]:
        ctx = info.context
        principal = exchange_principal(ctx, "webhooks")
        return [Webhook.of(w) for w in await ctx.run(registry(ctx).list, principal)]
