"""Read-your-writes: waiting until the views show a position.

A mutation answers once the views its caller reads next show its change. Waiters used to
poll — every millisecond in process, the tracking table every two milliseconds from another
process — and fifty waiting clients made tens of thousands of polls a second on the cores
the commands needed. Now they sleep on one condition, woken when a position moves: by the
worker threads in this process, or by a NOTIFY that a worker in another process sends in
the same transaction that moves its position. A look at the tracking table now and then
covers a notification lost with a dropped connection (and SQLite, which has no NOTIFY)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence

from xuke.projections.store import Listener, ViewStore

log = logging.getLogger("xuke.projections")


class Progress:
    """Something that moves forward, and waiting until it has moved far enough."""

    def __init__(self, look: Callable[[], None] | None = None, look_every: float = 0.05) -> None:
        """``look``: find out without being told (read the positions), at most once per
        ``look_every`` seconds however many wait."""
        self._moved = threading.Condition()
        self._futures: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._look, self._look_every = look, look_every
        self._looked_at = 0.0

    def moved(self) -> None:
        with self._moved:
            self._moved.notify_all()
            futures, self._futures = self._futures, []
        for loop, future in futures:
            loop.call_soon_threadsafe(_resolve, future)

    def wait_until(self, reached: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            with self._moved:
                wait = self._next_wait(reached, deadline)
                if isinstance(wait, bool):
                    return wait
                woken = self._moved.wait(wait)
            if not woken:
                self.look_now()

    async def wait_until_async(self, reached: Callable[[], bool], timeout: float) -> bool:
        """The same, holding no thread while it waits: a server with fifty clients waiting
        for their views would otherwise tie up fifty threads its commands need."""
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + timeout
        while True:
            with self._moved:
                wait = self._next_wait(reached, deadline)
                if isinstance(wait, bool):
                    return wait
                woken: asyncio.Future[None] = loop.create_future()
                self._futures.append((loop, woken))
            try:
                await asyncio.wait_for(woken, wait)
            except TimeoutError:
                if self._look is not None:
                    await asyncio.to_thread(self.look_now)

    def _next_wait(self, reached: Callable[[], bool], deadline: float) -> bool | float:
        """Under the lock: True once reached, False when out of time, else how long to
        sleep before looking again."""
        if reached():
            return True
        remaining = deadline - time.monotonic()
        return False if remaining <= 0 else min(remaining, self._look_every)

    def look_now(self, force: bool = False) -> None:
        now = time.monotonic()
        if self._look is None or (not force and now - self._looked_at < self._look_every):
            return
        self._looked_at = now
        try:
            self._look()
        except Exception as e:  # the database is away: waiting ends by its timeout
            log.debug("could not read the views' positions: %s", e)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():  # a waiter that timed out has cancelled its own
        future.set_result(None)


class ViewPositions:
    """The views' positions as this process last heard of them (projections run elsewhere)."""

    def __init__(self, store: ViewStore, look_every: float | None = None) -> None:
        """``look_every``: how often a waiter reads the table itself; by default 2 ms on
        SQLite (no NOTIFY), 50 ms on PostgreSQL (only for announcements lost)."""
        self.store = store
        self._positions: dict[str, int] = {}
        self._advancing = threading.Lock()
        self._stop = threading.Event()
        self.listener = None if store.is_sqlite else Listener(store.url, store.channel, self._heard)
        default = 0.002 if self.listener is None else 0.05
        self.progress = Progress(self.refresh, look_every=look_every or default)

    def start(self) -> None:
        if self.listener is not None:
            threading.Thread(
                target=self.listener.run, args=(self._stop,), name="view-positions", daemon=True
            ).start()

    def stop(self) -> None:
        self._stop.set()

    def _heard(self, payload: str | None) -> None:
        if payload is None:  # (re)connected: what was announced meanwhile is lost
            self.progress.look_now(force=True)
        else:
            name, _, position = payload.rpartition(":")
            self.advance(name, int(position))

    def advance(self, name: str, position: int) -> None:
        """Only forward: the listener and a waiter's look may report at once, in any order."""
        with self._advancing:
            if position <= self._positions.get(name, 0):
                return
            self._positions[name] = position
        self.progress.moved()

    def position(self, name: str) -> int:
        """The view's position as last heard (live subscriptions, api/graphql/live)."""
        return self._positions.get(name, 0)

    def refresh(self) -> None:
        for row in self.store.fetchall("SELECT projection, position FROM projection_tracking"):
            self.advance(row["projection"], int(row["position"]))

    def _reached(self, position: int, names: Sequence[str]) -> Callable[[], bool]:
        return lambda: all(self._positions.get(n, 0) >= position for n in names)

    def wait(self, position: int, names: Sequence[str], timeout: float) -> bool:
        return self.progress.wait_until(self._reached(position, names), timeout)

    async def wait_async(self, position: int, names: Sequence[str], timeout: float) -> bool:
        return await self.progress.wait_until_async(self._reached(position, names), timeout)
