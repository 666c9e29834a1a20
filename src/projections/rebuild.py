"""Rebuilding a read model from position 0 into fresh shadow tables, then swapping them in
within one transaction, so a reader sees the old view or the new one, never a half-built one.

The shadow tables are made from the projection's own migration files (table names suffixed,
indexes left out); the indexes are created under their real names after the swap, inside
the same transaction — faster on a full table, and no names to rename.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from xuke.application.licensing import LicensingApplication
from xuke.projections.base import ViewProjection, iso, read_position
from xuke.projections.runner import ProjectionWorker
from xuke.projections.store import Transaction, ViewStore, migrations_dir

SHADOW = "__rebuild"


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
    app: LicensingApplication,
    store: ViewStore,
    projection: type[ViewProjection],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Fill fresh shadow tables from position 0; returns the position reached."""
    with store.transaction() as tx:
        drop_shadow(tx, projection)
        for statement in projection_ddl(projection).tables:
            tx.execute(_shadow(statement, projection))
    worker = ProjectionWorker(app, store, projection, suffix=SHADOW, page_size=2000)
    worker.catch_up(progress)
    return worker.position()


def swap_in(app: LicensingApplication, store: ViewStore, projection: type[ViewProjection]) -> int:
    """Catch the shadow up to the end of the log, then swap it in atomically."""
    worker = ProjectionWorker(app, store, projection, suffix=SHADOW, page_size=2000)
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
        tx.execute(
            "INSERT INTO projection_tracking (projection, position, updated_at) VALUES (%s, %s, %s)",
            [projection.name, position, iso(dt.datetime.now(dt.UTC))],
        )
    return position


def rebuild(
    app: LicensingApplication,
    store: ViewStore,
    projection: type[ViewProjection],
    progress: Callable[[int], None] | None = None,
) -> int:
    """``xuke projections rebuild NAME``: returns the position the new view stands at."""
    build_shadow(app, store, projection, progress)
    return swap_in(app, store, projection)


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
            if a != b:
                found.append(f"{table}: {a} != {b}")
            if len(found) >= limit:
                return found
    return found


def live_position(store: ViewStore, projection: type[ViewProjection]) -> int:
    return read_position(store, projection.name) or 0
