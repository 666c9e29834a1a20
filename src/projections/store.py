"""Where read models live: a small SQL gateway over SQLite or PostgreSQL.

SQL is written once with ``%s`` placeholders; SQLite gets ``?``. Dates and times are ISO
text, so the same statements and the same migrations serve both engines.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, parse_qsl, urlencode, urlparse

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

Row = dict[str, Any]
log = logging.getLogger("xuke.projections")


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchone(self) -> Any: ...


class Transaction:
    """A cursor that speaks our one SQL dialect on either engine."""

    def __init__(self, cursor: Any, sqlite: bool, channel: str = "") -> None:
        self._cursor, self._sqlite, self._channel = cursor, sqlite, channel

    @property
    def for_update(self) -> str:
        """Row locks where the engine has them; SQLite's write transaction locks it all."""
        return "" if self._sqlite else " FOR UPDATE"

    def _sql(self, sql: str) -> str:
        return sql.replace("%s", "?") if self._sqlite else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns how many rows it changed."""
        self._cursor.execute(self._sql(sql), tuple(params))
        return int(self._cursor.rowcount)

    def announce(self, message: str) -> None:
        """NOTIFY the store's channel when (and only if) this transaction commits; SQLite
        has no NOTIFY, and its listeners look instead."""
        if not self._sqlite:
            self._cursor.execute("SELECT pg_notify(%s, %s)", (self._channel, message))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._cursor.executemany(self._sql(sql), [tuple(r) for r in rows])

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self.execute(sql, params)
        return [dict(r) for r in self._cursor.fetchall()]

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        self.execute(sql, params)
        row = self._cursor.fetchone()
        return dict(row) if row is not None else None


class ViewStore:
    """Connections to the read-model database: ``sqlite:///path`` or ``postgresql://…?schema=``."""

    def __init__(self, database_url: str, pool_size: int = 5, timeout: float = 3.0) -> None:
        """``timeout``: the longest wait for a connection before giving up (the API answers
        503; a replica's reads go to the primary instead, ``projections/replica.py``)."""
        url = urlparse(database_url)
        self.url = database_url
        self.is_sqlite = url.scheme == "sqlite"
        self.schema = parse_qs(url.query).get("schema", [""])[0]
        self.channel = f"xuke_views_{self.schema}" if self.schema else "xuke_views"
        self._local = threading.local()
        self._pool: ConnectionPool | None = None
        if self.is_sqlite:
            self.path = database_url.removeprefix("sqlite:///")
        else:
            options = f"-c search_path={self.schema}" if self.schema else ""
            self._pool = ConnectionPool(
                postgres_conninfo(database_url),
                min_size=1,
                max_size=pool_size,
                kwargs={"options": options, "row_factory": dict_row, "autocommit": False},
                open=True,
                timeout=timeout,  # a database that is away: fail fast (the API answers 503)
            )

    def _sqlite_connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Transaction]:
        """One transaction: committed on success, rolled back on any error."""
        if self._pool is None:
            conn = self._sqlite_connection()
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield Transaction(conn.cursor(), sqlite=True)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return
        with self._pool.connection() as pg, pg.transaction():
            yield Transaction(pg.cursor(), sqlite=False, channel=self.channel)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.transaction(write=False) as tx:
            return tx.fetchall(sql, params)

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        with self.transaction(write=False) as tx:
            return tx.fetchone(sql, params)

    def count(self, table: str, where: str, params: Sequence[Any] = ()) -> int:
        row = self.fetchone(f"SELECT COUNT(*) AS n FROM {table} WHERE {where}", params)
        return int(row["n"]) if row else 0

    def discard_broken(self) -> None:
        """After an outage: test the pooled connections once and replace those the server
        dropped (cheaper than a ping before every use)."""
        if self._pool is not None:
            self._pool.check()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def migrations_dir() -> Path:
    return Path(str(files("xuke.migrations")))


def apply_migrations(database_url: str) -> list[str]:
    """Apply every pending numbered SQL file in ``migrations/`` (yoyo-migrations)."""
    from yoyo import get_backend, read_migrations

    sqlite = urlparse(database_url).scheme == "sqlite"
    backend = get_backend(database_url if sqlite else yoyo_postgres_url(database_url))
    migrations = read_migrations(str(migrations_dir()))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    applied = [m.id for m in pending]
    backend.connection.close()
    return applied


def yoyo_postgres_url(database_url: str) -> str:
    """yoyo's URL for psycopg. yoyo reads one host and port from a URL; the hosts of a
    multi-host URL go in its query instead, which yoyo hands to libpq as they are."""
    url = urlparse(database_url)
    userinfo, _, hosts = url.netloc.rpartition("@")
    if "," in hosts:
        params = conninfo_to_dict(postgres_conninfo(database_url))
        query = urlencode({"host": params["host"], "port": params.get("port", "")})
        url = url._replace(netloc=f"{userinfo}@" if userinfo else "",
                           query=f"{url.query}&{query}" if url.query else query)  # fmt: skip
    return url._replace(scheme="postgresql+psycopg").geturl()


def postgres_conninfo(database_url: str) -> str:
    """The URL as libpq takes it: our own ``schema`` option removed, libpq's own kept, such as
    a multi-host URL's ``target_session_attrs`` (``postgresql://u@h1:5432,h2:5432/db?
    target_session_attrs=read-write``: whichever host is the primary now)."""
    head, _, query = database_url.partition("?")
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "schema"]
    return f"{head}?{urlencode(kept)}" if kept else head


def pg_connect(database_url: str) -> psycopg.Connection[Any]:
    """A plain autocommit connection (for LISTEN and administrative statements)."""
    url = urlparse(database_url)
    schema = parse_qs(url.query).get("schema", [""])[0]
    options = f"-c search_path={schema}" if schema else ""
    return psycopg.connect(postgres_conninfo(database_url), autocommit=True, options=options)


class Listener:
    """LISTEN on a channel until stopped, reconnecting on any error: a LISTEN connection can
    drop without a word (eventsourcing issue #305). ``heard(payload)`` for each notification,
    and ``heard(None)`` on every connection and loss, since notifications sent while nobody
    listened are lost: whoever listens must look for itself then."""

    def __init__(
        self, database_url: str, channel: str, heard: Callable[[str | None], None]
    ) -> None:
        self.database_url, self.channel, self.heard = database_url, channel, heard
        self.connected = threading.Event()
        self.backend_pid: int | None = None

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                with pg_connect(self.database_url) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
                    self.backend_pid = conn.info.backend_pid
                    self.connected.set()
                    self.heard(None)
                    while not stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self.heard(note.payload)
            except Exception as e:  # the connection dropped: say so, and listen again
                self.connected.clear()
                log.warning("LISTEN %s lost (%s); reconnecting", self.channel, e)
                self.heard(None)
                stop.wait(0.2)
