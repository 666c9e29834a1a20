"""Running projections: pages of events, one transaction per page, woken by PostgreSQL's
LISTEN/NOTIFY or by polling on SQLite.

Why not eventsourcing's ``ProjectionRunner``: it commits once per event (~1,000 events/s
here, docs/operations.md) and has no SQLite subscription; one runner for both engines that commits a
page at a time drives the same ``Projection`` classes ~10× faster. A LISTEN connection can
drop without a word (eventsourcing issue #305): the listener reconnects on any error, and the
worker polls every ``poll_seconds`` anyway, so a silent drop costs at most that much lag.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import Notification

from xuke.domain.case import LicenseCase
from xuke.projections.audit import AuditTrailProjection
from xuke.projections.base import (
    CaseStates,
    Envelope,
    PageContext,
    Partition,
    ViewProjection,
    envelope_of,
)
from xuke.projections.consultations import ConsultationsProjection
from xuke.projections.deadlines import DeadlinesProjection
from xuke.projections.documents import DocumentsProjection
from xuke.projections.exchange import ExchangeProjection
from xuke.projections.inbox import InboxProjection
from xuke.projections.public_status import PublicStatusProjection
from xuke.projections.register import LicenceRegisterProjection
from xuke.projections.source import EventSource
from xuke.projections.store import Listener, ViewStore
from xuke.projections.supervision import SupervisionProjection
from xuke.projections.tracking import (
    TrackingConflict,
    ViewTracking,
    claim_position,
    read_position,
    write_position,
)
from xuke.projections.visibility import Progress

log = logging.getLogger("xuke.projections")

PROJECTIONS: dict[str, type[ViewProjection]] = {
    p.name: p
    for p in (
        InboxProjection,
        PublicStatusProjection,
        AuditTrailProjection,
        DeadlinesProjection,
        LicenceRegisterProjection,
        SupervisionProjection,
        DocumentsProjection,
        ExchangeProjection,
        ConsultationsProjection,
    )
}
# The views a writer may write in the events' own transaction (projections/inline.py): their
# positions can move under a worker, which then only catches up what was left to it.
INLINE_VIEWS = ("inbox", "public_status", "deadlines", "supervision")
PAGE_SIZE = 500
# A view no mutation waits for reads this long after being woken: under load its pages hold
# many events instead of one each, and it stays off the cores while the awaited views work.
GATHER_SECONDS = 0.05


class ReadPage(NamedTuple):
    """A page read ahead: where it ends, how many stored events it spans, the envelopes the
    projection wants and what its ``prepare`` read for them."""

    last: int
    consumed: int
    page: list[Envelope]
    prepared: Any


class ProjectionWorker:
    """Keeps one projection up to date with the source's notification log."""

    def __init__(
        self,
        app: EventSource,
        store: ViewStore,
        projection: type[ViewProjection],
        *,
        page_size: int = PAGE_SIZE,
        suffix: str = "",
        partition: Partition | None = None,
        stop_at: int | None = None,
        moved: Callable[[], None] = lambda: None,
    ) -> None:
        """``partition``: build only that share of the cases; ``stop_at``: the last position
        to read (a share of a rebuild stops where the others do); ``moved``: told after
        every page written."""
        self.app, self.store, self.page_size, self.stop_at = app, store, page_size, stop_at
        self._moved = moved
        context = PageContext(
            calendar=app.working_calendar,
            thresholds=app.thresholds,
            cases=CaseStates(self._load_case),
        )
        tracking = ViewTracking(store, projection.name + suffix)
        self._new = functools.partial(projection, tracking, context, app.mapper, suffix, partition)
        self.projection = self._new()
        self._position: int | None = None
        self._position_known = False
        # Written inline by the writers too (not a rebuild's shadow, not a share): the
        # position is read afresh before each page, and a page the writers wrote first is
        # dropped without a fuss.
        self.inline = projection.name in INLINE_VIEWS and not suffix and partition is None

    def _forget(self) -> None:
        """After a page failed: drop whatever it left behind — cached case states, and the
        rows, counts and steps the projection had collected (a retried page starts clean,
        or it would count twice)."""
        self.projection.context.cases.clear()
        self.projection = self._new()

    def _load_case(self, case_id: UUID, version: int) -> LicenseCase:
        case: LicenseCase = self.app.repository.get(case_id, version=version)
        return case

    @property
    def name(self) -> str:
        return self.projection.tracking_name

    def position(self) -> int:
        if not self._position_known or self.inline:
            self._position, self._position_known = read_position(self.store, self.name), True
        return self._position or 0

    def _fetch(self, start: int) -> Sequence[Notification]:
        return self.app.recorder.select_notifications(
            start=start, limit=self.page_size, stop=self.stop_at, inclusive_of_start=False
        )

    def _read(self, start: int) -> ReadPage | None:
        """The next page of the log, decoded and prepared: everything that only reads."""
        notifications = self._fetch(start)
        if notifications and self.inline and self.position() > start:
            return None  # written inline meanwhile: look again from where it stands now
        if not notifications:
            return None
        wanted = [n for n in notifications if self.projection.accepts(n)]
        page = [envelope_of(n, self.app.mapper.to_domain_event(n)) for n in wanted]  # type: ignore[arg-type]
        return ReadPage(
            notifications[-1].id, len(notifications), page, self.projection.prepare(page)
        )

    def run_page(self) -> int:
        """Apply the next page, if any; returns how many stored events it consumed."""
        try:
            read = self._read(self.position())
        except BaseException:
            self._forget()
            raise
        return self._apply(read) if read else 0

    def _apply(self, read: ReadPage) -> int:
        try:
            with self.store.transaction() as tx:
                claim_position(tx, self.name, self._position)
                self.projection.process_page(tx, read.page, read.prepared)
                write_position(tx, self.name, read.last, self._position)
        except TrackingConflict:
            self._position_known = False
            self._forget()
            if self.inline:  # a writer wrote these events inline first: nothing to do
                log.debug("projection %s: page written inline meanwhile", self.name)
                return 0
            raise
        except BaseException:
            self._position_known = False  # re-read: the page did not happen
            self._forget()
            raise
        self._position = read.last
        self._moved()
        return read.consumed

    def _discard_broken(self) -> None:
        """The failure may have been the database going away: weed out dead connections."""
        try:
            self.app.discard_broken()
            self.store.discard_broken()
        except Exception as e:  # still away: the next page fails and says so
            log.debug("could not check connections: %s", e)

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Apply pages until the log is exhausted; returns the number of events consumed.
        The next page is read, decoded and prepared in a second thread while this one is
        written: Python works while the database answers, which is most of a rebuild's gain
        on two cores. (Cached cases check their version, so a page prepared ahead of a failed
        one is never applied on a wrong state.)"""
        total = 0
        try:
            with ThreadPoolExecutor(1, thread_name_prefix=f"read-ahead-{self.name}") as pool:
                ahead = pool.submit(self._read, self.position())
                while read := ahead.result():
                    ahead = pool.submit(self._read, read.last)
                    consumed = self._apply(read)
                    total += consumed
                    if progress:
                        progress(consumed)
        except BaseException:
            self._forget()  # after the read-ahead thread has stopped
            raise
        return total

    def run(
        self,
        stop: threading.Event,
        wake: threading.Event,
        poll_seconds: float,
        inline_elsewhere: bool = False,
    ) -> None:
        """Until ``stop``: catch up, then sleep until woken or ``poll_seconds`` pass.
        ``inline_elsewhere``: the writers write this view inline, so it is rarely behind and
        looks no more than ``1 / GATHER_SECONDS`` times a second."""
        while not stop.is_set():
            wake.clear()
            try:
                if self.run_page():
                    continue
            except Exception:
                log.exception("projection %s failed; retrying", self.name)
                stop.wait(1.0)
                self._discard_broken()
                continue
            wake.wait(poll_seconds)
            if not self.projection.awaited or (self.inline and inline_elsewhere):
                stop.wait(GATHER_SECONDS)  # nobody waits: let a few events gather first


class ProjectionRunner:
    """Runs workers for the named projections in threads of this process."""

    def __init__(
        self,
        app: EventSource,
        store: ViewStore,
        names: list[str] | None = None,
        *,
        database_url: str = "",
        poll_seconds: float | None = None,
        inline_views: bool = False,
    ) -> None:
        """``inline_views``: the writers write the inline views themselves (Settings)."""
        self.inline_views = inline_views
        unknown = set(names or []) - set(PROJECTIONS)
        if unknown:
            raise ValueError(f"unknown projections: {', '.join(sorted(unknown))}")
        self.progress = Progress()
        self.workers = [
            ProjectionWorker(app, store, PROJECTIONS[n], moved=self.progress.moved)
            for n in (names or list(PROJECTIONS))
        ]
        self.stop_event = threading.Event()
        self.wakes = [threading.Event() for _ in self.workers]
        self.listener: Listener | None = None
        channel = getattr(app.recorder, "channel_name", None)
        if channel and not store.is_sqlite:
            self.listener = Listener(database_url or store.url, channel, lambda _: self.wake())
        self.poll_seconds = (
            poll_seconds if poll_seconds is not None else (1.0 if self.listener else 0.02)
        )
        self._threads: list[threading.Thread] = []

    def start(self) -> ProjectionRunner:
        if self.listener is not None:
            self._spawn(self.listener.run, "listener", self.stop_event)
            self.listener.connected.wait(5)
        for worker, wake in zip(self.workers, self.wakes, strict=True):
            self._spawn(
                worker.run, worker.name, self.stop_event, wake, self.poll_seconds, self.inline_views
            )
        return self

    def _spawn(self, target: Callable[..., Any], name: str, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=f"projection-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def wake(self) -> None:
        for wake in self.wakes:
            wake.set()

    def stop(self) -> None:
        self.stop_event.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout=10)

    def wait_for(self, position: int, timeout: float = 2.0, names: list[str] | None = None) -> bool:
        """Read-your-writes: block until the named views (all by default) have processed
        ``position``; woken by the workers as they move (visibility.py)."""
        self.wake()
        return self.progress.wait_until(self._reached(position, names), timeout)

    async def wait_for_async(
        self, position: int, timeout: float = 2.0, names: list[str] | None = None
    ) -> bool:
        """``wait_for`` without holding a thread (the API's read-your-writes)."""
        self.wake()
        return await self.progress.wait_until_async(self._reached(position, names), timeout)

    def _reached(self, position: int, names: list[str] | None) -> Callable[[], bool]:
        workers = [w for w in self.workers if names is None or w.projection.name in names]
        return lambda: all(w.position() >= position for w in workers)
