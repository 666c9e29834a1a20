"""The FastAPI application: GraphQL at /graphql (GraphiQL in a browser), the public status
page, materials as files (/materials), and the operations endpoints, every request passing through ``Observe`` (request ids,
JSON logs, metrics, size limits, 503 while the database is away)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.requests import HTTPConnection
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from strawberry.fastapi import GraphQLRouter

from xuke.api.assets import mount_static
from xuke.api.auth import KeysUnavailable
from xuke.api.context import Context, Services
from xuke.api.dashboard import router as dashboard_router
from xuke.api.documents import router as documents_router
from xuke.api.exchange import router as exchange_router
from xuke.api.graphql.live.router import LiveConnections, OfflineGraphiQL
from xuke.api.graphql.schema import schema
from xuke.api.guide_pages import router as guide_router
from xuke.api.head import HeadAsGet
from xuke.api.materials import OWN_BODY_LIMITS
from xuke.api.materials import router as materials_router
from xuke.api.metrics import metrics_status
from xuke.api.observe import Observe
from xuke.api.status_page import router as status_router
from xuke.application.authorization import Unauthenticated
from xuke.projections.runner import PROJECTIONS
from xuke.projections.tracking import read_position

log = logging.getLogger("xuke.api")
READY_LAG = 1000  # events: beyond this the read side is too far behind to serve


def create_app(services: Services, *, own_services: bool = False) -> FastAPI:
    """``own_services``: this app starts and closes them (a worker of ``serve --workers``)."""
    app = FastAPI(
        title="xuke 行政许可", docs_url=None, redoc_url=None,
        lifespan=_owning(services) if own_services else None,
    )  # fmt: skip

    async def context(request: HTTPConnection) -> Context:  # a request or a websocket
        auth_error, keys_unavailable = None, False
        try:
            # In a thread: a key fetch (JWKS mode) must not stall the event loop.
            header = request.headers.get("authorization")
            principal = await run_in_threadpool(services.tokens.principal, header)
        except Unauthenticated as e:
            principal, auth_error = None, str(e)
            keys_unavailable = isinstance(e, KeysUnavailable)
        ctx = Context(services, principal)
        ctx.auth_error = auth_error
        ctx.keys_unavailable = keys_unavailable
        return ctx

    app.include_router(
        OrjsonGraphQLRouter(
            schema,
            context_getter=context,
            graphql_ide="graphiql" if services.settings.ide_open else None,  # XUKE_GRAPHQL_IDE
        ),
        prefix="/graphql",
    )
    app.include_router(status_router(services))
    app.include_router(guide_router(services))  # /guide, /guide/{itemCode}: 办事指南, 网上咨询
    mount_static(app)  # GraphiQL's and the dashboard's scripts, from the package (api/assets.py)
    app.include_router(dashboard_router())  # /supervision, the supervisor dashboard
    app.include_router(materials_router(services))  # POST /materials, GET /materials/{sha256}
    app.include_router(documents_router(services))  # GET /documents/{number}, /verify/{number}
    app.include_router(exchange_router(services))  # GET /exchange/feed (NDJSON)
    services.metrics.watch_projections(lambda: projection_positions(services))
    if (replica := services.replica) is not None:  # XUKE_READ_DATABASE_URL
        services.metrics.watch_replica(
            lambda: (replica.lag.as_dict(), replica.serving(), dict(replica.served))
        )

    app.add_middleware(Observe, metrics=services.metrics, own_body_limits=OWN_BODY_LIMITS)
    app.add_middleware(HeadAsGet)  # HEAD /healthz, HEAD of any page (api/head.py)

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
        body: dict[str, Any] = {"ready": ready, "lag": lag}
        if (replica := services.replica) is not None:  # informs; reads fall back to the primary
            body["replica"] = {**replica.lag.as_dict(), "serving": replica.serving()}
        return JSONResponse(body, status_code=200 if ready else 503)

    settings = services.settings
    if not settings.metrics_port:  # else on a port of their own (serve_metrics), 404 here

        @app.get("/metrics")
        async def metrics(request: Request) -> Response:
            client = request.client.host if request.client else None
            status = metrics_status(
                settings.metrics_token, settings.metrics_public,
                request.headers.get("authorization"), client,
            )  # fmt: skip
            if status == 401:
                return PlainTextResponse(
                    "metrics token required", status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
                )  # fmt: skip
            if status != 200:
                return JSONResponse({"detail": "Not Found"}, status_code=404)
            body = await run_in_threadpool(services.metrics.render)
            return PlainTextResponse(body.decode(), media_type="text/plain; version=0.0.4")

    @app.get("/")
    async def index() -> dict[str, Any]:
        return {"service": "xuke 行政许可", "graphql": "/graphql", "status_page": "/status"}

    return app


def _owning(services: Services) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        services.start()
        try:
            yield
        finally:
            services.stop()
            services.app.close()
            services.views.close()

    return lifespan


class OrjsonGraphQLRouter(  # type: ignore[misc]  # its websocket adapter, as Strawberry's own
    OfflineGraphiQL, LiveConnections, GraphQLRouter[Context, None]
):
    """Answers encoded by orjson: a page of 50 tasks encodes several times faster. GraphiQL's
    files come from the package; websockets (subscriptions) take their token from
    ``connection_init`` too (graphql/live/router.py)."""

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def projection_positions(services: Services) -> tuple[int, dict[str, int]]:
    head = services.app.recorder.max_notification_id() or 0
    return head, {name: read_position(services.views, name) or 0 for name in PROJECTIONS}
