"""Views read from a PostgreSQL streaming replica, with the primary as the fallback.

The read side scales out by PostgreSQL's own streaming replication, not by anything of ours:
a hot standby holds the same view tables, a few milliseconds behind. The queries that need
not read their own writes (the licence register, public status, compliance, the audit trail)
are given ``ReplicaViews`` instead of the primary's ``ViewStore``; what a mutation's caller
reads next (the inbox, a case) stays on the primary.

``ReplicaViews`` is a ``ViewStore`` on the replica's URL. Once a second ``watch`` measures the
replica's lag: the primary's current WAL position (``pg_current_wal_lsn()``) against what the
replica has replayed. A replica that has replayed it is 0 s behind; otherwise it is as far
behind as its last replayed transaction is old (``now() - pg_last_xact_replay_timestamp()``),
and this grows without bound while the replica is cut off from the primary. A read goes to the
replica only while it was seen reachable and at most ``max_lag_seconds`` behind; otherwise,
and when a read on the replica fails (the replica went away, or a hot-standby query was
cancelled by a conflict with recovery), it is answered by the primary. So a replica's read is
never older than the bound, and losing the replica costs nothing but the primary's load.

With ``synchronous_commit = remote_apply`` (docs/operations.md) a commit is acknowledged only
once the synchronous standby has applied it, so even the views a mutation waited for are on
the replica by the time its caller asks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from psycopg_pool import PoolTimeout

from xuke.projections.store import Row, Transaction, ViewStore, postgres_conninfo

log = logging.getLogger("xuke.projections.replica")
T = TypeVar("T")

# A replica that went away, or a standby's query cancelled by a conflict with recovery
# (SQLSTATE class 40: "canceling statement due to conflict with recovery").
REPLICA_FAILED = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    psycopg.errors.TransactionRollback,
    PoolTimeout,
)
SERVED_BY = ("replica", "primary")  # the one label of xuke_read_queries

PRIMARY_POSITION = "SELECT pg_current_wal_lsn()::text AS lsn"
# Seconds and bytes behind the primary's position %(lsn)s (NULL: the primary was not reached).
# A server not in recovery (a promoted standby) is a primary: it is behind nothing.
REPLICA_LAG = """
SELECT pg_is_in_recovery() AS standby,
       CASE WHEN NOT pg_is_in_recovery() THEN 0
            WHEN %(lsn)s::pg_lsn IS NOT NULL AND pg_last_wal_replay_lsn() >= %(lsn)s::pg_lsn
            THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp()
                                  - pg_last_xact_replay_timestamp())::float8, 'Infinity')
       END AS seconds,
       CASE WHEN pg_is_in_recovery() AND %(lsn)s::pg_lsn IS NOT NULL
            THEN GREATEST(pg_wal_lsn_diff(%(lsn)s::pg_lsn, pg_last_wal_replay_lsn()), 0)::bigint
       END AS bytes
"""


@dataclass(frozen=True)
class ReplicaLag:
    """The last measurement. ``seconds`` None: not measured yet, or the replica was away."""

    up: bool = False
    seconds: float | None = None
    bytes: int | None = None  # None: the primary's position was not known
    standby: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"up": self.up, "lag_seconds": self.seconds, "lag_bytes": self.bytes,
                "standby": self.standby}  # fmt: skip


class ReplicaViews(ViewStore):
    """The replica's views, falling back to ``primary`` (see the module's docstring)."""

    def __init__(
        self,
        replica_url: str,
        primary: ViewStore,
        max_lag_seconds: float = 5.0,
        pool_size: int = 5,
        interval: float = 1.0,
    ) -> None:
        # A replica that is away must not hold a read long: after 1 s the primary answers.
        super().__init__(replica_url, pool_size=pool_size, timeout=1.0)
        self.primary, self.max_lag_seconds, self.interval = primary, max_lag_seconds, interval
        self.lag = ReplicaLag()
        self.served = dict.fromkeys(SERVED_BY, 0)  # reads answered by each, since start
        self._count_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- routing ---------------------------------------------------------------------------

    def serving(self) -> bool:
        """Do reads go to the replica now?"""
        lag = self.lag
        return lag.up and lag.seconds is not None and lag.seconds <= self.max_lag_seconds

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Transaction]:
        """A write, or a read while the replica is not serving, is the primary's."""
        if write or not self.serving():
            self._count("primary")
            with self.primary.transaction(write) as tx:
                yield tx
            return
        self._count("replica")
        with super().transaction(write=False) as tx:
            yield tx

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._read(lambda tx: tx.fetchall(sql, params))

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return self._read(lambda tx: tx.fetchone(sql, params))

    def _read(self, query: Callable[[Transaction], T]) -> T:
        """On the replica while it serves; on the primary otherwise, or if the replica fails."""
        if self.serving():
            try:
                with super().transaction(write=False) as tx:
                    result = query(tx)
                self._count("replica")
                return result
            except REPLICA_FAILED as e:
                if not isinstance(e, psycopg.errors.TransactionRollback):
                    self.lag = ReplicaLag(up=False)  # until the watch sees it back
                log.warning("read on the replica failed (%s); the primary answers", e)
        self._count("primary")
        with self.primary.transaction(write=False) as tx:
            return query(tx)

    def _count(self, served_by: str) -> None:
        with self._count_lock:
            self.served[served_by] += 1

    # -- the lag ---------------------------------------------------------------------------

    def measure(self) -> ReplicaLag:
        """Measure the lag once (the watch does it every ``interval`` seconds)."""
        lsn: str | None = None
        try:
            with self.primary.transaction(write=False) as tx:
                row = tx.fetchone(PRIMARY_POSITION)
            lsn = row["lsn"] if row else None
        except psycopg.Error:  # the primary is away, or is itself in recovery
            pass
        was_up = self.lag.up
        try:
            with psycopg.connect(postgres_conninfo(self.url), connect_timeout=2,
                                 autocommit=True) as conn:  # fmt: skip
                found = conn.execute(REPLICA_LAG, {"lsn": lsn}).fetchone()
            assert found is not None
            standby, seconds, behind = found
            lag = ReplicaLag(
                True, float(seconds), None if behind is None else int(behind), bool(standby)
            )
        except psycopg.Error:
            lag = ReplicaLag(up=False)
        if lag.up and not was_up and self._pool is not None:
            self._pool.check()  # back after being away: replace the connections it dropped
        self.lag = lag
        return lag

    def start(self) -> None:
        if self._thread is None:
            self.measure()
            self._thread = threading.Thread(target=self._watch, name="replica-lag", daemon=True)
            self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.measure()
            except Exception:  # never let the watch die: reads would stay where they are
                log.exception("measuring the replica's lag failed")
                self.lag = ReplicaLag(up=False)

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self.stop()
        super().close()
