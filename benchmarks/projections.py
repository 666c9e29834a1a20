"""Read side: projection rebuild throughput beside a raw SELECT of the same events,
read-your-writes latency, and inbox page latency — all in one run, on one database.

    scripts/bench projections [--cases 40000] [--only inbox audit_trail] [--skip-generate]
    XUKE_BENCH_DATABASE_URL=postgresql://…  python benchmarks/projections.py …

--cases 190000 gives about 1 M events; 1 M cases (~5 M events) takes --cases 1000000.
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import generate

from xuke.application.principal import Principal
from xuke.bootstrap import (
    build_application,
    migrate,
    open_worker_application,
    postgres_dsn,
    tune_gc,
)
from xuke.domain.roles import Role
from xuke.projections.inbox import InboxBox, inbox_page
from xuke.projections.rebuild import build_shadow, swap_in
from xuke.projections.runner import PROJECTIONS, ProjectionRunner
from xuke.projections.store import ViewStore
from xuke.settings import Settings


def pct(values: list[float], q: int) -> float:
    return (
        statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else values[0] * 1000
    )


def peak_rss_mb(shares: int) -> int:
    """The largest resident set of the processes that did the work (KiB on Linux)."""
    who = resource.RUSAGE_CHILDREN if shares > 1 else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss // 1024


def raw_select_rate(app, head: int) -> float:  # type: ignore[no-untyped-def]
    started, start = time.perf_counter(), 0
    while rows := app.recorder.select_notifications(
        start=start, limit=2000, inclusive_of_start=False
    ):
        start = rows[-1].id
    return head / (time.perf_counter() - started)


def read_your_writes(app, store, commands: int) -> list[float]:  # type: ignore[no-untyped-def]
    """From a command's commit to its visibility in every awaited view (what a mutation
    waits for: with inline views, what ``views_behind`` leaves, usually nothing)."""
    awaited = [name for name, view in PROJECTIONS.items() if view.awaited]
    applicant = Principal("bench", frozenset({Role.APPLICANT}), "914403001922038216", "440305")
    clerk = Principal("bench-clerk", frozenset({Role.CLERK}), "440000", "440000")
    runner = ProjectionRunner(app, store).start()
    assert runner.wait_for(app.recorder.max_notification_id() or 0, timeout=900)  # caught up first
    latencies: list[float] = []
    try:
        for _ in range(commands // 2):
            filed = app.file_application(
                applicant, item_code="GYCP-SCXK", jurisdiction_code="440305", materials=["SQS", "YYZZ", "CPBZ", "SCSB"],
                applicant={"kind": "ENTERPRISE", "name": "读写测试有限公司", "credit_code": "914403001922038216",
                           "contact_phone": "13800138000", "address": "深圳"},
            )  # fmt: skip
            for result in (filed, app.accept_application(clerk, filed.case.case_no)):
                committed = time.perf_counter()
                position = result.notification_id or 0
                behind = app.write_path.views_behind(position, awaited)
                assert not behind or runner.wait_for(position, timeout=5, names=behind)
                latencies.append(time.perf_counter() - committed)
    finally:
        runner.stop()
    return latencies


def inbox_latencies(store: ViewStore, queries: int) -> list[float]:
    latencies = []
    cursor = None
    for n in range(queries):
        started = time.perf_counter()
        page = inbox_page(
            store,
            "nobody",
            ["440000:HANDLER", "440000:REVIEWER"],
            InboxBox.TODO,
            first=50,
            after=cursor,
        )
        latencies.append(time.perf_counter() - started)
        cursor = page.end_cursor if page.has_next_page and n % 10 else None
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=40_000)
    parser.add_argument(
        "--only", nargs="*", default=list(PROJECTIONS), help="projections to rebuild (none: skip)"
    )
    parser.add_argument("--commands", type=int, default=400)
    parser.add_argument("--schema", default="", help="reuse a schema (with --skip-generate)")
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument(
        "--shares", type=int, default=2, help="processes per case-view rebuild (1: one process)"
    )
    args = parser.parse_args()
    tune_gc()  # as every xuke process does (bootstrap.tune_gc)
    url = os.environ.get("XUKE_BENCH_DATABASE_URL") or os.environ.get("XUKE_TEST_DATABASE_URL")
    if not url:
        sys.exit("set XUKE_BENCH_DATABASE_URL (or run scripts/bench projections)")
    if url.startswith("postgres"):
        url = f"{url}?schema={args.schema or 'bench_' + uuid.uuid4().hex[:8]}"
    settings = Settings(database_url=url, secret_key="bench")
    migrate(settings).close()
    app, store = build_application(settings), ViewStore(url)
    if not args.skip_generate:
        started = time.perf_counter()
        events = generate(app, args.cases)
        print(
            f"generated {args.cases:,} cases, {events:,} events in {time.perf_counter() - started:.0f} s"
        )
    head = app.recorder.max_notification_id() or 0
    baseline = raw_select_rate(app, head)
    print(f"\n{'what':<40}{'events/s':>12}{'vs raw SELECT':>15}")
    print(f"{'raw SELECT of the events':<40}{baseline:>12,.0f}{1:>14.2f}x")
    for name in args.only:
        started = time.perf_counter()
        projection = PROJECTIONS[name]
        shares = args.shares if projection.partitionable else 1
        open_app = functools.partial(open_worker_application, settings)
        build_shadow(app, store, projection, shares=shares, open_app=open_app)
        rate = head / (time.perf_counter() - started)
        swap_in(app, store, PROJECTIONS[name])
        label = f"rebuild {name}" + (f" ({shares} processes)" if shares > 1 else "")
        print(
            f"{label:<40}{rate:>12,.0f}{rate / baseline:>14.2f}x   peak RSS {peak_rss_mb(shares)} MB"
        )
    open_tasks = store.count("inbox_tasks", "is_open = 1")
    inbox = inbox_latencies(store, 300)
    print(
        f"\ninbox TODO page of 50 ({open_tasks:,} open tasks): p50 {pct(inbox, 50):.2f} ms, p99 {pct(inbox, 99):.2f} ms"
    )
    if args.commands:  # the views written by the workers, then inline (XUKE_INLINE_VIEWS)
        for inline in (False, True):
            writer = build_application(settings.model_copy(update={"inline_views": inline}))
            visible = read_your_writes(writer, store, args.commands)
            writer.close()
            print(
                f"read-your-writes (commit → every awaited view), inline views {'on' if inline else 'off'}:"
                f" p50 {pct(visible, 50):.1f} ms, p99 {pct(visible, 99):.1f} ms"
            )
    app.close()
    store.close()
    if url.startswith("postgres") and not args.schema:
        import psycopg

        with psycopg.connect(postgres_dsn(url), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {url.rsplit('=', 1)[1]} CASCADE")


if __name__ == "__main__":
    main()
