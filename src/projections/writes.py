"""How a view writes its rows: dates as sortable text, a page's rows gathered and upserted at
its end, and sums kept beside a view (counters) so that its totals are lookups, not counts.
What a view writes is its own (its module); how it writes is shared, and lives here rather
than beside the projection classes (``base.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from xuke.projections.store import Transaction


def iso(value: dt.date | dt.datetime | None) -> str | None:
    """Dates as YYYY-MM-DD; times in UTC, so text order is time order on both engines."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return value.isoformat()


class Upserts:
    """Rows collected during a page and written with one ``executemany`` at its end; the
    last version of a row within the page wins, as it would one event at a time."""

    def __init__(self, table: str, columns: Sequence[str], key: Sequence[str]) -> None:
        self.table, self.columns, self.key = table, tuple(columns), tuple(key)
        self.rows: dict[tuple[Any, ...], dict[str, Any]] = {}

    def put(self, row: dict[str, Any]) -> None:
        self.rows[tuple(row[k] for k in self.key)] = row

    def get(self, *key: Any) -> dict[str, Any] | None:
        return self.rows.get(tuple(key))

    def flush(self, tx: Transaction, table: str | None = None) -> None:
        if not self.rows:
            return
        columns = ", ".join(self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        updates = ", ".join(f"{c} = excluded.{c}" for c in self.columns if c not in self.key)
        sql = (
            f"INSERT INTO {table or self.table} ({columns}) VALUES ({marks}) "
            f"ON CONFLICT ({', '.join(self.key)}) DO UPDATE SET {updates}"
        )
        tx.executemany(sql, [[row[c] for c in self.columns] for row in self.rows.values()])
        self.rows.clear()


def add_to_counters(
    tx: Transaction,
    table: str,
    dims: Sequence[str],
    values: Sequence[str],
    deltas: Mapping[tuple[Any, ...], Sequence[int]],
) -> None:
    """Add ``deltas`` (per combination of ``dims``) to a table of counters. Rows are written
    in key order, so shares of a rebuild writing the same counters lock them in one order;
    a combination whose first value (its row count) reaches 0 is deleted, so a view equals
    its rebuild whatever the page boundaries."""
    changes = sorted((*d, *v) for d, v in deltas.items() if any(v))
    names = ", ".join((*dims, *values))
    marks = ", ".join(["%s"] * (len(dims) + len(values)))
    sums = ", ".join(f"{v} = {table}.{v} + excluded.{v}" for v in values)
    tx.executemany(
        f"INSERT INTO {table} ({names}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(dims)}) DO UPDATE SET {sums}",
        changes,
    )
    where = " AND ".join(f"{d} = %s" for d in dims)
    tx.executemany(
        f"DELETE FROM {table} WHERE {where} AND {values[0]} = 0",
        [c[: len(dims)] for c in changes],
    )


Measure = Callable[[dict[str, Any]], tuple[int, ...] | None]


class KeptSums:
    """Sums over a view's rows per combination of ``dims`` (a jurisdiction and a due date,
    say), kept beside the view so that a total such as "overdue today" adds up a few hundred
    rows instead of counting a million view rows. ``measure`` says what a view row adds to
    its combination (None: nothing). Before a page's rows are written, their stored state is
    read inside the page's transaction and the difference goes into the sums; sums only add
    up, so shares of a rebuild may keep them together."""

    def __init__(
        self,
        table: str,
        view: Upserts,
        dims: Sequence[str],
        values: Sequence[str],
        measure: Measure,
        reads: Sequence[str],
    ) -> None:
        self.table, self.view, self.dims, self.values = table, view, tuple(dims), tuple(values)
        self.measure, self.reads = measure, tuple(reads)

    def _of(self, row: dict[str, Any]) -> tuple[tuple[Any, ...], tuple[int, ...]] | None:
        measured = self.measure(row)
        if measured is None:
            return None
        return tuple(row[d] if row[d] is not None else "" for d in self.dims), measured

    def flush(self, tx: Transaction) -> None:
        """Call before ``view.flush``: it compares the rows about to be written with the stored."""
        if not self.view.rows:
            return
        deltas: dict[tuple[Any, ...], list[int]] = {}

        def add(row: dict[str, Any], sign: int) -> None:
            if (found := self._of(row)) is not None:
                total = deltas.setdefault(found[0], [0] * len(self.values))
                for i, value in enumerate(found[1]):
                    total[i] += sign * value

        stored = self._stored(tx)
        for (k,), row in self.view.rows.items():
            if (old := stored.get(k)) is not None:
                add(old, -1)
            add(row, +1)
        add_to_counters(tx, self.table, self.dims, self.values, deltas)

    def _stored(self, tx: Transaction) -> dict[Any, dict[str, Any]]:
        key = self.view.key[0]
        keys = [k[0] for k in self.view.rows]
        columns = ", ".join(dict.fromkeys((key, *self.reads, *self.dims)))
        stored: dict[Any, dict[str, Any]] = {}
        for chunk in range(0, len(keys), 500):  # SQLite's limit on parameters
            part = keys[chunk : chunk + 500]
            marks = ", ".join(["%s"] * len(part))
            for row in tx.fetchall(
                f"SELECT {columns} FROM {self.view.table} WHERE {key} IN ({marks})", part
            ):
                stored[row[key]] = row
        return stored


def open_counts(table: str, view: Upserts, dims: Sequence[str]) -> KeptSums:
    """How many open rows with a due date fall on each combination of ``dims``."""

    def one_if_open(row: dict[str, Any]) -> tuple[int, ...] | None:
        return (1,) if row["is_open"] and row["due_on"] is not None else None

    return KeptSums(table, view, dims, ("n",), one_if_open, ("is_open", "due_on"))
