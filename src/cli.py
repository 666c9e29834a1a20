"""The ``xuke`` command line (DESIGN §8)."""

from __future__ import annotations

import signal
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
from xuke.bootstrap import build_application, migrate
from xuke.demo import demo_start, run_demo
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
def projections_rebuild(name: str) -> None:
    """Rebuild NAME from position 0 into fresh tables, then swap them in atomically."""
    if name not in PROJECTIONS:
        console.print(f"[red]unknown projection {name!r}[/]; one of: {', '.join(PROJECTIONS)}")
        raise typer.Exit(2)
    application, store = _read_side(Settings())
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

        position = rebuild(application, store, PROJECTIONS[name], advance)
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


if __name__ == "__main__":  # pragma: no cover
    app()
