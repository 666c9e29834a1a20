"""What the GraphQL router adds for live updates and for an intranet:

- ``LiveConnections``: a websocket's caller. The token may come in the ``connection_init``
  payload (``{"Authorization": "Bearer …"}``, what browsers can send) or in the upgrade
  request's ``Authorization`` header. A token that is refused (in either) closes the
  connection with 4403; with no token at all the connection is accepted and each subscription answers
  ``UNAUTHENTICATED``, as a query would.
- ``OfflineGraphiQL``: Strawberry's GraphiQL page with its scripts and styles served from
  the package (``/static/graphiql/``) instead of unpkg.com, so it works with no internet."""

from __future__ import annotations

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


class LiveConnections:
    websocket_adapter_class: type[ASGIWebSocketAdapter] = TextFrames

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        header = _authorization(context.connection_params)
        if header is None:  # the upgrade request's header, if any, was read with the context
            if context.auth_error is not None:
                raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
            return ACK
        try:
            principal = await run_in_threadpool(context.services.tokens.principal, header)
        except Unauthenticated as e:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": str(e)}) from e
        context.principal, context.auth_error = principal, None
        return ACK


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
        return offline_graphiql(get_graphql_ide_html(graphql_ide=self.graphql_ide))
