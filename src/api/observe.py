"""What every request passes through: a request id, a size cap on the body (declared or
chunked), 503 with Retry-After while the database is away, 500 without internals for a bug,
and a JSON log line and metrics for each (labelled by route template, never by path).

A plain ASGI middleware rather than ``@app.middleware("http")``: Starlette's
``BaseHTTPMiddleware`` runs each request in a task group with memory streams, which cost
about as much as serving a small query."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xuke.api.context import RETRY_AFTER_SECONDS, UNAVAILABLE
from xuke.api.metrics import Metrics

log = logging.getLogger("xuke.api")
MAX_BODY_BYTES = 1_000_000


def route_template(scope: Scope) -> str | None:
    """The template of the route that answered (``/status/{case_no}``), None if none matched;
    never the path itself, of which a client may send any number. A route of an included
    router (GraphQL's) holds its path without the router's prefix: FastAPI keeps the full
    template in its effective route context. A route without a template gives its name."""
    fastapi_scope = scope.get("fastapi")
    effective = (
        fastapi_scope.get("effective_route_context") if isinstance(fastapi_scope, dict) else None
    )
    route = scope.get("route")
    for candidate in (effective, route):
        template = getattr(candidate, "path_format", None)
        if isinstance(template, str) and template.startswith("/"):
            return template
    name = getattr(route, "name", None)
    return name if isinstance(name, str) and name else None


_PLAIN_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")


def plain_request_id(given: bytes) -> str:
    """A client's X-Request-ID is kept only if short and plain (it lands in every log line);
    anything else gets an id of our own."""
    if _PLAIN_ID.fullmatch(given):
        return given.decode("ascii")
    return uuid.uuid4().hex


class BodyTooLarge(Exception):
    """The body went past the cap while it was being read (a chunked upload declares none)."""


class Observe:
    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics,
        max_body: int = MAX_BODY_BYTES,
        own_body_limits: frozenset[str] = frozenset(),
    ) -> None:
        """``own_body_limits``: paths whose route caps its body itself (uploads: a larger
        cap, enforced as the body streams in, refused in the route's own words)."""
        self.app, self.metrics, self.max_body = app, metrics, max_body
        self.own_body_limits = own_body_limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])
        request_id = plain_request_id(headers.get(b"x-request-id", b""))
        state = {"status": 0, "read": 0}
        cap = None if scope["path"] in self.own_body_limits else self.max_body

        async def counted_receive() -> Message:
            message = await receive()
            state["read"] += len(message.get("body", b""))
            if cap is not None and state["read"] > cap:
                raise BodyTooLarge
            return message

        async def tagged_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode("latin-1")),
                ]
            await send(message)

        declared = headers.get(b"content-length", b"")
        try:
            if cap is not None and declared.isdigit() and int(declared) > cap:
                raise BodyTooLarge
            await self.app(scope, counted_receive, tagged_send)
        except BodyTooLarge:
            await self._answer(
                tagged_send, state, 413, {"detail": "请求体过大 (request too large)"}
            )
        except UNAVAILABLE:  # the database is away: say when to come back
            await self._answer(
                tagged_send, state, 503,
                {"detail": "数据库暂时不可用，请稍后重试", "request_id": request_id},
                [(b"retry-after", str(RETRY_AFTER_SECONDS).encode())],
            )  # fmt: skip
        except Exception:
            log.exception("unhandled error", extra={"request_id": request_id})
            await self._answer(
                tagged_send, state, 500, {"detail": "internal error", "request_id": request_id}
            )
        self._record(scope, request_id, state["status"], time.perf_counter() - started)

    @staticmethod
    async def _answer(
        send: Send,
        state: dict[str, int],
        status: int,
        body: dict[str, Any],
        headers: list[tuple[bytes, bytes]] = [],  # noqa: B006 - never mutated
    ) -> None:
        """An error answer, if nothing has been answered yet (else the client sees the
        connection end mid-response, which is all that can be said then)."""
        if state["status"]:
            return
        payload = orjson.dumps(body)
        await send({
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"),
                        (b"content-length", str(len(payload)).encode()), *headers],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": payload})

    def _record(self, scope: Scope, request_id: str, status: int, elapsed: float) -> None:
        self.metrics.request(scope["method"], route_template(scope), status, elapsed)
        log.info(
            "request",
            extra={"request_id": request_id, "method": scope["method"], "path": scope["path"],
                   "status": status, "ms": round(elapsed * 1000, 2)},
        )  # fmt: skip
