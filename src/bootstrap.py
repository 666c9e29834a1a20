"""Composition root: turns settings into eventsourcing's environment and wires the
application. The only module that knows SQLite paths, PostgreSQL URLs and psycopg."""

from __future__ import annotations

import fcntl
import gc
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlparse

import psycopg
from eventsourcing.postgres import PostgresFactory
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from xuke.application.blobs import BlobStore, FileBlobStore, PostgresBlobStore
from xuke.application.clock import Clock, SystemClock
from xuke.application.licensing import LicensingApplication
from xuke.domain.deadlines import AuthorityLimits, LightThresholds
from xuke.projections.store import ViewStore, apply_migrations, postgres_conninfo
from xuke.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from xuke.api.context import Services
    from xuke.projections.replica import ReplicaViews


def eventsourcing_env(
    database_url: str, *, create_tables: bool = False, pool_size: int = 10
) -> dict[str, str]:
    """``sqlite:///path`` or ``postgresql://user:password@host:port/dbname?schema=name``,
    or a multi-host URL (``postgresql://user@h1:5432,h2:5432/db?target_session_attrs=read-write``):
    libpq parses it, eventsourcing gets ``host=h1,h2 port=5432,5432``, and what its environment
    has no key for (``target_session_attrs``, ``sslmode``, …) goes to ``LibpqOptionsFactory``."""
    url = urlparse(database_url)
    create = "y" if create_tables else "n"
    if url.scheme == "sqlite":
        path = unquote(database_url.removeprefix("sqlite:///"))
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # ours alone
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path if path != ":memory:" else "file::memory:?cache=shared",
            "SQLITE_LOCK_TIMEOUT": "30",
            "CREATE_TABLE": create,
        }
    if url.scheme in ("postgres", "postgresql"):
        schema = parse_qs(url.query).get("schema", [""])[0]
        params = conninfo_to_dict(postgres_conninfo(database_url))
        params.setdefault("connect_timeout", "3")  # per host: a dead first host is passed over
        return {
            "PERSISTENCE_MODULE": f"{__name__}:{LibpqOptionsFactory.__name__}",
            "POSTGRES_DBNAME": str(params.pop("dbname", "") or "postgres"),
            "POSTGRES_HOST": str(params.pop("host", "") or "127.0.0.1"),
            "POSTGRES_PORT": str(params.pop("port", "") or 5432),
            "POSTGRES_USER": str(params.pop("user", "") or "postgres"),
            "POSTGRES_PASSWORD": str(params.pop("password", "") or ""),
            LIBPQ_OPTIONS: make_conninfo("", **params),
            "POSTGRES_SCHEMA": schema,
            "POSTGRES_POOL_SIZE": str(pool_size),
            "POSTGRES_MAX_OVERFLOW": str(pool_size),
            "POSTGRES_CONNECT_TIMEOUT": "3",  # also the wait for a pooled connection: fail fast → 503
            # No ping before every use (a round trip per transaction): connections the server
            # dropped are weeded out when it comes back (LicensingApplication.discard_broken).
            "POSTGRES_PRE_PING": "n",
            "POSTGRES_LOCK_TIMEOUT": "5",
            "CREATE_TABLE": create,
        }
    raise SystemExit(
        f"XUKE_DATABASE_URL must be sqlite:///… or postgresql://…, not {database_url!r}"
    )


LIBPQ_OPTIONS = "XUKE_LIBPQ_OPTIONS"


class LibpqOptionsFactory(PostgresFactory):
    """eventsourcing's PostgreSQL persistence, with the libpq options of our URL that its
    environment has no key for: above all ``target_session_attrs=read-write``, without which a
    multi-host URL could land on a standby (or on an old primary come back after failover).
    They are given to its pool before the pool opens, so every connection has them."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        options, kwargs = self.env.get(LIBPQ_OPTIONS), self.datastore.pool.kwargs
        if options and isinstance(kwargs, dict):  # eventsourcing gives its pool a dict
            kwargs.update(conninfo_to_dict(options))


def tune_gc(*, throughput: bool = True) -> None:
    """Never look again at what start-up made; for throughput, collect young objects less often.

    A worker keeps thousands of case aggregates cached and every event allocates many small,
    acyclic objects; with CPython's default thresholds the collector walked that cache again
    and again: 55 % of a 1 M-event rebuild's time, for 35 objects freed. Reference counting
    frees everything we make; the collector is still there for the rare cycle. A server
    answering requests collects young objects more often and old ones rarely, as pauses show
    in its tail latency (inbox p99 at 1 M cases: 64 ms with CPython's defaults, 40 ms with the
    worker's thresholds, 30 ms with these)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*((50_000, 20, 100) if throughput else (10_000, 10, 1000)))


def postgres_dsn(database_url: str) -> str:
    """The URL without our ``schema`` option, as psycopg understands it."""
    return postgres_conninfo(database_url)


def ensure_postgres_schema(database_url: str) -> None:
    schema = parse_qs(urlparse(database_url).query).get("schema", [""])[0]
    if schema:
        with psycopg.connect(postgres_dsn(database_url), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def build_application(
    settings: Settings, *, clock: Clock | None = None, create_tables: bool = False
) -> LicensingApplication:
    env = eventsourcing_env(
        settings.resolved_database_url, create_tables=create_tables, pool_size=settings.pool_size
    )
    if settings.aggregate_cache:  # eventsourcing's cache, fast-forwarded from the store on use
        env |= {"AGGREGATE_CACHE_MAXSIZE": str(settings.aggregate_cache)}
    if settings.cipher_key:
        env |= {
            "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
            "CIPHER_KEY": settings.cipher_key,
        }
    clock = clock or SystemClock()
    app = LicensingApplication(
        env,
        clock=clock,
        secret=settings.secret_key.encode(),
        thresholds=LightThresholds(settings.yellow_days_left, settings.yellow_fraction_used),
        group_commit=settings.group_commit,
        limits=AuthorityLimits(
            settings.correction_period_days,
            settings.denial_service_days,
            frozenset(settings.duties_combined),
        ),
        blobs=blob_store(settings, clock),
    )
    if settings.inline_views:  # the awaited views, written with the events (docs/write-path.md)
        from xuke.projections.inline import InlineViews

        app.write_path.views = InlineViews(app, settings.resolved_database_url)
    return app


def blob_store(settings: Settings, clock: Clock) -> BlobStore:
    """Files (materials, documents): on the embedded default under ``XUKE_DATA_DIR/blobs``,
    on PostgreSQL in its ``blobs`` table beside the events (``application/blobs.py``, which
    also describes an S3-compatible store as the path to scale out). The index's database
    is opened on first use."""
    url = settings.resolved_database_url

    def database() -> ViewStore:
        return ViewStore(url, pool_size=min(settings.pool_size, 4))

    if settings.is_sqlite:
        return FileBlobStore(blob_root(settings), database, clock)
    return PostgresBlobStore(database, clock)


def blob_root(settings: Settings) -> Path:
    """``XUKE_DATA_DIR/blobs``; when only ``XUKE_DATABASE_URL`` names a SQLite file elsewhere,
    beside that file (the database and its files are one thing to back up)."""
    path = unquote(settings.resolved_database_url.removeprefix("sqlite:///"))
    if "data_dir" in settings.model_fields_set or path == ":memory:":
        return settings.data_dir / "blobs"
    return Path(path).parent / "blobs"


def open_worker_application(settings: Settings) -> LicensingApplication:
    """The application as a child process of a parallel rebuild opens it."""
    tune_gc()
    return build_application(settings)


def migrate(settings: Settings, *, clock: Clock | None = None) -> LicensingApplication:
    """``xuke migrate``: create the event-store tables once; seed the calendar, the catalogue
    and the organisation tree (each only if absent).
    Every other process starts with ``CREATE_TABLE=n``; concurrent ``CREATE TABLE`` at start-up
    is what crashes eventsourcing 9.5.6 (docs/operations.md)."""
    if not settings.is_sqlite:
        ensure_postgres_schema(settings.resolved_database_url)
    app = build_application(settings, clock=clock, create_tables=True)
    apply_migrations(settings.resolved_database_url)  # first: seeding writes the inline views
    app.seed_calendar()
    app.seed_administration()  # the packaged catalogue and org tree, as events, once
    if settings.is_sqlite:
        restrict_sqlite_files(settings.resolved_database_url)
    return app


def restrict_sqlite_files(database_url: str) -> None:
    """The embedded store holds every case's personal data: its files are the service
    account's alone (0600), whatever the umask."""
    path = Path(unquote(database_url.removeprefix("sqlite:///")))
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if name.exists():
            name.chmod(0o600)


def hold_embedded_store(settings: Settings) -> IO[str] | None:
    """One server per embedded store: its projections and watchers would race a second one's
    (TrackingConflict tracebacks, twice the cards). An exclusive lock on a file beside the
    SQLite database, held while the process lives (the system drops it when the process ends,
    even on kill -9); a second ``xuke serve`` on the same folder stops with a clear message.
    None on PostgreSQL, where several servers share one database by design."""
    if not settings.is_sqlite:
        return None
    path = Path(unquote(settings.resolved_database_url.removeprefix("sqlite:///")))
    if str(path) == ":memory:":
        return None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = path.with_name(path.name + ".lock").open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise SystemExit(
            f"另一个 xuke serve 正在使用数据目录 {path.parent}（嵌入式数据库只能由一个服务进程使用）。"
            f"\nAnother xuke serve is already using {path}: stop it first, or give this one its "
            "own XUKE_DATA_DIR."
        ) from None
    return lock


def build_services(
    settings: Settings, *, with_projections: bool, clock: Clock | None = None
) -> Services:
    """Everything ``xuke serve`` runs: the application, the views, tokens, metrics — and the
    projections in this process when asked (always on SQLite: it has no other way). The API's
    modules are imported here, not at the top: projection and rebuild workers start from this
    module too and need none of them."""
    from xuke.api.auth import TokenService
    from xuke.api.context import DatabaseWatch, Services
    from xuke.api.metrics import Metrics
    from xuke.projections.case_loader import CaseLoader
    from xuke.projections.runner import ProjectionRunner
    from xuke.projections.store import ViewStore
    from xuke.projections.visibility import ViewPositions
    from xuke.supervision.denied_access import DeniedAccessLog

    app = build_application(settings, clock=clock)
    views = ViewStore(settings.resolved_database_url, pool_size=settings.pool_size)
    app.on_forbidden = DeniedAccessLog(views).record  # every refusal, for the supervisors
    tokens = TokenService.from_settings(settings)
    runner = None
    if with_projections:
        runner = ProjectionRunner(
            app, views, database_url=settings.resolved_database_url,
            inline_views=settings.inline_views,
        )  # fmt: skip

    def discard_broken() -> None:  # after an outage, weed out the pools' dead connections
        app.discard_broken()
        views.discard_broken()

    return Services(
        settings=settings, app=app, views=views, tokens=tokens, metrics=Metrics(),
        cases=CaseLoader(app, views),
        database=DatabaseWatch(settings.resolved_database_url, discard_broken),
        positions=ViewPositions(views), runner=runner, replica=replica_views(settings, views),
    )  # fmt: skip


def replica_views(settings: Settings, primary: ViewStore) -> ReplicaViews | None:
    """``XUKE_READ_DATABASE_URL``, when it names a database other than the primary."""
    if not settings.has_replica:
        return None
    from xuke.projections.replica import ReplicaViews

    return ReplicaViews(
        settings.read_database_url, primary, settings.read_max_lag_seconds, settings.pool_size
    )


def served_app() -> FastAPI:
    """One of the processes of ``xuke serve --workers N``: each builds its own services from
    the environment (the projections run in ``xuke projections run``)."""
    from xuke.api.app import create_app
    from xuke.api.logging import configure_logging

    tune_gc(throughput=False)
    configure_logging()
    return create_app(build_services(Settings(), with_projections=False), own_services=True)
