"""``registerWebhook`` and ``removeWebhook`` (EXCHANGE, ADMIN)."""

from __future__ import annotations

import strawberry

from xuke.api.graphql.common.commands import execute
from xuke.api.graphql.common.types import Info
from xuke.api.graphql.exchange.queries import registry
from xuke.api.graphql.exchange.types import Webhook, WebhookPayload


@strawberry.type
class ExchangeMutations:
    @strawberry.mutation(
        description="Deliveries are signed (X-Xuke-Signature: sha256=HMAC-SHA256 of the body); "
        "the secret is shown once, here. An empty eventTypes: every type."
    )
    async def register_webhook(
        self,
        info: Info,
        url: str,
        event_types: list[str],
        idempotency_key: str | None = None,
    ) -> WebhookPayload:
        ctx = info.context
        principal = ctx.require_principal()
        hooks = registry(ctx)
        webhook, errors = await execute(
            info, lambda: hooks.register(principal, url, event_types, idempotency_key)
        )
        return WebhookPayload(webhook=Webhook.of(webhook) if webhook else None, errors=errors)

    @strawberry.mutation(description="Stops delivery to the webhook; idempotent.")
    async def remove_webhook(
        self, info: Info, id: strawberry.ID, idempotency_key: str | None = None
    ) -> WebhookPayload:
        ctx = info.context
        principal = ctx.require_principal()
        hooks = registry(ctx)
        webhook, errors = await execute(info, lambda: hooks.remove(principal, str(id)))
        return WebhookPayload(webhook=Webhook.of(webhook) if webhook else None, errors=errors)
