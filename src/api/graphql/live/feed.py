"""When to look again: the views' positions, as this process learns of their moves.

A subscription answers again only when a view it reads has moved. Views move in two ways:
projection workers write pages (in this process or another), and, for the inline views
(inbox, public status, deadlines, supervision; ``XUKE_INLINE_VIEWS``), the writers move them
in the events' own transaction. Both move the position in ``projection_tracking`` and, on
PostgreSQL, NOTIFY the views' channel on commit. So, whatever runs where:

- PostgreSQL: one LISTEN connection per process (started with the first subscription) hears
  every move; the tracking table is read again only when that connection was (re)made, since
  notifications sent meanwhile are lost, and every ``LOOK_SECONDS`` in case one was;
- SQLite (no NOTIFY): the tracking table is read every ``SQLITE_POLL_SECONDS``, once per
  process however many subscriptions are open.

Each subscription then reads its own answer (a count, new cards) and sends it only if it
changed, so a burst of events costs one answer, not one per event. Positions are read in a
worker thread, never on the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Sequence

from xuke.api.context import Services
from xuke.projections.store import Listener, ViewStore
from xuke.projections.visibility import Progress

SQLITE_POLL_SECONDS = 0.5
LOOK_SECONDS = 5.0  # PostgreSQL: a notification lost with a dropped connection
HEARTBEAT_SECONDS = 30.0  # a quiet feed still answers now and then (a task turning overdue)


class ViewFeed:
    """The views' positions for live answers; one per process and store (``feed_of``)."""

    def __init__(self, store: ViewStore, poll_seconds: float | None = None) -> None:
        self.store = store
        self._positions: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.listener = None if store.is_sqlite else Listener(store.url, store.channel, self._heard)
        every = poll_seconds or (SQLITE_POLL_SECONDS if self.listener is None else LOOK_SECONDS)
        self.progress = Progress(self.refresh, look_every=every)
        self._subscribers = 0

    def _subscribed(self) -> None:
        """The first subscriber starts the listener's thread and reads the positions as
        they stand; the last one to go stops it (no connection is held for nobody)."""
        with self._lock:
            self._subscribers += 1
            if self._subscribers > 1:
                return
            self._stop = threading.Event()
        if self.listener is not None:
            threading.Thread(
                target=self.listener.run, args=(self._stop,), name="live-feed", daemon=True
            ).start()
        self.refresh()

    def _unsubscribed(self) -> None:
        with self._lock:
            self._subscribers -= 1
            if self._subscribers == 0:
                self._stop.set()

    def _heard(self, payload: str | None) -> None:
        if payload is None:  # (re)connected: what was announced meanwhile is lost
            self.progress.look_now(force=True)
            return
        name, _, position = payload.rpartition(":")
        if position.isdigit():
            self._advance({name: int(position)})

    def refresh(self) -> None:
        rows = self.store.fetchall("SELECT projection, position FROM projection_tracking")
        self._advance({r["projection"]: int(r["position"]) for r in rows})

    def _advance(self, seen: dict[str, int]) -> None:
        """Record what moved and wake the waiters. A position may also go back (a rebuild
        swapped its view in): that is news too."""
        with self._lock:
            changed = {k: v for k, v in seen.items() if self._positions.get(k) != v}
            self._positions.update(changed)
        if changed:
            self.progress.moved()

    def position(self, names: Sequence[str]) -> int:
        """The lowest position of the named views, as last heard (no query)."""
        with self._lock:
            return min(self._positions.get(name, 0) for name in names)

    async def moves(self, names: Sequence[str]) -> AsyncIterator[int]:
        """The named views' position: at once, then each time it has changed (or after a
        heartbeat of quiet). Runs until the subscriber goes (or its token expires: it may
        then be cancelled while still subscribing, see ``subscriptions.until_expiry``)."""
        subscribing = asyncio.ensure_future(asyncio.to_thread(self._subscribed))
        try:
            await asyncio.shield(subscribing)
        except BaseException:  # cancelled meanwhile, or the positions could not be read
            subscribing.add_done_callback(lambda _: self._unsubscribed())
            raise
        try:
            last = self.position(names)
            yield last
            while True:
                moved = self._moved_from(names, last)
                await self.progress.wait_until_async(moved, HEARTBEAT_SECONDS)
                last = self.position(names)
                yield last
        finally:
            self._unsubscribed()

    def _moved_from(self, names: Sequence[str], seen: int) -> Callable[[], bool]:
        return lambda: self.position(names) != seen


_FEEDS: dict[int, ViewFeed] = {}
_FEEDS_LOCK = threading.Lock()


def feed_of(services: Services) -> ViewFeed:
    """The process's feed for these services' view store (made on first use)."""
    with _FEEDS_LOCK:
        feed = _FEEDS.get(id(services.views))
        if feed is None or feed.store is not services.views:
            feed = _FEEDS[id(services.views)] = ViewFeed(services.views)
        return feed
