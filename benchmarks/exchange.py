"""The exchange feed and webhooks, each beside its baseline in the same run (docs/exchange.md):

- feed read: ``read_feed`` in the NDJSON endpoint's chunks, and ``GET /exchange/feed`` over
  real HTTP, beside a raw SELECT of the same rows (no decoding);
- webhook delivery: the deliverer posting signed batches to a local receiver, beside plain
  POSTs of the same bodies to the same receiver.

    python benchmarks/exchange.py [--events 20000] [--batch 100]
    XUKE_BENCH_DATABASE_URL=postgresql://…?schema=bench_exchange python benchmarks/exchange.py

The feed's rows are written straight into ``exchange_events`` (shaped like the projection's:
a CaseFiled payload of ~200 bytes), so the figures are the read path's, not the projection's.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).parent.parent))

from xuke.application.principal import Principal
from xuke.application.webhooks import WebhookDeliverer, WebhookRegistry, sign
from xuke.bootstrap import build_services, migrate
from xuke.domain.roles import Role
from xuke.projections.exchange_queries import ExchangeRow, iter_ndjson, read_feed
from xuke.projections.store import ViewStore
from xuke.settings import Settings

PARTNER = Principal("bench", frozenset({Role.EXCHANGE}), "000000", "000000")


def fill(views: ViewStore, n: int) -> None:
    with views.transaction() as tx:
        tx.execute("DELETE FROM exchange_events")
        tx.execute("DELETE FROM webhooks")
    rows = []
    for p in range(1, n + 1):
        payload = {"schemaVersion": 1, "itemCode": "GYCP-SCXK", "itemName": "工业产品生产许可证核发",
                   "kind": "NEW", "receivedOn": "2026-09-28", "channel": "ONLINE"}  # fmt: skip
        rows.append((p, f"{uuid.uuid4()}:1:CaseFiled", "CaseFiled", "2026-09-28T10:00:00+08:00",
                     "440000", f"440000-2026-GYCP-{p:06d}", None, orjson.dumps(payload).decode()))  # fmt: skip
    for i in range(0, n, 5000):
        with views.transaction() as tx:
            tx.executemany(
                "INSERT INTO exchange_events (position, event_id, type, occurred_at, "
                "jurisdiction_code, case_no, certificate_no, payload) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                rows[i : i + 5000],
            )


def timed(fn: Any, repeat: int = 1) -> tuple[int, float]:
    """The best of ``repeat`` runs (the first warms the caches)."""
    best, count = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = fn()
        best = min(best, time.perf_counter() - started)
    return count, best


def raw_select(views: ViewStore, n: int) -> int:
    after, seen = 0, 0
    while rows := views.fetchall(
        "SELECT * FROM exchange_events WHERE position > %s ORDER BY position LIMIT 1000", [after]
    ):
        after, seen = rows[-1]["position"], seen + len(rows)
    return seen


def feed_read(views: ViewStore, n: int) -> int:
    chunks = iter_ndjson(views, after=0, limit=n, types=None, jurisdiction="000000")
    return sum(chunk.count(b"\n") for chunk in chunks)


def feed_rows(views: ViewStore, n: int) -> int:
    seen, after = 0, 0
    while rows := read_feed(views, after=after, limit=1000, types=None, jurisdiction="000000"):
        seen, after = seen + len(rows), rows[-1].position
    return seen


def http_feed(url: str, token: str, n: int) -> int:
    seen, after = 0, 0
    with httpx.Client(timeout=60) as client:
        while seen < n:
            got = 0
            with client.stream(
                "GET", f"{url}/exchange/feed", params={"after": after, "limit": 10_000},
                headers={"Authorization": f"Bearer {token}"},
            ) as r:  # fmt: skip
                for line in r.iter_lines():
                    if line:
                        after, got = orjson.loads(line)["position"], got + 1
            if not got:
                break
            seen += got
    return seen


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def serve_sink(port: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), Sink)
    server.daemon_threads = True
    server.serve_forever()


def wait_listening(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100, help="events per webhook POST")
    args = parser.parse_args()
    url = os.environ.get("XUKE_BENCH_DATABASE_URL") or (
        f"sqlite:///{tempfile.mkdtemp(prefix='xuke-bench-exchange-')}/xuke.sqlite"
    )
    settings = Settings(database_url=url, secret_key="bench", demo=False,
                        jwt_secret="bench-jwt-secret-of-sufficient-length-01")  # fmt: skip
    migrate(settings).close()
    services = build_services(settings, with_projections=False)
    views, n = services.views, args.events
    engine = "SQLite" if views.is_sqlite else "PostgreSQL"
    fill(views, n)
    print(f"exchange benchmark · {engine} · {n} events")

    # ---- feed read
    import uvicorn

    from xuke.api.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(services), host="127.0.0.1", port=port,
                                           log_config=None, access_log=False))  # fmt: skip
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    token = services.tokens.issue("bench", [Role.EXCHANGE], "000000", "bench", None)
    for name, fn in (
        ("raw SELECT (baseline)", lambda: raw_select(views, n)),
        ("read_feed (decoded rows)", lambda: feed_rows(views, n)),
        ("NDJSON lines (the endpoint's)", lambda: feed_read(views, n)),
        ("GET /exchange/feed over HTTP", lambda: http_feed(f"http://127.0.0.1:{port}", token, n)),
    ):
        count, seconds = timed(fn, repeat=3)
        assert count == n, (name, count)
        print(f"  feed   {name:32s} {count / seconds:10,.0f} events/s")
    server.should_exit = True

    # ---- webhook delivery
    sink_port = free_port()  # the receiver in a process of its own, as a partner's would be
    sink = multiprocessing.Process(target=serve_sink, args=(sink_port,), daemon=True)
    sink.start()
    hook_url = f"http://127.0.0.1:{sink_port}/hook"
    wait_listening(sink_port)
    rows = [ExchangeRow.of(r) for r in views.fetchall(
        "SELECT * FROM exchange_events ORDER BY position")]  # fmt: skip

    def plain_posts() -> int:
        with httpx.Client(timeout=10, trust_env=False) as client:
            for i in range(0, n, args.batch):
                body = orjson.dumps({"webhookId": "x",
                                     "events": [r.to_json() for r in rows[i : i + args.batch]]})  # fmt: skip
                client.post(hook_url, content=body, headers={"X-Xuke-Signature": sign("s", body)})
        return n

    def deliverer() -> int:
        hook = WebhookRegistry(views).register(PARTNER, hook_url, [])
        with views.transaction() as tx:  # from the start of the feed, not its head
            tx.execute("UPDATE webhooks SET delivered_up_to = 0 WHERE id = %s", [hook.id])
        worker = WebhookDeliverer(views, batch=args.batch, batches_per_claim=10**9)
        try:
            while worker.run_once():
                pass
        finally:
            worker.close()
        return worker.delivered

    for name, fn in (("plain POSTs (baseline)", plain_posts), ("WebhookDeliverer", deliverer)):
        count, seconds = timed(fn)
        assert count == n, (name, count)
        print(f"  hooks  {name:32s} {count / seconds:10,.0f} events/s  (batches of {args.batch})")
    sink.terminate()
    services.views.close()
    services.app.close()


if __name__ == "__main__":
    main()
