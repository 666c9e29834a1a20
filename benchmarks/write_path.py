"""Write path: full case lifecycles through the application on PostgreSQL, beside a plain
psycopg one-row INSERT + COMMIT loop measured in the same run on the same server.

    XUKE_BENCH_DATABASE_URL=postgresql://… python benchmarks/write_path.py [--cases 200] [--clients 1 4 8]
    scripts/bench write_path          # the same, on a throwaway cluster

Each lifecycle is 9 commands (file, accept, claim, three opinions, decide, certificate,
service). Prints commands/s and per-command p50/p99 at each client count, and the ratio to
the baseline's transactions/s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import psycopg

from xuke.application.clock import SystemClock
from xuke.application.licensing import LicensingApplication
from xuke.application.principal import Principal
from xuke.bootstrap import build_application, migrate, postgres_dsn, tune_gc
from xuke.domain.model import SHANGHAI
from xuke.domain.roles import Role
from xuke.domain.stages import Opinion, ServiceMethod
from xuke.settings import Settings

ENTERPRISE = {
    "kind": "ENTERPRISE",
    "name": "基准测试有限公司",
    "credit_code": "914403001922038216",
    "contact_phone": "13800138000",
    "address": "深圳市南山区",
}
APPLICANT = Principal(
    "bench-applicant", frozenset({Role.APPLICANT}), "914403001922038216", "440305"
)


def official(role: Role, n: int) -> Principal:
    return Principal(f"bench-{role.value.lower()}-{n}", frozenset({role}), "440000", "440000")


def lifecycle(app: LicensingApplication, n: int, latencies: list[float]) -> None:
    clerk, handler = official(Role.CLERK, n), official(Role.HANDLER, n)
    reviewer, approver = official(Role.REVIEWER, n), official(Role.APPROVER, n)

    def timed(command: Callable[[], object]) -> object:
        started = time.perf_counter()
        result = command()
        latencies.append(time.perf_counter() - started)
        return result

    case_no = timed(
        lambda: app.file_application(
            APPLICANT, item_code="GYCP-SCXK", applicant=ENTERPRISE, jurisdiction_code="440305",
            materials=["SQS", "YYZZ", "CPBZ", "SCSB"], idempotency_key=str(uuid.uuid4()),
        )
    ).case.case_no  # type: ignore[attr-defined]  # fmt: skip
    timed(lambda: app.accept_application(clerk, case_no))
    timed(lambda: app.claim_task(handler, f"{case_no}#2"))
    timed(lambda: app.record_opinion(handler, case_no, Opinion.AGREE, "同意"))
    timed(lambda: app.record_opinion(reviewer, case_no, Opinion.AGREE, "同意"))
    timed(lambda: app.record_opinion(approver, case_no, Opinion.AGREE, "同意"))
    timed(lambda: app.decide(approver, case_no, True, "符合条件"))
    timed(lambda: app.issue_certificate(approver, case_no))
    timed(
        lambda: app.record_service(
            approver, case_no, ServiceMethod.DIRECT, SystemClock().now().astimezone(SHANGHAI)
        )
    )


def run_lifecycles(
    app: LicensingApplication, cases: int, clients: int
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda n: lifecycle(app, n, latencies), range(cases)))
    return time.perf_counter() - started, latencies


def baseline_inserts(dsn: str, count: int) -> float:
    """A plain psycopg loop: one INSERT of a small JSON row and one COMMIT each time."""
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TEMP TABLE bench_rows (id bigserial PRIMARY KEY, body jsonb)")
        conn.commit()
        started = time.perf_counter()
        for n in range(count):
            conn.execute("INSERT INTO bench_rows (body) VALUES (%s)", (f'{{"n": {n}}}',))
            conn.commit()
        return count / (time.perf_counter() - started)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 8])
    args = parser.parse_args()
    tune_gc()  # as every xuke process does (bootstrap.tune_gc)
    url = os.environ.get("XUKE_BENCH_DATABASE_URL") or os.environ.get("XUKE_TEST_DATABASE_URL")
    if not url or not url.startswith("postgres"):
        sys.exit("set XUKE_BENCH_DATABASE_URL=postgresql://… (or run scripts/bench write_path)")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    settings = Settings(
        database_url=f"{url}?schema={schema}", secret_key="bench", pool_size=max(args.clients) + 2
    )
    migrate(settings).close()
    apps = {
        "one transaction per command": build_application(
            settings.model_copy(update={"group_commit": False})
        ),
        "group commit": build_application(settings),
    }
    try:
        baseline = baseline_inserts(postgres_dsn(url), args.cases * 9)
        print(f"baseline: psycopg one-row INSERT + COMMIT  {baseline:9.0f} tx/s")
        for title, app in apps.items():
            print(
                f"\n{title}\n{'clients':>7} {'commands':>9} {'cmd/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs baseline':>12}"
            )
            for clients in args.clients:
                elapsed, latencies = run_lifecycles(app, args.cases, clients)
                rate = len(latencies) / elapsed
                print(
                    f"{clients:>7} {len(latencies):>9} {rate:>8.0f} {percentile(latencies, 50) * 1000:>8.2f}"
                    f" {percentile(latencies, 99) * 1000:>8.2f} {rate / baseline:>11.2f}x"
                )
            committer = getattr(app.events.recorder, "groups", 0)
            if committer:
                commands = app.events.recorder.commands  # type: ignore[attr-defined]
                print(f"{commands:,} commands written in {committer:,} transactions")
    finally:
        for app in apps.values():
            app.close()
        with psycopg.connect(postgres_dsn(url), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
