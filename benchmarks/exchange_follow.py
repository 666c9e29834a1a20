"""Two levels and the ferry, measured (docs/exchange-federation.md): a follower catching up on
N published events, and the export and import of an N-event bundle — each beside a baseline
measured in the same run on the same rows.

    .venv/bin/python benchmarks/exchange_follow.py [--events 20000] [--events 1000000]
        [--national-url postgresql://…?schema=bench_national]

- **follow**: ``Follower.catch_up`` (HTTP pages of ``--page-size`` NDJSON events, each page one
  transaction with its views and progress). The feed is served by a small stand-in server in
  this process that reads ``exchange_events`` page by page as ``GET /exchange/feed`` does
  (so the figure is the follower's, not the feed's: the feed's own figures are J1's
  ``benchmarks/exchange.py``). Baseline: the same rows INSERTed raw into a bare table, one
  transaction per page.
- **export / import**: ``xuke exchange export`` and ``import`` of the N events (MB, seconds).
  Baseline: the same event lines written to a file and read back and parsed, without the
  hash chain, signature, verification or store.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).parent.parent))

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.integration.exchange_support import case_events
from xuke.application.exchange_keys import public_key_text
from xuke.federation.ferry import export_bundle, feed_object, import_bundle
from xuke.federation.follower import Follower
from xuke.projections.store import ViewStore, apply_migrations


def province_with(events: int, directory: Path) -> ViewStore:
    """A province's read store holding ``events`` published events (four per case)."""
    url = f"sqlite:///{directory / 'province.sqlite'}"
    apply_migrations(url)
    store = ViewStore(url)
    position, batch = 0, []
    for n in range(1, events // 4 + 2):
        for o in case_events(n, "440300" if n % 2 else "320100"):
            position += 1
            if position > events:
                break
            batch.append((position, o["id"], o["type"], o["occurredAt"], o["jurisdictionCode"],
                          o["caseNo"], o["certificateNo"], orjson.dumps(o["payload"]).decode()))  # fmt: skip
        if len(batch) >= 20000 or position >= events:
            with store.transaction() as tx:
                tx.executemany(
                    "INSERT INTO exchange_events (position, event_id, type, occurred_at, "
                    "jurisdiction_code, case_no, certificate_no, payload) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    batch,
                )
            batch = []
        if position >= events:
            break
    return store


def stand_in_feed(store: ViewStore) -> ThreadingHTTPServer:
    """``GET /exchange/feed?after=&limit=`` over ``store``'s exchange_events."""

    class Feed(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the standard library names it so
            query = parse_qs(urlsplit(self.path).query)
            after, limit = int(query["after"][0]), int(query["limit"][0])
            rows = store.fetchall(
                "SELECT * FROM exchange_events WHERE position > %s ORDER BY position LIMIT %s",
                (after, limit),
            )
            body = b"".join(orjson.dumps(feed_object(r)) + b"\n" for r in rows)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def national(url: str | None, directory: Path, name: str) -> ViewStore:
    url = url or f"sqlite:///{directory / f'{name}.sqlite'}"
    if not url.startswith("sqlite"):
        from xuke.bootstrap import ensure_postgres_schema

        ensure_postgres_schema(url)
    apply_migrations(url)
    store = ViewStore(url)
    with store.transaction() as tx:  # a fresh start for each run
        for table in ("inbound_events", "inbound_sources", "national_register", "national_cases"):
            tx.execute(f"DELETE FROM {table}")
        tx.execute("DROP TABLE IF EXISTS bench_raw_events")
        tx.execute(
            "CREATE TABLE bench_raw_events (source TEXT, position BIGINT, event_id TEXT, "
            "type TEXT, occurred_at TEXT, jurisdiction_code TEXT, case_no TEXT, "
            "certificate_no TEXT, payload TEXT, PRIMARY KEY (source, position))"
        )
    return store


def raw_inserts(province: ViewStore, target: ViewStore, page: int) -> float:
    """Baseline: the same rows, read page by page and INSERTed raw, a transaction a page."""
    started, after = time.perf_counter(), 0
    while True:
        rows = province.fetchall(
            "SELECT * FROM exchange_events WHERE position > %s ORDER BY position LIMIT %s",
            (after, page),
        )
        if not rows:
            return time.perf_counter() - started
        with target.transaction() as tx:
            tx.executemany(
                "INSERT INTO bench_raw_events VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [("raw", r["position"], r["event_id"], r["type"], r["occurred_at"],
                  r["jurisdiction_code"], r["case_no"], r["certificate_no"], r["payload"])
                 for r in rows],
            )  # fmt: skip
        after = int(rows[-1]["position"])


def raw_file(bundle: Path, directory: Path) -> tuple[float, float]:
    """Baseline: the bundle's event lines written to a file, then read back and parsed."""
    lines = bundle.read_bytes().splitlines(keepends=True)[1:]
    path = directory / "raw.ndjson"
    started = time.perf_counter()
    with path.open("wb") as f:
        f.writelines(lines)
    written = time.perf_counter() - started
    started = time.perf_counter()
    with path.open("rb") as f:
        for line in f:
            orjson.loads(line)
    return written, time.perf_counter() - started


def run(events: int, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="xuke-bench-exchange-") as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        province = province_with(events, directory)
        print(f"\n{events:,} events (prepared in {time.perf_counter() - started:.1f} s); "
              f"national store: {args.national_url or 'SQLite'}")  # fmt: skip
        target = national(args.national_url, directory, "national")
        server = stand_in_feed(province)
        url = f"http://127.0.0.1:{server.server_address[1]}"
        follower = Follower(target, url, "-", "bench", page_size=args.page_size)
        started = time.perf_counter()
        applied = follower.catch_up()
        follow = time.perf_counter() - started
        follower.close()
        server.shutdown()
        baseline = raw_inserts(province, target, args.page_size)
        print(f"  follow   {applied:>10,} events {follow:8.2f} s {applied / follow:>10,.0f} ev/s"
              f"   | raw INSERT baseline {events / baseline:>10,.0f} ev/s ({baseline:.2f} s)")  # fmt: skip

        key = Ed25519PrivateKey.generate()
        bundle = directory / "bundle.xkb"
        started = time.perf_counter()
        manifest = export_bundle(province, key, 0, bundle)
        exported = time.perf_counter() - started
        size = bundle.stat().st_size / 1e6
        importer = national(args.national_url, directory, "importer")
        trusted = {public_key_text(key.public_key()): key.public_key()}
        started = time.perf_counter()
        imported = import_bundle(importer, bundle, trusted)[1]
        import_s = time.perf_counter() - started
        written, read = raw_file(bundle, directory)
        assert manifest["count"] == imported == events
        print(f"  export   {size:8.1f} MB {exported:8.2f} s {events / exported:>10,.0f} ev/s"
              f"   | raw file write baseline {written:.2f} s")  # fmt: skip
        print(f"  import   {size:8.1f} MB {import_s:8.2f} s {events / import_s:>10,.0f} ev/s"
              f"   | raw file read+parse baseline {read:.2f} s")  # fmt: skip
        for store in (province, target, importer):
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[20_000],
                        help="N events per run (1000000 for the issue's figure)")  # fmt: skip
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--national-url", default="", help="default: SQLite in a temp dir")
    args = parser.parse_args()
    for n in args.events:
        run(n, args)


if __name__ == "__main__":
    main()
