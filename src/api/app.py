"""The FastAPI application: GraphQL at /graphql (GraphiQL in a browser), the public status
page, and the operations endpoints, with request ids, JSON logs, metrics and size limits."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool
from strawberry.fastapi import GraphQLRouter

from xuke.api.context import RETRY_AFTER_SECONDS, UNAVAILABLE, Context, Services
from xuke.api.graphql.schema import schema
from xuke.api.status_page import router as status_router
from xuke.application.authorization import Unauthenticated
from xuke.projections.base import read_position
from xuke.projections.runner import PROJECTIONS

log = logging.getLogger("xuke.api")
MAX_BODY_BYTES = 1_000_000
READY_LAG = 1000  # events: beyond this the read side is too far behind to serve


def create_app(services: Services) -> FastAPI:
    app = FastAPI(title="xuke 行政许可", docs_url=None, redoc_url=None)

    async def context(request: Request) -> Context:
        auth_error = None
        try:
            principal = services.tokens.principal(request.headers.get("authorization"))
        except Unauthenticated as e:
            principal, auth_error = None, str(e)
        ctx = Context(services, principal)
        ctx.auth_error = auth_error
        return ctx

    app.include_router(
        GraphQLRouter(schema, context_getter=context, graphql_ide="graphiql"), prefix="/graphql"
    )
    app.include_router(status_router(services))
    services.metrics.watch_projections(lambda: projection_positions(services))

    @app.middleware("http")
    async def observe(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        started = time.perf_counter()
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            response: Response = JSONResponse({"detail": "request too large"}, status_code=413)
        else:
            try:
                response = await call_next(request)
            except UNAVAILABLE:  # the database is away: say when to come back
                response = JSONResponse(
                    {"detail": "数据库暂时不可用，请稍后重试", "request_id": request_id},
                    status_code=503,
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                )
            except Exception:
                log.exception("unhandled error", extra={"request_id": request_id})
                response = JSONResponse(
                    {"detail": "internal error", "request_id": request_id}, status_code=500
                )
        elapsed = time.perf_counter() - started
        route = getattr(request.scope.get("route"), "path", request.url.path)
        services.metrics.requests.labels(request.method, route, str(response.status_code)).inc()
        services.metrics.latency.labels(route).observe(elapsed)
        response.headers["x-request-id"] = request_id
        log.info(
            "request",
            extra={"request_id": request_id, "method": request.method, "path": request.url.path,
                   "status": response.status_code, "ms": round(elapsed * 1000, 2)},
        )  # fmt: skip
        return response

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        if not services.database.available.is_set():
            return JSONResponse({"ready": False, "reason": "database unavailable"}, status_code=503)
        try:
            head, positions = await run_in_threadpool(projection_positions, services)
        except Exception as e:  # the database is not reachable
            return JSONResponse(
                {"ready": False, "reason": f"database: {type(e).__name__}"}, status_code=503
            )
        lag = {name: head - p for name, p in positions.items()}
        ready = all(v <= READY_LAG for v in lag.values())
        return JSONResponse({"ready": ready, "lag": lag}, status_code=200 if ready else 503)

    @app.get("/metrics")
    async def metrics() -> PlainTextResponse:
        body = await run_in_threadpool(services.metrics.render)
        return PlainTextResponse(body.decode(), media_type="text/plain; version=0.0.4")

    @app.get("/")
    async def index() -> dict[str, Any]:
        return {"service": "xuke 行政许可", "graphql": "/graphql", "status_page": "/status"}

    return app


def projection_positions(services: Services) -> tuple[int, dict[str, int]]:
    head = services.app.recorder.max_notification_id() or 0
    return head, {name: read_position(services.views, name) or 0 for name in PROJECTIONS}
