"""HEAD is GET without the body (RFC 9110 §9.3.2). FastAPI's routes answer only the methods
they list, so a load balancer's or a monitor's ``HEAD /healthz`` (and a browser's ``HEAD`` of
a page) got 405. This middleware serves every HEAD as the GET it stands for and sends the
GET's status and headers — Content-Length included — with no body."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the rest of a streamed body: not sent, not waited for
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
