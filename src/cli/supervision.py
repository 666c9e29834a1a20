"""``xuke supervision``: supervision (监察) as its own process, for deployments whose
projections (and so the views the watcher reads) run outside ``xuke serve``."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Annotated

import typer

from xuke.cli.common import console, read_side
from xuke.settings import Settings

app = typer.Typer(help="Supervision (监察).", no_args_is_help=True)


@app.command("watch")
def supervision_watch(
    once: Annotated[bool, typer.Option(help="One pass, then exit.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between passes.")] = 60.0,
) -> None:
    """Deemed acceptance, yellow and red cards, escalation of unanswered 督办 orders."""
    from xuke.supervision.watcher import DeadlineWatcher, watch_forever

    settings = Settings()
    application, store = read_side(settings)
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
