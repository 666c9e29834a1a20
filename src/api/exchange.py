"""``GET /exchange/feed``: the published feed as NDJSON, streamed (docs/exchange.md).

``?after=N&limit=M&types=A,B`` with the bearer token of an EXCHANGE (or ADMIN) principal: the
events after position N that the caller's jurisdiction covers, in order, one JSON object per
line. ``limit`` defaults to 1000, at most 10000. The rows are read in chunks of 1000, each
its own short read, and written as they come: a bulk reader holds no transaction open, and
the server holds one chunk in memory. A malformed ``after`` / ``limit`` or an unknown type is
a 400 with a Chinese JSON error (``{"code": "BAD_USER_INPUT", "detail": "…"}``); no token
401, another role 403. If the database goes away mid-stream the stream ends early: a consumer
resumes after the last position it read.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from xuke.api.context import Services
from xuke.api.materials import Refused, _caller
from xuke.application.authorization import Forbidden
from xuke.application.webhooks import require_exchange
from xuke.domain.exchange import parse_types
from xuke.projections.exchange_queries import MAX_LIMIT, iter_ndjson

DEFAULT_LIMIT = 1000
CHUNK = 1000


def _integer(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ValueError(f"{name} 必须是非负整数（收到 {raw[:40]!r}）")
    value = int(raw)
    if not low <= value <= high:
        raise ValueError(f"{name} 应在 {low} 到 {high} 之间")
    return value


def bad_request(message: str) -> JSONResponse:
    return JSONResponse({"code": "BAD_USER_INPUT", "detail": message}, status_code=400)


def router(services: Services) -> APIRouter:
    routes = APIRouter()

    @routes.get("/exchange/feed")
    async def feed(request: Request) -> Response:
        try:
            principal = await run_in_threadpool(_caller, services, request)
            try:
                require_exchange(principal, "exchangeFeed")
            except Forbidden as e:
                services.app.on_forbidden(e)
                raise Refused(403, e.message) from None
        except Refused as e:
            return e.response()
        query = request.query_params
        try:
            after = _integer(query.get("after"), "after", 0, 0, 2**62)
            limit = _integer(query.get("limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
            types = parse_types(query.get("types"))
        except ValueError as e:
            return bad_request(str(e))
        scope = principal.jurisdiction_code

        lines = iter_ndjson(  # from the read replica, if any (docs/high-availability.md)
            services.reads, after=after, limit=limit, types=types, jurisdiction=scope, chunk=CHUNK
        )
        return StreamingResponse(
            lines, media_type="application/x-ndjson", headers={"Cache-Control": "no-store"}
        )

    return routes
