"""``xuke exchange follow | key | export | import | status``: two levels and the offline ferry
(docs/exchange-federation.md). Registered on the ``xuke exchange`` group in ``exchange.py``."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from xuke.cli.common import console
from xuke.projections.store import ViewStore
from xuke.settings import Settings


def _store(settings: Settings) -> ViewStore:
    return ViewStore(settings.resolved_database_url)


def follow_command(
    url: Annotated[str, typer.Argument(help="The followed instance, e.g. https://gd.example")],
    token: Annotated[str, typer.Option(help="Its EXCHANGE (or ADMIN) bearer token.")],
    name: Annotated[
        str, typer.Option(help="The source's name (default: the URL's host and path).")
    ] = "",
    jurisdiction: Annotated[
        str,
        typer.Option(
            help="The jurisdiction code the source may speak for, e.g. 440000 "
            "(default: learnt from the first page, then fixed)."
        ),
    ] = "",
    once: Annotated[bool, typer.Option(help="Catch up once, then exit.")] = False,
    page_size: Annotated[int, typer.Option(min=1, max=10000, help="Events per page.")] = 1000,
    idle: Annotated[float, typer.Option(help="Seconds between polls once caught up.")] = 1.0,
) -> None:
    """Follow another instance's feed into the national register and supervision views."""
    import httpx

    from xuke.federation.follower import FeedError, Follower

    if jurisdiction and not (len(jurisdiction) == 6 and jurisdiction.isdecimal()):
        console.print(f"[red]管辖区划代码应为 6 位数字：{jurisdiction[:20]}[/red]")
        raise typer.Exit(2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    store = _store(Settings())
    follower = Follower(
        store, url, token, name, jurisdiction=jurisdiction or None,
        page_size=page_size, idle_seconds=idle,
    )  # fmt: skip
    try:
        if once:
            try:
                applied = follower.catch_up()
            except (httpx.HTTPError, FeedError) as e:
                console.print(f"[red]跟随 {follower.name} 失败：{e}[/red]")
                raise typer.Exit(1) from None
            console.print(f"{follower.name}: {applied} new events")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            follower.run(stop)
    finally:
        follower.close()
        store.close()


def key_command() -> None:
    """Print this instance's public key (ed25519:<base64>), creating the key pair if needed."""
    from xuke.application.exchange_keys import instance_key, public_key_text

    settings = Settings()
    store = _store(settings)
    try:
        key = instance_key(settings.is_sqlite, settings.data_dir, store)
        typer.echo(public_key_text(key.public_key()))
    finally:
        store.close()


def export_command(
    out: Annotated[Path, typer.Option(help="The bundle file to write.")],
    after: Annotated[int, typer.Option(min=0, help="Export the events after this position.")] = 0,
) -> None:
    """Write the published events after POS to a signed bundle (the offline ferry)."""
    from xuke.application.exchange_keys import instance_key
    from xuke.federation.ferry import export_bundle

    settings = Settings()
    store = _store(settings)
    try:
        manifest = export_bundle(
            store, instance_key(settings.is_sqlite, settings.data_dir, store), after, out
        )
    finally:
        store.close()
    console.print(
        f"{out}: {manifest['count']} events, positions {manifest['firstPosition']}"
        f"–{manifest['lastPosition']}, chain {manifest['chainHead'][:16]}…"
    )


def import_command(
    file: Annotated[Path, typer.Argument(help="A bundle written by `xuke exchange export`.")],
    check: Annotated[bool, typer.Option(help="Verify only; apply nothing.")] = False,
) -> None:
    """Verify a bundle against XUKE_EXCHANGE_TRUSTED_KEYS and apply it exactly once."""
    from xuke.application.exchange_keys import parse_trusted_keys
    from xuke.federation.ferry import BundleRefused, import_bundle, verify_bundle

    settings = Settings()
    try:
        trusted = parse_trusted_keys(settings.exchange_trusted_keys)
    except ValueError as e:
        console.print(f"[red]XUKE_EXCHANGE_TRUSTED_KEYS 有误：{e}[/red]")
        raise typer.Exit(2) from None
    store = _store(settings)
    try:
        if check:
            manifest, applied = verify_bundle(file, trusted), 0
        else:
            manifest, applied = import_bundle(store, file, trusted)
    except BundleRefused as e:
        console.print(f"[red]拒绝导入 {file}：{e}[/red]", soft_wrap=True)
        raise typer.Exit(1) from None
    finally:
        store.close()
    verb = "verified" if check else ("imported" if applied else "already imported (no-op)")
    console.print(
        f"{file}: {verb}: {applied} new of {manifest['count']} events, positions "
        f"{manifest['firstPosition']}–{manifest['lastPosition']} from {manifest['sourceKey']}"
    )


def status_command() -> None:
    """The sources this instance receives from, and the national supervision view."""
    from xuke.projections.national import inbound_sources, province_compliance

    store = _store(Settings())
    try:
        sources = inbound_sources(store)
        provinces = province_compliance(store, "000000", dt.date.today())
    finally:
        store.close()
    console.print("[bold]Inbound sources[/bold]" if sources else "No inbound sources.")
    for s in sources:
        error = f"  error {s['last_error_at']}: {s['last_error']}" if s["last_error"] else ""
        console.print(
            f"  {s['source']} ({s['kind']}{' ' + s['url'] if s['url'] else ''}): "
            f"position {s['last_position']}, {s['events']} events, "
            f"last contact {s['last_contact'] or '—'}{error}",
            soft_wrap=True,
        )
    if provinces:
        console.print("[bold]National supervision by province[/bold]")
    for p in provinces:
        rate = "—" if p["compliance_rate"] is None else f"{p['compliance_rate']:.1%}"
        console.print(
            f"  {p['province']}: {p['cases']} cases, {p['open_accepted']} open accepted, "
            f"{p['overdue']} overdue, decided on time {p['decided_on_time']} / late "
            f"{p['decided_late']}, compliance {rate}"
        )
