"""``xuke exchange deliver``: the webhook deliverer as its own process (docs/exchange.md).
Under ``xuke serve`` with the projections in-process (the embedded default) it runs inside
the server instead; several deliverers may run at once (each webhook is claimed by one)."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Annotated

import typer

from xuke.cli.common import console
from xuke.settings import Settings


def deliver_command(
    once: Annotated[bool, typer.Option(help="Serve every due webhook once, then exit.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between looks for due webhooks.")] = 0.5,
    timeout: Annotated[
        float, typer.Option(help="Connect/read timeout of one POST, seconds.")
    ] = 10.0,
    batch: Annotated[int, typer.Option(help="Events per POST, at most.")] = 100,
    parallel: Annotated[int, typer.Option(help="Webhooks served at once.")] = 8,
    lease: Annotated[
        float, typer.Option(help="Seconds a claim on a webhook lasts (≥ 3 × timeout).")
    ] = 60.0,
    backoff_cap: Annotated[
        float, typer.Option(help="Longest wait between failed attempts, seconds.")
    ] = 300.0,
) -> None:
    """Post the exchange feed's events to the registered webhooks, signed, in order."""
    from xuke.application.webhooks import WebhookDeliverer
    from xuke.projections.store import ViewStore

    settings = Settings()
    views = ViewStore(settings.resolved_database_url)
    deliverer = WebhookDeliverer(
        views, batch=batch, timeout=timeout, parallel=parallel, lease=lease,
        backoff_cap=backoff_cap,
    )  # fmt: skip
    try:
        if once:
            console.print(f"delivered {deliverer.run_once()} events")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            deliverer.run_forever(stop, interval)
    finally:
        deliverer.close()
        views.close()
