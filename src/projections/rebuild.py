"""Rebuilding a read model from position 0 into fresh shadow tables, then swapping them in
within one transaction, so a reader sees the old view or the new one, never a half-built one.

The shadow tables are made from the projection's own migration files (table names suffixed,
indexes left out); the indexes are created under their real names after the swap, inside
the same transaction — faster on a full table, and no names to rename.
"""

from __future__ import annotations

import multiprocessing
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from xuke.projections.base import Partition, ViewProjection
from xuke.projections.runner import PROJECTIONS, ProjectionWorker
from xuke.projections.source import EventSource
from xuke.projections.store import Transaction, ViewStore, migrations_dir
from xuke.projections.tracking import read_position, write_position

SHADOW = "__rebuild"
PAGE = 2000


@dataclass(frozen=True)
class Ddl:
    tables: list[str]
    indexes: list[str]


def projection_ddl(projection: type[ViewProjection]) -> Ddl:
    """The statements of the migration files that shape the projection's tables, in order:
    tables (with later ALTERs), and indexes apart."""
    tables: list[str] = []
    indexes: list[str] = []
    for path in sorted(migrations_dir().glob("*.sql")):
        text = re.sub(r"--[^\n]*", "", path.read_text("utf-8"))
        for statement in (s.strip() for s in text.split(";")):
            target = re.search(r"(?:CREATE TABLE IF NOT EXISTS|ALTER TABLE|ON)\s+(\w+)", statement)
            if not statement or target is None or target.group(1) not in projection.tables:
                continue
            if statement.upper().startswith("INSERT"):
                continue  # filling a new table from the views: a rebuild fills it itself
            (indexes if statement.upper().startswith("CREATE INDEX") else tables).append(statement)
    return Ddl(tables, indexes)


def _shadow(statement: str, projection: type[ViewProjection]) -> str:
    for table in projection.tables:
        statement = re.sub(rf"\b{table}\b", table + SHADOW, statement)
    return statement


def drop_shadow(tx: Transaction, projection: type[ViewProjection]) -> None:
    for table in projection.tables:
        tx.execute(f"DROP TABLE IF EXISTS {table}{SHADOW}")
    tx.execute("DELETE FROM projection_tracking WHERE projection = %s", [projection.name + SHADOW])


def build_shadow(
    app: EventSource,
    store: ViewStore,
    projection: type[ViewProjection],
    progress: Callable[[int], None] | None = None,
    *,
    shares: int = 1,
    open_app: Callable[[], EventSource] | None = None,
) -> int:
    """Fill fresh shadow tables from position 0; returns the position reached. With
    ``shares`` > 1 (a case view on PostgreSQL), each share of the cases is built by a process
    of its own, opening the application with ``open_app``."""
    with store.transaction() as tx:
        drop_shadow(tx, projection)
        for statement in projection_ddl(projection).tables:
            tx.execute(_shadow(statement, projection))
    if shares > 1:
        if open_app is None or store.is_sqlite or not projection.partitionable:
            raise ValueError(f"{projection.name} is built in one process here")
        return build_shares(app, store, projection, shares, open_app, progress)
    worker = ProjectionWorker(app, store, projection, suffix=SHADOW, page_size=PAGE)
    worker.catch_up(progress)
    return worker.position()


def build_shares(
    app: EventSource,
    store: ViewStore,
    projection: type[ViewProjection],
    shares: int,
    open_app: Callable[[], EventSource],
    progress: Callable[[int], None] | None,
) -> int:
    """One process per share of the cases, all reading up to today's head; then the shadow's
    position is that head, as if one process had built it."""
    head = app.recorder.max_notification_id() or 0
    context = multiprocessing.get_context("spawn")  # no threads or connections inherited
    processes = [
        context.Process(
            target=build_share,
            args=(open_app, store.url, projection.name, Partition(n, shares), head),
            name=f"rebuild-{projection.name}-{n}",
        )
        for n in range(shares)
    ]
    for process in processes:
        process.start()
    names = [f"{projection.name}{SHADOW}@{n}of{shares}" for n in range(shares)]
    reported = 0
    while any(p.is_alive() for p in processes):
        time.sleep(0.5)
        reached = sum(read_position(store, name) or 0 for name in names) // shares
        if progress and reached > reported:
            progress(reached - reported)
            reported = reached
    failed = [p.name for p in processes if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"rebuild shares failed: {', '.join(failed)}")
    with store.transaction() as tx:
        for name in names:
            tx.execute("DELETE FROM projection_tracking WHERE projection = %s", [name])
        write_position(tx, projection.name + SHADOW, head)
    if progress and head > reported:
        progress(head - reported)
    return head


def build_share(
    open_app: Callable[[], EventSource],
    database_url: str,
    name: str,
    partition: Partition,
    head: int,
) -> None:
    """A child process: build one share of the shadow tables up to ``head``."""
    app, store = open_app(), ViewStore(database_url)
    try:
        worker = ProjectionWorker(
            app, store, PROJECTIONS[name], suffix=SHADOW, page_size=PAGE, partition=partition,
            stop_at=head,
        )  # fmt: skip
        worker.catch_up()
    finally:
        app.close()
        store.close()


def swap_in(app: EventSource, store: ViewStore, projection: type[ViewProjection]) -> int:
    """Catch the shadow up to the end of the log, then swap it in atomically."""
    worker = ProjectionWorker(app, store, projection, suffix=SHADOW, page_size=PAGE)
    worker.catch_up()
    ddl = projection_ddl(projection)
    with store.transaction() as tx:
        for table in projection.tables:
            tx.execute(f"DROP TABLE IF EXISTS {table}")
            tx.execute(f"ALTER TABLE {table}{SHADOW} RENAME TO {table}")
        for statement in ddl.indexes:
            tx.execute(statement)
        position = worker.position()
        tx.execute(
            "DELETE FROM projection_tracking WHERE projection IN (%s, %s)",
            [projection.name, projection.name + SHADOW],
        )
        write_position(tx, projection.name, position)
    return position


def rebuild(
    app: EventSource,
    store: ViewStore,
    projection: type[ViewProjection],
    progress: Callable[[int], None] | None = None,
    *,
    shares: int = 1,
    open_app: Callable[[], EventSource] | None = None,
) -> int:
    """``xuke projections rebuild NAME``: returns the position the new view stands at."""
    build_shadow(app, store, projection, progress, shares=shares, open_app=open_app)
    return swap_in(app, store, projection)


MISSING = "<no such column>"  # one side has the column, the other not (a migration between)


def differences(store: ViewStore, projection: type[ViewProjection], limit: int = 5) -> list[str]:
    """Rows that differ between the live view and its shadow (for checks and tests)."""
    found: list[str] = []
    for table in projection.tables:
        live = store.fetchall(f"SELECT * FROM {table}")
        shadow = store.fetchall(f"SELECT * FROM {table}{SHADOW}")
        key = sorted(live[0]) if live else []
        ordered_live = sorted(live, key=lambda r: [str(r[k]) for k in key])
        ordered_shadow = sorted(shadow, key=lambda r: [str(r[k]) for k in key])
        if len(live) != len(shadow):
            found.append(f"{table}: {len(live)} rows live, {len(shadow)} rebuilt")
        for a, b in zip(ordered_live, ordered_shadow, strict=False):
            if a != b:  # which row (its first columns), and only the columns that differ
                row = {k: a[k] for k in list(a)[:2]}
                cols = {
                    k: (a.get(k, MISSING), b.get(k, MISSING))
                    for k in a.keys() | b.keys()
                    if a.get(k, MISSING) != b.get(k, MISSING)
                }
                found.append(f"{table} {row}: live, rebuilt = {cols}")
            if len(found) >= limit:
                return found
    return found


def live_position(store: ViewStore, projection: type[ViewProjection]) -> int:
    return read_position(store, projection.name) or 0
