"""Limits on what anyone may try without signing in (docs/operations.md, "Behind a proxy").

A query code or a document number is a secret: whoever can try it often enough will guess one.
Every lookup by secret — the status page, ``publicStatus``, ``fileComplaint(queryCode:)``, the
verification page and ``verifyDocument`` — counts against ONE limit per client, whichever door
it comes through; the counter lives in the database, so several API processes (``--workers``,
N servers behind a balancer) share it. Anonymous writes (a question on the consultation board)
have a scope of their own.

Fixed windows: a client may spend a window's allowance at its end and the next one's at its
start, so the worst burst is twice the limit; for guessing a 10^8-space code that is still
nothing. Who "the client" is comes from the API (its address, with forwarded headers trusted
only from configured proxies: ``FORWARDED_ALLOW_IPS``).
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol


class _Transaction(Protocol):
    def execute(self, sql: str, params: Any = ()) -> int: ...
    def fetchone(self, sql: str, params: Any = ()) -> dict[str, Any] | None: ...


class _Database(Protocol):
    def transaction(self, write: bool = True) -> AbstractContextManager[_Transaction]: ...


@dataclass(frozen=True)
class Limit:
    count: int  # tries allowed …
    seconds: int  # … per this many seconds


SECRET_LOOKUP = "secret-lookup"  # query codes, document numbers and hashes
QUESTION = "question"  # 网上咨询 without signing in

DEFAULT_LIMITS: Mapping[str, Limit] = {
    SECRET_LOOKUP: Limit(20, 60),
    QUESTION: Limit(5, 600),
}
MAX_CLIENT_LENGTH = 64  # an address; anything longer is not one and is cut


class RateLimits:
    """``allow(scope, client)`` counts one try and says whether it is within the limit."""

    def __init__(
        self,
        database: _Database,
        limits: Mapping[str, Limit] = DEFAULT_LIMITS,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.database, self.limits, self.now = database, dict(limits), now
        self._swept: dict[str, int] = {}

    def allow(self, scope: str, client: str) -> bool:
        limit = self.limits[scope]
        slot = int(self.now() // limit.seconds)
        with self.database.transaction() as tx:
            row = tx.fetchone(
                "INSERT INTO rate_limit_hits (scope, client, slot, hits) VALUES (%s, %s, %s, 1) "
                "ON CONFLICT (scope, client, slot) DO UPDATE "
                "SET hits = rate_limit_hits.hits + 1 RETURNING hits",
                (scope, client_key(client), slot),
            )
            if self._swept.get(scope) != slot:  # once per window and process: forget the past
                tx.execute(
                    "DELETE FROM rate_limit_hits WHERE scope = %s AND slot < %s", (scope, slot)
                )
                self._swept[scope] = slot
        return row is not None and int(row["hits"]) <= limit.count

    def retry_after(self, scope: str) -> int:
        """Seconds until the client's window ends (the ``Retry-After`` of a 429)."""
        seconds = self.limits[scope].seconds
        return max(1, int(seconds - self.now() % seconds))


def client_key(client: str) -> str:
    """Whose allowance a try counts against. An IPv6 client holds a whole /64 (one customer's
    line): keyed by the address, it could try from 2^64 addresses in turn. IPv4 addresses,
    and anything that is not an address, count as themselves."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client[:MAX_CLIENT_LENGTH]
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    if address.ipv4_mapped is not None:  # ::ffff:203.0.113.7 is 203.0.113.7
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))
