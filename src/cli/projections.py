"""``xuke projections``: the read models, run in a process of their own (so the servers only
answer requests), inspected for lag, and rebuilt from the event log without downtime."""

from __future__ import annotations

import functools
import os
import signal
import time
from typing import Annotated

import typer
from rich.progress import Progress, TextColumn
from rich.table import Table

from xuke.application.licensing import LicensingApplication
from xuke.bootstrap import open_worker_application
from xuke.cli.common import console, read_side
from xuke.projections.rebuild import rebuild
from xuke.projections.runner import PROJECTIONS, ProjectionRunner
from xuke.projections.store import ViewStore
from xuke.projections.tracking import read_position
from xuke.settings import Settings

app = typer.Typer(help="Read models: run, status, rebuild.", no_args_is_help=True)


@app.command("run")
def projections_run(
    names: Annotated[
        list[str] | None, typer.Argument(help="Projections to run (default: all).")
    ] = None,
    once: Annotated[bool, typer.Option(help="Catch up and exit instead of following.")] = False,
) -> None:
    """Keep projections up to date; SIGTERM or Ctrl-C stops cleanly after the current page."""
    application, store = read_side(Settings())
    try:
        runner = ProjectionRunner(
            application, store, names or None, inline_views=Settings().inline_views
        )
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


@app.command("status")
def projections_status() -> None:
    """Each projection's position in the notification log, and its lag."""
    application, store = read_side(Settings())
    head = application.recorder.max_notification_id() or 0
    table = Table(title=f"projections (log head {head})")
    for column in ("projection", "position", "lag"):
        table.add_column(column)
    for name in PROJECTIONS:
        position = read_position(store, name) or 0
        table.add_row(name, str(position), str(head - position))
    console.print(table)


@app.command("rebuild")
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
    application, store = read_side(settings)
    parallel = PROJECTIONS[name].partitionable and not settings.is_sqlite
    shares = (shares or os.cpu_count() or 1) if parallel else 1
    started = time.perf_counter()
    position = _rebuild_with_progress(settings, application, store, name, shares, started)
    console.print(f"{name} rebuilt to position {position} in {time.perf_counter() - started:.1f} s")


def _rebuild_with_progress(
    settings: Settings,
    application: LicensingApplication,
    store: ViewStore,
    name: str,
    shares: int,
    started: float,
) -> int:
    """Rebuild NAME under a progress bar that shows the events per second so far."""
    head = application.recorder.max_notification_id() or 0
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
        return rebuild(
            application, store, PROJECTIONS[name], advance, shares=shares, open_app=open_app
        )
