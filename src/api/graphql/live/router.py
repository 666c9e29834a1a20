"""What the GraphQL router adds for live updates and for an intranet:

- ``LiveConnections``: a websocket's caller. The token may come in the ``connection_init``
  payload (``{"Authorization": "Bearer …"}``, what browsers can send) or in the upgrade
  request's ``Authorization`` header. A token that is refused (in either) closes the
  connection with 4403; with no token at all the connection is accepted and each subscription answers
  ``UNAUTHENTICATED``, as a query would. At the token's ``exp`` the connection's caller is
  forgotten (and its subscriptions end).
- ``OfflineGraphiQL``: Strawberry's GraphiQL page with its scripts and styles served from
  the package (``/static/graphiql/``) instead of unpkg.com, so it works with no internet."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import weakref
from collections.abc import Mapping
from typing import Any, cast

from starlette.concurrency import run_in_threadpool
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.ides import get_graphql_ide_html
from strawberry.types.unset import UNSET, UnsetType

from xuke.api.assets import offline_graphiql
from xuke.api.context import Context
from xuke.application.authorization import Unauthenticated

ACK = cast(UnsetType, UNSET)  # connection_ack with no payload


class TextFrames(ASGIWebSocketAdapter):
    """graphql-transport-ws messages are text frames: browsers' clients (graphql-ws, GraphiQL)
    close the connection on a binary one, which Strawberry would send for the bytes orjson
    encodes."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        encoded = self.view.encode_json(message)
        await self.ws.send_text(encoded.decode() if isinstance(encoded, bytes) else encoded)

    async def close(self, code: int, reason: str) -> None:
        """A close frame's reason holds at most 123 bytes (RFC 6455 5.5): a syntax error's
        message (the reason Strawberry gives for 4400), in Chinese first, may be longer."""
        await self.ws.close(code=code, reason=_fit(reason, CLOSE_REASON_BYTES))


CLOSE_REASON_BYTES = 123


def _fit(text: str, limit: int) -> str:
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode(errors="ignore") + "…"


class LiveConnections:
    websocket_adapter_class: type[ASGIWebSocketAdapter] = TextFrames

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        header = _authorization(context.connection_params)
        if header is None:  # the upgrade request's header, if any, was read with the context
            if context.auth_error is not None:
                raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
            _sign_out_at_expiry(context)
            return ACK
        try:
            principal = await run_in_threadpool(context.services.tokens.principal, header)
        except Unauthenticated as e:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": str(e)}) from e
        context.principal, context.auth_error = principal, None
        _sign_out_at_expiry(context)
        return ACK


def _sign_out_at_expiry(context: Context) -> None:
    """The connection's context outlives its token: at ``exp`` its caller is forgotten, so
    that whatever the connection asks from then on (a query, a mutation, a new subscription)
    is answered as without a token. Running subscriptions end then by themselves
    (``subscriptions.until_expiry``)."""
    principal = context.principal
    if principal is None or principal.expires_at is None:
        return
    connection = weakref.ref(context)  # the timer does not keep a closed connection's context

    def sign_out() -> None:
        ctx = connection()
        if ctx is not None and ctx.principal is principal:
            ctx.principal, ctx.auth_error = None, "令牌已过期，请重新登录"

    left = (principal.expires_at - dt.datetime.now(dt.UTC)).total_seconds()
    asyncio.get_running_loop().call_later(max(left, 0.0), sign_out)


def _authorization(params: Any) -> str | None:
    """The ``Authorization`` value of a ``connection_init`` payload (any letter case)."""
    if not isinstance(params, dict):
        return None
    for key, value in params.items():
        if isinstance(key, str) and key.lower() == "authorization":
            return value if isinstance(value, str) else ""
    return None


class OfflineGraphiQL:
    graphql_ide: Any

    @property
    def graphql_ide_html(self) -> str:
        return _offline_page(self.graphql_ide)


@functools.cache
def _offline_page(graphql_ide: Any) -> str:
    """Made once per process, not per request: Strawberry's page is fixed for its version."""
    return offline_graphiql(get_graphql_ide_html(graphql_ide=graphql_ide))
