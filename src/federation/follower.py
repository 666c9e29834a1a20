"""Following another instance's feed (``xuke exchange follow URL``): the national level
keeping up with each province, over HTTP, with no shared database (docs/exchange-federation.md).

The follower asks ``GET URL/exchange/feed?after=<recorded position>&limit=<page>`` and writes
each page, whole, in one transaction of the inbound store (``projections/national.py``:
events, views, progress). Its position lives in the database, not in the process: a follower
restarted, or killed mid-page, asks again from the last committed page, and a page it had
already written is recognised (positions at or below the recorded one are skipped), so every
event is applied exactly once. While the source is away the follower backs off
exponentially (``BACKOFF_FIRST`` doubling up to ``BACKOFF_CAP``, with jitter) and notes the
error on the source's row; once it answers again, it pulls page after page until caught up.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import orjson

from xuke.projections.national import (
    FOLLOW,
    InboundEvent,
    last_position,
    record_failure,
    record_page,
)
from xuke.projections.store import ViewStore

log = logging.getLogger("xuke.exchange.follow")
BACKOFF_FIRST, BACKOFF_CAP = 0.5, 30.0
NUL = b"\\u0000"  # JSON's escape of U+0000, which no stored text may hold


class FeedError(Exception):
    """The source answered, but not with a page of its feed."""


def default_name(url: str) -> str:
    """A source is named by the followed URL's host (with its port, when it has one) and its
    path, normalised (host in lower case, no trailing or repeated slashes), so two instances
    behind one host (``https://gw/gd`` and ``https://gw/js``) keep their own positions."""
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    path = "/".join(p for p in parts.path.split("/") if p)
    return parts.netloc.lower() + (f"/{path}" if path else "")


def parse_page(body: bytes) -> list[InboundEvent]:
    """An NDJSON page; a line that is not an integration event makes the page unusable. A
    stream cut short (the source's database went away mid-page) ends in a line without its
    newline: that fragment is left for the next page, which starts after the last whole line."""
    events = []
    whole = body[: body.rfind(b"\n") + 1]
    for number, line in enumerate(whole.splitlines(), start=1):
        if not line.strip():
            continue
        if NUL in line:
            raise FeedError(f"第 {number} 行含有不允许的字符 U+0000")
        try:
            events.append(InboundEvent.from_feed(orjson.loads(line)))
        except (orjson.JSONDecodeError, ValueError) as e:
            raise FeedError(f"第 {number} 行不是有效的事件：{e}") from None
    return events


@dataclass
class Follower:
    store: ViewStore
    url: str
    token: str
    name: str = ""
    jurisdiction: str | None = None  # what the source may speak for; None: learnt
    page_size: int = 1000
    timeout: float = 30.0
    idle_seconds: float = 1.0
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.url = self.url.rstrip("/")
        self.name = self.name or default_name(self.url)
        self.client = httpx.Client(
            timeout=self.timeout, headers={"Authorization": f"Bearer {self.token}"}
        )

    def pull_once(self) -> tuple[int, int]:
        """One page: (events in the page, events new to us)."""
        after = last_position(self.store, self.name)
        response = self.client.get(
            f"{self.url}/exchange/feed", params={"after": after, "limit": self.page_size}
        )
        if response.status_code != 200:
            raise FeedError(f"HTTP {response.status_code}: {response.text[:300]}")
        events = parse_page(response.content)
        return len(events), record_page(
            self.store, self.name, FOLLOW, events, url=self.url, jurisdiction=self.jurisdiction
        )

    def catch_up(self) -> int:
        """Pages until one comes back short: the feed's end as of now. Returns events applied."""
        applied = 0
        while True:
            received, new = self.pull_once()
            applied += new
            if received < self.page_size:
                return applied

    def run(self, stop: threading.Event) -> None:
        """Follow until ``stop``: catch up, wait ``idle_seconds``, again; back off on errors."""
        backoff = BACKOFF_FIRST
        while not stop.is_set():
            try:
                applied = self.catch_up()
            except Exception as e:  # the source, the network or our own database: retry
                self._failed(e)
                stop.wait(backoff * random.uniform(0.8, 1.2))
                backoff = min(backoff * 2, BACKOFF_CAP)
                continue
            if applied:
                log.info("followed %s: %d new events", self.name, applied)
            backoff = BACKOFF_FIRST
            stop.wait(self.idle_seconds)

    def _failed(self, error: Exception) -> None:
        message = f"{type(error).__name__}: {error}"
        log.warning("following %s: %s", self.name, message)
        try:
            record_failure(self.store, self.name, FOLLOW, self.url, message)
        except Exception:  # our own database is away too: nothing to note it in
            log.warning("could not note the failure of %s", self.name, exc_info=True)

    def close(self) -> None:
        self.client.close()
