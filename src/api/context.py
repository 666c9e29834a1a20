"""What a request carries into resolvers: the caller and the services, wired once at start."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

import psycopg
from eventsourcing.persistence import IntegrityError, PersistenceError
from graphql import GraphQLError
from psycopg_pool import PoolTimeout
from starlette.concurrency import run_in_threadpool
from strawberry.fastapi import BaseContext

from xuke.api.auth import TokenService
from xuke.api.metrics import Metrics
from xuke.application.authorization import Forbidden
from xuke.application.licensing import LicensingApplication
from xuke.application.principal import Principal
from xuke.application.rate_limits import DEFAULT_LIMITS, SECRET_LOOKUP, Limit, RateLimits
from xuke.domain.calendar import WorkingCalendar
from xuke.domain.model import local_date
from xuke.domain.roles import OVERSIGHT_ROLES
from xuke.projections.case_loader import CaseLoader
from xuke.projections.deadlines_queries import Lights
from xuke.projections.replica import ReplicaViews
from xuke.projections.runner import PROJECTIONS, ProjectionRunner
from xuke.projections.store import ViewStore, postgres_conninfo
from xuke.projections.visibility import ViewPositions
from xuke.settings import Settings

T = TypeVar("T")
RETRY_AFTER_SECONDS = 5
# What a lost or refusing database looks like from here.
UNAVAILABLE = (
    PersistenceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    PoolTimeout,
    sqlite3.OperationalError,
)
VISIBILITY_TIMEOUT = 2.0  # read-your-writes: at most this long for the views to catch up
READ_YOUR_WRITES_VIEWS = [name for name, view in PROJECTIONS.items() if view.awaited]


@dataclass
class Services:
    """Everything the API needs, built by the composition root."""

    settings: Settings
    app: LicensingApplication
    views: ViewStore
    tokens: TokenService
    metrics: Metrics
    cases: CaseLoader
    database: DatabaseWatch
    positions: ViewPositions  # read-your-writes when the projections run elsewhere
    runner: ProjectionRunner | None = None  # in-process projections, if this process runs them
    rate_limits: RateLimits | None = None  # built from ``views`` unless given
    # XUKE_READ_DATABASE_URL: a streaming replica for the reads that may lag (``reads``)
    replica: ReplicaViews | None = None

    def __post_init__(self) -> None:
        if self.rate_limits is None:  # on the application's clock (a test's stands still)
            limits = {
                **DEFAULT_LIMITS,
                SECRET_LOOKUP: Limit(self.settings.secret_lookups_per_minute, 60),
            }
            self.rate_limits = RateLimits(
                self.views, limits, now=lambda: self.app.clock.now().timestamp()
            )

    def allow(self, scope: str, client: str) -> bool:
        """One try against the client's limit in ``scope`` (``application/rate_limits.py``)."""
        assert self.rate_limits is not None
        return self.rate_limits.allow(scope, client)

    @property
    def reads(self) -> ViewStore:
        """The views for queries that need not read their own writes (register, public status,
        compliance, audit trail): the replica's while it keeps up, else the primary's
        (``projections/replica.py``). What a mutation's caller reads next uses ``views``."""
        return self.replica or self.views

    def start(self) -> None:
        """The watchers a serving process runs: the database's presence, the views' positions,
        the replica's lag."""
        self.database.start()
        if self.replica is not None:
            self.replica.start()
        if self.runner is None:
            self.positions.start()

    def stop(self) -> None:
        self.database.stop()
        if self.replica is not None:
            self.replica.close()
        self.positions.stop()

    def today(self) -> dt.date:
        return local_date(self.app.clock.now())

    async def wait_for_views(self, position: int | None) -> None:
        """Read-your-writes: a mutation answers once the views its caller reads next (inbox,
        status, deadlines, supervision) show its change; the audit trail and the register
        follow moments later and are not waited for. No thread is held while waiting."""
        if position is None:
            return
        # Views written inline with the command's events (docs/write-path.md) show it already:
        # only those left behind (inline views off, or a view not caught up) are waited for.
        names = self.app.write_path.views_behind(position, READ_YOUR_WRITES_VIEWS)
        if not names:
            return
        if self.runner is not None:
            await self.runner.wait_for_async(position, VISIBILITY_TIMEOUT, names)
        else:
            await self.positions.wait_async(position, names, VISIBILITY_TIMEOUT)


class DatabaseWatch:
    """Is the database there? Probed once a second by a cheap connection, so that while it is
    away requests are answered 503 at once instead of waiting out the store's retries. The
    state is this process's own and only decides how fast to fail."""

    def __init__(self, database_url: str, on_return: Callable[[], None] = lambda: None) -> None:
        """``on_return``: called when the database is back after being away."""
        self.url, self.on_return = postgres_conninfo(database_url), on_return
        self.available = threading.Event()
        self.available.set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.url.startswith("postgres") and self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="database-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _watch(self) -> None:
        while not self._stop.wait(1.0):
            try:
                with psycopg.connect(self.url, connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                if not self.available.is_set():
                    self.on_return()
                self.available.set()
            except psycopg.Error:
                self.available.clear()


class Context(BaseContext):
    def __init__(self, services: Services, principal: Principal | None) -> None:
        super().__init__()
        self.services, self.principal = services, principal
        self.loaders: dict[str, Any] = {}
        self.auth_error: str | None = None  # a token was sent but not accepted
        self.keys_unavailable = False  # … because the identity provider's keys could not be had

    @cached_property
    def calendar(self) -> WorkingCalendar:
        """One look at the calendar per request, however many cases it shows."""
        return self.services.app.working_calendar()

    @cached_property
    def lights(self) -> Lights:
        """Lights against this request's calendar (a page of 50 tasks: one look, not 50)."""
        return Lights(lambda: self.calendar, self.services.app.thresholds)

    def require_principal(self) -> Principal:
        if self.principal is None and self.keys_unavailable:  # an outage, not a bad token
            if self.response is not None:
                self.response.status_code = 503
                self.response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            raise GraphQLError(
                f"身份认证服务暂时不可用，请稍后重试 ({self.auth_error})",
                extensions={"code": "UNAVAILABLE"},
            )
        if self.principal is None:
            reason = self.auth_error or "authentication required"
            raise GraphQLError(f"请先登录 ({reason})", extensions={"code": "UNAUTHENTICATED"})
        return self.principal

    def require_oversight(self, what: str) -> Principal:
        principal = self.require_principal()
        if not principal.roles & OVERSIGHT_ROLES:
            self.services.app.on_forbidden(
                Forbidden(f"{what}需要监察、审计或管理角色", principal, what)
            )
            raise forbidden(f"{what}需要 SUPERVISOR、AUDITOR 或 ADMIN 角色")
        return principal

    @property
    def client_address(self) -> str:
        """The caller's address, as uvicorn resolved it: forwarded headers count only from
        the proxies named in ``FORWARDED_ALLOW_IPS``."""
        client = self.request.client if self.request is not None else None
        return client.host if client else "unknown"

    async def limit(self, scope: str) -> None:
        """Count one try by this client against ``scope``'s limit; over it, a 429."""
        if not await self.run(self.services.allow, scope, self.client_address):
            assert self.services.rate_limits is not None
            if self.response is not None:
                self.response.status_code = 429
                self.response.headers["Retry-After"] = str(
                    self.services.rate_limits.retry_after(scope)
                )
            raise GraphQLError(
                "查询过于频繁，请稍后再试 (rate limited)", extensions={"code": "RATE_LIMITED"}
            )

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """eventsourcing is synchronous: every store call runs in the thread pool. A database
        that cannot be reached is a 503 with Retry-After, not a 500: clients retry, and the
        service recovers by itself when the database is back. A call caught as the database
        goes away is answered 503 at once rather than after the store's own retries (~30 s);
        a retry with the same idempotency key finds out whether it was stored."""
        try:
            available = self.services.database.available
            if not available.is_set():
                raise PersistenceError("the database is not available")
            call = asyncio.ensure_future(run_in_threadpool(fn, *args))
            try:
                while not (await asyncio.wait({call}, timeout=0.25))[0]:
                    if not available.is_set():
                        raise PersistenceError("the database went away during the call")
            finally:  # left early: by the outage, or cancelled with a sibling field's failure
                if not call.done():
                    call.add_done_callback(_consume)
            return call.result()
        except UNAVAILABLE as e:
            if isinstance(e, IntegrityError):  # a conflict is an answer, not an outage
                raise
            if self.response is not None:
                self.response.status_code = 503
                self.response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            raise GraphQLError(
                "数据库暂时不可用，请稍后重试 (database unavailable)",
                extensions={"code": "UNAVAILABLE"},
            ) from None


def _consume(call: asyncio.Future[Any]) -> None:
    """A call left before it ended (answered 503, or its request given up): its outcome is
    not anyone's any more, and is not logged as an exception never retrieved."""
    if not call.cancelled():
        call.exception()


def forbidden(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "FORBIDDEN"})
