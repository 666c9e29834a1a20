"""The top-level commands: ``xuke serve`` and what stands around it: ``migrate`` before it,
``token`` and ``schema`` for its clients, and ``demo`` to see a case through without it.

``serve`` imports uvicorn and the API lazily, so the other commands start without them.
"""

from __future__ import annotations

import os
import threading
from typing import Annotated, TypedDict

import typer
from eventsourcing.utils import get_topic

from xuke.application.clock import SettableClock
from xuke.bootstrap import build_application, build_services, hold_embedded_store, migrate
from xuke.cli.common import console
from xuke.demo import demo_start, run_demo
from xuke.demo_data import seed_demo_cases
from xuke.demo_licences import seed_demo_licences
from xuke.domain.case import LicenseCase
from xuke.domain.roles import Role
from xuke.settings import Settings


def migrate_command() -> None:
    """Create or upgrade every table once, and seed the calendar."""
    settings = Settings()
    migrate(settings).close()
    console.print(f"migrated {settings.resolved_database_url.split('@')[-1]}")


def demo_command() -> None:
    """File a realistic case and walk it through to service, printing history and deadlines."""
    settings = Settings()
    if settings.is_sqlite:
        migrate(settings).close()
    clock = SettableClock(demo_start())
    application = build_application(settings, clock=clock)
    try:
        run_demo(application, clock, console)
    finally:
        application.close()


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    with_projections: Annotated[
        bool, typer.Option(help="Run the projections in this process (always on SQLite).")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes (PostgreSQL, projections in `xuke projections run`): "
            "one Python process uses one core.",
        ),
    ] = 1,
    public_demo: Annotated[
        bool,
        typer.Option(
            "--public-demo",
            help="Demo mode on an interface other than loopback: anyone who reaches the port "
            "can mint an ADMIN token with the published development secret.",
        ),
    ] = False,
) -> None:
    """The service: GraphQL at /graphql, the status page at /status, /healthz, /readyz, /metrics."""
    from xuke.api.logging import configure_logging

    settings = Settings()
    settings.check_safe()
    _check_metrics(settings, workers)
    configure_logging()
    if settings.demo_mode:
        _demo_banner(host, public_demo)
    if settings.is_sqlite:
        migrate(settings).close()  # the embedded default needs no set-up
    if workers > 1:
        _serve_workers(settings, host, port, workers, with_projections)
    else:
        _serve_one(settings, host, port, with_projections or settings.is_sqlite)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _demo_banner(host: str, public: bool) -> None:
    """Demo mode accepts the published development secrets: it stays on loopback unless the
    operator says otherwise, and says so loudly either way."""
    if host not in LOOPBACK and not public:
        console.print(
            f"[red]演示模式只监听本机地址：{host} 不是回环地址。[/] 演示模式使用公开的开发密钥，"
            "任何能访问该端口的人都能签发 ADMIN 令牌。确需对外演示请加 --public-demo；"
            "生产环境请设置 XUKE_DEMO=false 及各项密钥。"
        )
        raise typer.Exit(2)
    console.print(
        "[bold yellow]⚠ 演示模式 (demo mode)[/]：使用公开的开发密钥与演示数据，切勿用于生产。"
        + (f" [red]正在对外监听 {host}。[/]" if host not in LOOPBACK else "")
    )


def _check_metrics(settings: Settings, workers: int) -> None:
    """Outside demo mode /metrics wants a token or a port of its own, or XUKE_METRICS_PUBLIC
    to say a network rule guards it; in demo mode, without them, only this machine reads it
    (api/metrics.py). A metrics port serves one process, so not with --workers."""
    if settings.metrics_port and workers > 1:
        console.print(
            "[red]XUKE_METRICS_PORT serves one process: use XUKE_METRICS_TOKEN with --workers[/]"
        )
        raise typer.Exit(2)
    if settings.demo_mode or settings.metrics_token or settings.metrics_port:
        return
    if not settings.metrics_public:
        raise SystemExit(
            "/metrics needs XUKE_METRICS_TOKEN or XUKE_METRICS_PORT outside demo mode "
            "(or XUKE_METRICS_PUBLIC=true if a network rule already guards it)"
        )


def _serve_workers(
    settings: Settings, host: str, port: int, workers: int, with_projections: bool
) -> None:
    """Several uvicorn processes, each building its services from the factory string."""
    import uvicorn

    if settings.is_sqlite or with_projections:
        console.print("[red]--workers needs PostgreSQL and the projections in their own process[/]")
        raise typer.Exit(2)
    _seed_demo_if_empty(settings)
    console.print(f"xuke on http://{host}:{port}/graphql · {workers} processes")
    uvicorn.run("xuke.bootstrap:served_app", factory=True, workers=workers, host=host,
                port=port, log_config=None, access_log=False, **proxy_options())  # fmt: skip


def _serve_one(settings: Settings, host: str, port: int, with_projections: bool) -> None:
    """One process; with the projections in it, the deadline watcher runs here too."""
    import uvicorn

    from xuke.api.app import create_app

    store_lock = hold_embedded_store(settings)  # noqa: F841 — held until the process ends
    services = build_services(settings, with_projections=with_projections)
    _seed_demo_if_empty(settings)
    services.start()
    if services.runner is not None:
        services.runner.start()  # and let the views catch up before the watcher reads them
        services.runner.wait_for(services.app.recorder.max_notification_id() or 0, timeout=60)
    stop_watching = threading.Event()
    if services.runner is not None:  # projections here, so the watcher too (it reads their views)
        from xuke.supervision.watcher import DeadlineWatcher, watch_forever

        watcher = DeadlineWatcher(
            services.app, services.views, settings.stage_limits, settings.correction_notice_days
        )
        interval = settings.watch_interval_seconds
        threading.Thread(
            target=watch_forever, args=(watcher, stop_watching, interval), daemon=True
        ).start()
        from xuke.application.document_clerk import DocumentClerk  # and the document clerk

        clerk = DocumentClerk(services.app, services.views, public_url=settings.public_url)
        threading.Thread(
            target=clerk.run_forever,
            args=(stop_watching, settings.documents_interval_seconds),
            name="document-clerk",
            daemon=True,
        ).start()
        from xuke.application.webhooks import WebhookDeliverer  # and the webhook deliverer

        threading.Thread(
            target=WebhookDeliverer(services.views).run_forever,
            args=(stop_watching,),
            name="webhook-deliverer",
            daemon=True,
        ).start()
    console.print(f"xuke on http://{host}:{port}/graphql · status page http://{host}:{port}/status")
    metrics_server = None
    try:
        if settings.metrics_port:  # /metrics on a port of its own (then 404 on this one)
            from xuke.api.metrics import serve_metrics

            metrics_host = settings.metrics_host or host
            metrics_server = serve_metrics(
                services.metrics, metrics_host, settings.metrics_port, settings.metrics_token
            )
            console.print(f"metrics on http://{metrics_host}:{settings.metrics_port}/metrics")
        uvicorn.run(create_app(services), host=host, port=port, log_config=None,
                    access_log=False, **proxy_options())  # fmt: skip
    finally:
        if metrics_server is not None:
            metrics_server.shutdown()
        stop_watching.set()
        services.stop()
        if services.runner is not None:
            services.runner.stop()
        services.app.close()
        services.views.close()


def _seed_demo_if_empty(settings: Settings) -> None:
    """Demo mode on an empty store: cases walked through the past weeks, so a newcomer sees
    a live system."""
    if not settings.demo_mode:
        return
    clock = SettableClock(demo_start())
    seeding = build_application(settings, clock=clock)
    try:
        # Empty of cases (``xuke migrate`` stores the calendar and the seed registries first).
        filed = [get_topic(LicenseCase.ApplicationFiled)]
        if not seeding.recorder.select_notifications(start=1, limit=1, topics=filed):
            console.print(f"demo data: {len(seed_demo_cases(seeding, clock))} cases")
            console.print(f"demo data: {len(seed_demo_licences(seeding, clock))} licences")
    finally:
        seeding.close()


def token_command(
    user: Annotated[str, typer.Option(help="User id (the token's sub).")],
    role: Annotated[list[Role], typer.Option(help="A role; repeat for several.")],
    org: Annotated[
        str,
        typer.Option(
            help="Organisation: an authority's division code, or an applicant's credit code / ID number."
        ),
    ],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    jurisdiction: Annotated[
        str | None, typer.Option(help="Division code of the jurisdiction (default: org).")
    ] = None,
) -> None:
    """Print a bearer token the running configuration accepts (development secret)."""
    from xuke.api.auth import TokenService

    settings = Settings()
    if settings.jwks_url:
        console.print("[red]tokens come from the identity provider (XUKE_JWKS_URL is set)[/]")
        raise typer.Exit(2)
    tokens = TokenService.from_settings(settings)
    print(tokens.issue(user, list(role), org, name, jurisdiction))


def schema_command() -> None:
    """Print the served GraphQL SDL."""
    from xuke.api.graphql.schema import sdl

    print(sdl())


class ProxyOptions(TypedDict):
    proxy_headers: bool
    forwarded_allow_ips: str | None


def proxy_options() -> ProxyOptions:
    """Whom to believe about the client's address. ``X-Forwarded-For`` counts only from the
    proxies listed in ``FORWARDED_ALLOW_IPS`` (uvicorn's own setting: addresses or networks,
    comma-separated); unset, no one is believed — uvicorn would trust loopback by default, so
    anyone on the machine could lift the per-client limits (docs/operations.md)."""
    allowed = os.environ.get("FORWARDED_ALLOW_IPS", "").strip()
    return ProxyOptions(proxy_headers=bool(allowed), forwarded_allow_ips=allowed or None)
