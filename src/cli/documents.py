"""``xuke documents``: the document clerk as its own process, for deployments whose
projections run outside ``xuke serve`` (``application/document_clerk.py``)."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Annotated

import typer

from xuke.cli.common import console, read_side
from xuke.settings import Settings

app = typer.Typer(help="Legal documents (文书).", no_args_is_help=True)


@app.command("run")
def documents_run(
    once: Annotated[bool, typer.Option(help="One pass, then exit.")] = False,
    interval: Annotated[
        float | None, typer.Option(help="Seconds between passes (XUKE_DOCUMENTS_INTERVAL_SECONDS).")
    ] = None,
) -> None:
    """Generate, store and record the document each step calls for."""
    from xuke.application.document_clerk import DocumentClerk

    settings = Settings()
    application, store = read_side(settings)
    clerk = DocumentClerk(application, store, public_url=settings.public_url)
    try:
        if once:
            report = clerk.run_once()
            console.print(f"issued {len(report.issued)}, skipped {len(report.skipped)}")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            clerk.run_forever(stop, interval or settings.documents_interval_seconds)
    finally:
        application.close()
        store.close()
