"""Webhooks: partners' subscriptions to the exchange feed, and their delivery (docs/exchange.md).

**Subscriptions** (``WebhookRegistry``) are configuration, not case facts: rows of the
``webhooks`` table, registered and removed by an EXCHANGE (or ADMIN) principal. A webhook is
scoped to its owner's jurisdiction at registration and starts at the feed's head then (the
history is for the pull feed). Its secret, generated here, is shown once, on registration
(and on a replay of the same idempotency key by the same owner).

**Delivery** (``WebhookDeliverer``): the outbox is the feed itself — each webhook's
``delivered_up_to`` says how far its receiver acknowledged. Per webhook, in order, batches of
up to ``batch`` events are POSTed as ``{"webhookId", "events": [...]}`` with the header
``X-Xuke-Signature: sha256=<hex HMAC-SHA256 of the body, keyed by the secret>``; each event
carries its stable ``id`` for de-duplication (delivery is at least once). Only a 2xx moves
``delivered_up_to``; anything else (an error status, a timeout, a connection dropped
mid-answer) counts a failure and backs off exponentially (``backoff_base`` · 2ⁿ⁻¹, at most
``backoff_cap`` seconds), then resumes from ``delivered_up_to``.

Each webhook is served by its own task in a thread pool, with connect/read timeouts: a dead
or hanging receiver holds one thread for at most ``timeout`` seconds per attempt and never
touches the commands' path or the other subscribers. Several deliverer processes may run:
before posting, a deliverer *claims* the webhook's row with a conditional UPDATE (a lease,
``claimed_until``), so a subscriber is served by one deliverer at a time; a deliverer killed
mid-batch leaves a lease that runs out, and the next one resends from ``delivered_up_to``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import os
import secrets
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpcore
import httpx
import idna
import orjson

from xuke.application import authorization as authz
from xuke.application.principal import Principal
from xuke.domain.errors import IdempotencyKeyReused, NotFound, ValidationFailed
from xuke.domain.exchange import parse_types
from xuke.domain.roles import Role
from xuke.projections.exchange_queries import feed_query, ndjson_line

if TYPE_CHECKING:
    from xuke.projections.store import Row, ViewStore

log = logging.getLogger("xuke.exchange")

SIGNATURE_HEADER = "X-Xuke-Signature"
MAX_ANSWER = 64 * 1024  # bytes of a receiver's answer read, at most


def now_text(at: dt.datetime | None = None) -> str:
    """UTC, fixed width, so text order is time order on both engines."""
    return (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Webhook:
    id: str
    url: str
    event_types: tuple[str, ...]
    active: bool
    delivered_up_to: int
    failures: int
    owner_id: str
    jurisdiction_code: str
    secret: str | None = None  # only on registration

    @classmethod
    def of(cls, row: Row, secret: str | None = None) -> Webhook:
        return cls(
            id=row["id"], url=row["url"], event_types=tuple(orjson.loads(row["event_types"])),
            active=bool(row["active"]), delivered_up_to=int(row["delivered_up_to"]),
            failures=int(row["failures"]), owner_id=row["owner_id"],
            jurisdiction_code=row["jurisdiction_code"], secret=secret,
        )  # fmt: skip


def require_exchange(principal: Principal, action: str) -> Role:
    """The exchange feed and webhooks: EXCHANGE (a partner system) or ADMIN."""
    for role in (Role.EXCHANGE, Role.ADMIN):
        if principal.has(role):
            return role
    raise authz.Forbidden(f"{action}需要 EXCHANGE 或 ADMIN 角色", principal, action)


# ---------------------------------------------------------------- the target's address

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
ALLOWED_NETWORKS_ENV = "XUKE_WEBHOOK_ALLOWED_NETWORKS"
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(Exception):
    """A webhook's host is not a public address (or does not resolve): no request is made."""


def allowed_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``XUKE_WEBHOOK_ALLOWED_NETWORKS``: comma-separated CIDRs a webhook may reach although
    they are not public (a partner on the intranet; the tests' receiver on 127.0.0.1)."""
    text = os.environ.get(ALLOWED_NETWORKS_ENV, "")
    return tuple(
        ipaddress.ip_network(p.strip(), strict=False) for p in text.split(",") if p.strip()
    )


def _unmapped(address: Address) -> Address:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def forbidden(address: Address) -> bool:
    """Not a public address (after unmapping ``::ffff:a.b.c.d``), and not explicitly allowed."""
    address = _unmapped(address)
    if any(address in network for network in allowed_networks()):
        return False
    return (
        address.is_loopback or address.is_private or address.is_link_local
        or address.is_unspecified or address.is_reserved or address.is_multicast
        or not address.is_global  # e.g. 100.64.0.0/10 (carrier-grade NAT)
    )  # fmt: skip


def resolve(host: str, port: int) -> list[Address]:
    """Every address ``host`` resolves to (``getaddrinfo``, as the connection would), each
    checked: raises ``UnsafeTarget`` if it does not resolve or if ANY address is forbidden."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        raise UnsafeTarget(f"cannot resolve {host!r}: {e}") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(str(i[4][0]).split("%")[0]) for i in infos))
    if not addresses:
        raise UnsafeTarget(f"cannot resolve {host!r}")
    for address in addresses:
        if forbidden(address):
            raise UnsafeTarget(f"{host!r} resolves to a non-public address {address}")
    return addresses


def _ascii_host(host: str) -> str:
    """The host as it goes on the wire: an IP literal, or an IDNA-valid name."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        name = idna.encode(host.rstrip("."), uts46=True).decode("ascii")
        idna.decode(name)
    except (UnicodeError, ValueError):
        raise ValidationFailed("回调地址的主机名不合法", "url") from None
    return name


def _is_local(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _port(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)


def check_url(url: str, own_urls: tuple[str, ...] = (), *, resolve_host: bool = True) -> str:
    """A webhook's target: an absolute http(s) URL that is not this service. "This service"
    is each of ``own_urls`` (XUKE_PUBLIC_URL, and the address it serves on): the same host
    and port, or a loopback / unspecified address on one of their ports. Its host must be a
    valid IDNA name or IP literal and resolve only to public addresses (or ones in
    ``XUKE_WEBHOOK_ALLOWED_NETWORKS``); the deliverer checks that again on each connection."""
    url = url.strip()
    if len(url) > 2000:
        raise ValidationFailed("回调地址过长（最多 2000 个字符）", "url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationFailed("回调地址格式不正确", "url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed("回调地址必须是 http 或 https 的绝对地址", "url")
    host, port = _ascii_host(parts.hostname), _port(parts.scheme, port)
    for own in own_urls:
        mine = urlsplit(own)
        if not mine.hostname:
            continue
        own_port = _port(mine.scheme, mine.port)
        same = host.lower() == mine.hostname.lower() and port == own_port
        if same or (_is_local(host) and port == own_port):
            raise ValidationFailed("回调地址不能指向本系统自身", "url")
    if resolve_host:
        try:
            resolve(host, port)
        except UnsafeTarget:
            raise ValidationFailed(
                "回调地址必须解析为公网地址（不能是本机、内网、链路本地、保留或组播地址）", "url"
            ) from None
    return url


# ---------------------------------------------------------------- the deliverer's connections

_attempt = threading.local()  # .deadline: time.monotonic() by which this thread's POST ends


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads and writes all end by the attempt's deadline: httpx's timeouts
    are per read, so a receiver trickling a byte at a time would otherwise never time out."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    @staticmethod
    def _left(timeout: float | None) -> float:
        deadline: float | None = getattr(_attempt, "deadline", None)
        if deadline is None:
            return timeout if timeout is not None else 3600.0
        left = deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("the attempt's total deadline passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self._left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self._left(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self.inner.start_tls(ssl_context, server_hostname, self._left(timeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _CheckedBackend(httpcore.SyncBackend):
    """Resolves the host itself, refuses it if any address is not public (``resolve``), and
    connects to the address it checked: no second lookup can swap in an internal one (DNS
    rebinding). TLS still verifies the certificate against the URL's host name."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        address = resolve(host, port)[0]
        stream = super().connect_tcp(
            str(address), port, _DeadlineStream._left(timeout), local_address, socket_options
        )
        return _DeadlineStream(stream)


def _transport() -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(trust_env=False)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0,
        network_backend=_CheckedBackend(),
    )  # fmt: skip
    return transport


# ---------------------------------------------------------------- subscriptions


class WebhookRegistry:
    def __init__(self, views: ViewStore, own_urls: tuple[str, ...] = ()) -> None:
        self.views, self.own_urls = views, own_urls

    def register(
        self,
        principal: Principal,
        url: str,
        event_types: list[str],
        idempotency_key: str | None = None,
    ) -> Webhook:
        require_exchange(principal, "registerWebhook")
        url = check_url(url, self.own_urls)
        try:
            types = parse_types(event_types)
        except ValueError as e:
            raise ValidationFailed(str(e), "eventTypes") from None
        names = sorted(types) if types else []
        key = (idempotency_key or "").strip() or None
        if key is not None:
            existing = self.views.fetchone(
                "SELECT * FROM webhooks WHERE owner_id = %s AND idempotency_key = %s",
                [principal.user_id, key],
            )
            if existing is not None:
                return self._replay(existing, url, names)
        secret = secrets.token_hex(32)
        webhook_id = str(uuid.uuid4())
        with self.views.transaction() as tx:
            if key is not None:
                clash = tx.fetchone(
                    "SELECT * FROM webhooks WHERE owner_id = %s AND idempotency_key = %s",
                    [principal.user_id, key],
                )
                if clash is not None:
                    return self._replay(clash, url, names)
            head = tx.fetchone("SELECT MAX(position) AS p FROM exchange_events")
            tx.execute(
                "INSERT INTO webhooks (id, owner_id, owner_org, jurisdiction_code, url, "
                "event_types, secret, idempotency_key, active, delivered_up_to, failures, "
                "created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 1, %s, 0, %s)",
                [
                    webhook_id, principal.user_id, principal.org_code,
                    principal.jurisdiction_code, url, orjson.dumps(names).decode(), secret, key,
                    int(head["p"] or 0) if head else 0, now_text(),
                ],
            )  # fmt: skip
        row = self.views.fetchone("SELECT * FROM webhooks WHERE id = %s", [webhook_id])
        assert row is not None
        return Webhook.of(row, secret)

    @staticmethod
    def _replay(row: Row, url: str, names: list[str]) -> Webhook:
        if row["url"] != url or list(orjson.loads(row["event_types"])) != names:
            raise IdempotencyKeyReused("该幂等键已用于另一次注册", "idempotencyKey")
        return Webhook.of(row, row["secret"])

    def _visible(self, principal: Principal, row: Row | None) -> bool:
        if row is None or row["removed_at"] is not None:
            return False
        if row["owner_id"] == principal.user_id:
            return True
        return principal.has(Role.ADMIN) and principal.covers(row["jurisdiction_code"])

    def remove(self, principal: Principal, webhook_id: str) -> Webhook:
        """Stops delivery at once (a batch in flight may still arrive); idempotent for its
        owner: removing a removed webhook answers it again."""
        require_exchange(principal, "removeWebhook")
        row = self.views.fetchone("SELECT * FROM webhooks WHERE id = %s", [webhook_id])
        if (
            row is not None
            and row["removed_at"] is not None
            and row["owner_id"] == principal.user_id
        ):
            return Webhook.of(row)
        if not self._visible(principal, row):
            raise NotFound(f"没有编号为 {webhook_id} 的回调订阅", "id")
        with self.views.transaction() as tx:
            tx.execute(
                "UPDATE webhooks SET active = 0, removed_at = %s WHERE id = %s",
                [now_text(), webhook_id],
            )
        row = self.views.fetchone("SELECT * FROM webhooks WHERE id = %s", [webhook_id])
        assert row is not None
        return Webhook.of(row)

    def list(self, principal: Principal) -> list[Webhook]:
        """The caller's own webhooks; an ADMIN sees every one in their jurisdiction."""
        require_exchange(principal, "webhooks")
        rows = self.views.fetchall(
            "SELECT * FROM webhooks WHERE removed_at IS NULL ORDER BY created_at, id"
        )
        return [Webhook.of(r) for r in rows if self._visible(principal, r)]


# ---------------------------------------------------------------- delivery


class WebhookDeliverer:
    def __init__(
        self,
        views: ViewStore,
        *,
        batch: int = 100,
        timeout: float = 10.0,
        backoff_base: float = 1.0,
        backoff_cap: float = 300.0,
        lease: float = 60.0,
        parallel: int = 8,
        batches_per_claim: int = 20,
    ) -> None:
        self.views, self.batch, self.timeout = views, batch, timeout
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.lease = max(lease, 3 * timeout)  # an attempt ends well within its lease
        self.parallel, self.batches_per_claim = parallel, batches_per_claim
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False,
            transport=_transport(),
        )  # fmt: skip
        self.delivered = 0  # events acknowledged, for the benchmark and the log

    def close(self) -> None:
        self.client.close()

    def backoff(self, failures: int) -> float:
        """Seconds before the next attempt after ``failures`` consecutive failures."""
        return float(min(self.backoff_cap, self.backoff_base * 2 ** max(failures - 1, 0)))

    # ---- claims

    def _due(self, limit: int, busy: set[str]) -> list[str]:
        now = now_text()
        rows = self.views.fetchall(
            "SELECT id FROM webhooks WHERE active = 1 "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= %s) "
            "AND (claimed_until IS NULL OR claimed_until < %s) "
            "ORDER BY next_attempt_at, id LIMIT %s",
            [now, now, limit + len(busy)],
        )
        return [r["id"] for r in rows if r["id"] not in busy][:limit]

    def _claim(self, webhook_id: str) -> Row | None:
        now = dt.datetime.now(dt.UTC)
        with self.views.transaction() as tx:
            changed = tx.execute(
                "UPDATE webhooks SET claimed_by = %s, claimed_until = %s WHERE id = %s "
                "AND active = 1 AND (claimed_until IS NULL OR claimed_until < %s) "
                "AND (next_attempt_at IS NULL OR next_attempt_at <= %s)",
                [
                    self.name, now_text(now + dt.timedelta(seconds=self.lease)), webhook_id,
                    now_text(now), now_text(now),
                ],
            )  # fmt: skip
            if changed != 1:
                return None
            return tx.fetchone("SELECT * FROM webhooks WHERE id = %s", [webhook_id])

    def _release(self, webhook_id: str) -> None:
        with self.views.transaction() as tx:
            tx.execute(
                "UPDATE webhooks SET claimed_by = NULL, claimed_until = NULL "
                "WHERE id = %s AND claimed_by = %s",
                [webhook_id, self.name],
            )

    # ---- one webhook

    def serve(self, webhook_id: str) -> int:
        """Claim the webhook and deliver what it is owed, a batch at a time, until it is
        caught up, an attempt fails or ``batches_per_claim`` batches went; returns how many
        events its receiver acknowledged."""
        row = self._claim(webhook_id)
        if row is None:
            return 0
        delivered = 0
        try:
            types = frozenset(orjson.loads(row["event_types"])) or None
            after = int(row["delivered_up_to"])
            for _ in range(self.batches_per_claim):
                sql, params = feed_query(
                    after=after, limit=self.batch, types=types,
                    jurisdiction=row["jurisdiction_code"],
                )  # fmt: skip
                events = self.views.fetchall(sql, params)
                if not events:
                    break
                error = self._post(row, events)
                if error is not None:
                    self._failed(row, error)
                    break
                last = int(events[-1]["position"])
                if not self._acknowledged(webhook_id, after, last):
                    break  # the claim was lost (the lease ran out): another deliverer resends
                delivered += len(events)
                after = last
                if len(events) < self.batch:
                    break
        finally:
            self._release(webhook_id)
        self.delivered += delivered
        return delivered

    def _post(self, row: Row, events: list[Row]) -> str | None:
        """None on a 2xx answer, else what went wrong. The body is
        ``{"webhookId": …, "events": [the feed's NDJSON objects]}``."""
        lines = b",".join(ndjson_line(e)[:-1] for e in events)
        body = orjson.dumps(
            {"webhookId": row["id"], "events": orjson.Fragment(b"[" + lines + b"]")}
        )
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(row["secret"], body),
            "X-Xuke-Webhook": row["id"],
            "X-Xuke-Delivery": f"{events[0]['position']}-{events[-1]['position']}",
            "User-Agent": "xuke-webhooks/1",
        }
        _attempt.deadline = time.monotonic() + self.timeout  # the whole attempt, not per read
        try:
            with self.client.stream("POST", row["url"], content=body, headers=headers) as answer:
                status, read = answer.status_code, 0
                for chunk in answer.iter_raw():  # to its end: a cut-off answer is no answer
                    read += len(chunk)
                    if read > MAX_ANSWER:
                        break
        except UnsafeTarget as e:
            return f"refused target: {e}"[:500]
        except Exception as e:  # any failure of one attempt (a bad URL too) counts, backs off
            return f"{type(e).__name__}: {e}"[:500]
        finally:
            _attempt.deadline = None
        return None if 200 <= status < 300 else f"HTTP {status}"

    def _acknowledged(self, webhook_id: str, before: int, position: int) -> bool:
        with self.views.transaction() as tx:
            changed = tx.execute(
                "UPDATE webhooks SET delivered_up_to = %s, failures = 0, next_attempt_at = NULL, "
                "last_error = NULL, claimed_until = %s "
                "WHERE id = %s AND claimed_by = %s AND delivered_up_to = %s",
                [
                    position, now_text(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.lease)),
                    webhook_id, self.name, before,
                ],
            )  # fmt: skip
        return changed == 1

    def _failed(self, row: Row, error: str) -> None:
        failures = int(row["failures"]) + 1
        wait = self.backoff(failures)
        log.warning("webhook %s failed (%s); retry in %.1f s", row["id"], error, wait)
        with self.views.transaction() as tx:
            tx.execute(
                "UPDATE webhooks SET failures = failures + 1, next_attempt_at = %s, "
                "last_error = %s WHERE id = %s AND claimed_by = %s",
                [
                    now_text(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait)), error,
                    row["id"], self.name,
                ],
            )  # fmt: skip

    # ---- the loop

    def run_once(self) -> int:
        """Serve every due webhook once, in parallel; returns the events acknowledged."""
        with ThreadPoolExecutor(self.parallel, thread_name_prefix="webhook") as pool:
            return sum(pool.map(self.serve, self._due(1000, set())))

    def run_forever(self, stop: threading.Event, interval: float = 0.5) -> None:
        """``xuke exchange deliver`` and, in-process, ``xuke serve``: every ``interval``,
        hand each due webhook not already being served to a thread of the pool."""
        busy: dict[str, Future[int]] = {}
        with ThreadPoolExecutor(self.parallel, thread_name_prefix="webhook") as pool:
            while not stop.is_set():
                for webhook_id in [w for w, f in busy.items() if f.done()]:
                    future = busy.pop(webhook_id)
                    if future.exception() is not None:
                        log.error("webhook %s: %s", webhook_id, future.exception())
                try:
                    free = self.parallel - len(busy)
                    for webhook_id in self._due(free, set(busy)) if free > 0 else []:
                        busy[webhook_id] = pool.submit(self.serve, webhook_id)
                except Exception:  # the database is away: try again next round
                    log.exception("webhook deliverer pass failed")
                stop.wait(interval)
