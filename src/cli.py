"""The ``xuke`` command line (docs/operations.md)."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, TextColumn
from rich.table import Table

from xuke.application.calendar_seed import parse_year_file
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.application.principal import Principal
from xuke.bootstrap import (
    build_application,
    build_services,
    migrate,
    open_worker_application,
    tune_gc,
)
from xuke.demo import demo_start, print_deadlines, print_history, run_demo
from xuke.demo_data import seed_demo_cases
from xuke.domain.errors import DomainError
from xuke.domain.roles import Role
from xuke.projections.base import read_position
from xuke.projections.rebuild import rebuild
from xuke.projections.runner import PROJECTIONS, ProjectionRunner
from xuke.projections.store import ViewStore
from xuke.settings import Settings
from xuke.supervision.audit import verify_audit_trail

app = typer.Typer(
    help="xuke (许可): administrative licensing case management.", no_args_is_help=True
)
calendar_app = typer.Typer(help="The working-day calendar (节假日安排).", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")
projections_app = typer.Typer(help="Read models: run, status, rebuild.", no_args_is_help=True)
app.add_typer(projections_app, name="projections")
audit_app = typer.Typer(help="The audit trail (审计).", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
console = Console(width=150)


@app.callback()
def main(ctx: typer.Context) -> None:
    """xuke (许可): administrative licensing case management."""
    tune_gc(throughput=ctx.invoked_subcommand != "serve")  # the server answers requests


@app.command("migrate")
def migrate_command() -> None:
    """Create or upgrade every table once, and seed the calendar."""
    settings = Settings()
    migrate(settings).close()
    console.print(f"migrated {settings.resolved_database_url.split('@')[-1]}")


@app.command("demo")
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


@calendar_app.command("load")
def calendar_load(
    year: int,
    file: Path,
    user: Annotated[
        str, typer.Option(help="The ADMIN user recorded as having loaded it.")
    ] = "admin",
) -> None:
    """Load YEAR's State Council schedule from a JSON FILE (holidays, workdays, source)."""
    settings = Settings()
    application = build_application(settings)
    admin = Principal(user, frozenset({Role.ADMIN}), "000000", "000000")
    try:
        version = application.load_calendar_year(admin, parse_year_file(year, file))
    except DomainError as e:
        console.print(f"[red]{e.code.value}[/]: {e.message}")
        raise typer.Exit(2) from None
    finally:
        application.close()
    console.print(f"loaded {year}; calendar version {version}")


def _read_side(settings: Settings) -> tuple[LicensingApplication, ViewStore]:
    return build_application(settings), ViewStore(settings.resolved_database_url)


@projections_app.command("run")
def projections_run(
    names: Annotated[
        list[str] | None, typer.Argument(help="Projections to run (default: all).")
    ] = None,
    once: Annotated[bool, typer.Option(help="Catch up and exit instead of following.")] = False,
) -> None:
    """Keep projections up to date; SIGTERM or Ctrl-C stops cleanly after the current page."""
    application, store = _read_side(Settings())
    try:
        runner = ProjectionRunner(application, store, names or None)
    except ValueError as e:
        console.print(f"[red]{e}[/]")
        raise typer.Exit(2) from None
    if once:
        for worker in runner.workers:
            console.print(f"{worker.name}: {worker.catch_up()} events")
        return
    signal.signal(signal.SIGTERM, lambda *_: runner.stop_event.set())
    runner.start()
    console.print(f"running {', '.join(w.name for w in runner.workers)}")
    try:
        while not runner.stop_event.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        runner.stop()
        application.close()
        store.close()


@projections_app.command("status")
def projections_status() -> None:
    """Each projection's position in the notification log, and its lag."""
    application, store = _read_side(Settings())
    head = application.recorder.max_notification_id() or 0
    table = Table(title=f"projections (log head {head})")
    for column in ("projection", "position", "lag"):
        table.add_column(column)
    for name in PROJECTIONS:
        position = read_position(store, name) or 0
        table.add_row(name, str(position), str(head - position))
    console.print(table)


@projections_app.command("rebuild")
def projections_rebuild(
    name: str,
    shares: Annotated[
        int,
        typer.Option(
            help="Processes building shares of the cases in parallel (case views on "
            "PostgreSQL; default: one per CPU)."
        ),
    ] = 0,
) -> None:
    """Rebuild NAME from position 0 into fresh tables, then swap them in atomically."""
    if name not in PROJECTIONS:
        console.print(f"[red]unknown projection {name!r}[/]; one of: {', '.join(PROJECTIONS)}")
        raise typer.Exit(2)
    settings = Settings()
    application, store = _read_side(settings)
    parallel = PROJECTIONS[name].partitionable and not settings.is_sqlite
    shares = (shares or os.cpu_count() or 1) if parallel else 1
    head = application.recorder.max_notification_id() or 0
    started = time.perf_counter()
    with Progress(
        *Progress.get_default_columns(), TextColumn("{task.fields[rate]}"), console=console
    ) as bar:
        task = bar.add_task(f"rebuilding {name}", total=head, rate="")

        def advance(events: int) -> None:
            done = bar.tasks[0].completed + events
            bar.update(
                task, advance=events, rate=f"{done / (time.perf_counter() - started):,.0f} events/s"
            )

        open_app = functools.partial(open_worker_application, settings)
        position = rebuild(
            application, store, PROJECTIONS[name], advance, shares=shares, open_app=open_app
        )
    console.print(f"{name} rebuilt to position {position} in {time.perf_counter() - started:.1f} s")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit trail's hash chain and compare it with the event store."""
    application, store = _read_side(Settings())
    result = verify_audit_trail(application.recorder, store)
    if result.ok:
        console.print(f"[green]audit trail intact[/]: {result.checked} events checked")
        return
    console.print(
        f"[red]audit trail broken at position {result.first_bad_position}[/]: {result.reason}"
    )
    raise typer.Exit(1)


@app.command("serve")
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
) -> None:
    """The service: GraphQL at /graphql, the status page at /status, /healthz, /readyz, /metrics."""
    import uvicorn

    from xuke.api.app import create_app
    from xuke.api.logging import configure_logging

    settings = Settings()
    settings.check_safe()
    configure_logging()
    if settings.is_sqlite:
        migrate(settings).close()  # the embedded default needs no set-up
    if workers > 1:
        if settings.is_sqlite or with_projections:
            console.print(
                "[red]--workers needs PostgreSQL and the projections in their own process[/]"
            )
            raise typer.Exit(2)
        _seed_demo_if_empty(settings)
        console.print(f"xuke on http://{host}:{port}/graphql · {workers} processes")
        uvicorn.run("xuke.bootstrap:served_app", factory=True, workers=workers, host=host,
                    port=port, log_config=None, access_log=False)  # fmt: skip
        return
    services = build_services(settings, with_projections=with_projections or settings.is_sqlite)
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
    console.print(f"xuke on http://{host}:{port}/graphql · status page http://{host}:{port}/status")
    try:
        uvicorn.run(create_app(services), host=host, port=port, log_config=None, access_log=False)
    finally:
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
        if seeding.recorder.max_notification_id() in (None, 0, 1):
            console.print(f"demo data: {len(seed_demo_cases(seeding, clock))} cases")
    finally:
        seeding.close()


@app.command("token")
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
    print(TokenService(secret=settings.jwt_secret).issue(user, list(role), org, name, jurisdiction))


@app.command("schema")
def schema_command() -> None:
    """Print the served GraphQL SDL."""
    from xuke.api.graphql.schema import sdl

    print(sdl())


supervision_app = typer.Typer(help="Supervision (监察).", no_args_is_help=True)
app.add_typer(supervision_app, name="supervision")


@supervision_app.command("watch")
def supervision_watch(
    once: Annotated[bool, typer.Option(help="One pass, then exit.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between passes.")] = 60.0,
) -> None:
    """Deemed acceptance, yellow and red cards, escalation of unanswered 督办 orders."""
    from xuke.supervision.watcher import DeadlineWatcher, watch_forever

    settings = Settings()
    application, store = _read_side(settings)
    watcher = DeadlineWatcher(
        application, store, settings.stage_limits, settings.correction_notice_days
    )
    if once:
        report = watcher.run_once()
        console.print(
            f"deemed accepted {len(report.deemed_accepted)}, cards {len(report.cards)}, escalated {len(report.escalated)}"
        )
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        watch_forever(watcher, stop, interval)


@audit_app.command("replay")
def audit_replay(
    case_no: str,
    as_of_version: Annotated[
        int | None, typer.Option(help="The version to stop at (default: the latest).")
    ] = None,
) -> None:
    """Print the case exactly as it stood after a version, with every event: who, when, as what."""
    application, _ = _read_side(Settings())
    auditor = Principal("cli-auditor", frozenset({Role.AUDITOR}), "000000", "000000")
    try:
        case = application.case_as_of(auditor, case_no, as_of_version)
    except DomainError as e:
        console.print(f"[red]{e.code.value}[/]: {e.message}")
        raise typer.Exit(2) from None
    print_history(application, case, console)
    print_deadlines(application.deadlines(case), console)


if __name__ == "__main__":  # pragma: no cover
    app()
