"""The read path over GraphQL/HTTP on a large store: an inbox page, publicStatus, the overdue
scan, compliance and the caseHistory of a 50-event case — p50/p99 beside the floor of the same
stack (an authenticated ``me`` query), measured in the same run.

    python benchmarks/generate.py --cases 1000000 --schema big1m
    xuke projections rebuild …   (or: python benchmarks/projections.py --skip-generate --schema big1m)
    python benchmarks/read_path.py --schema big1m [--queries 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from lean_http import LeanClient, Response

from api import free_port
from xuke.api.auth import TokenService
from xuke.application.licensing import LicensingApplication
from xuke.application.principal import Principal
from xuke.bootstrap import build_application, migrate, tune_gc
from xuke.domain.roles import Role
from xuke.domain.stages import Opinion
from xuke.projections.runner import ProjectionRunner
from xuke.projections.store import ViewStore
from xuke.settings import Settings

SECRET = "benchmark-jwt-secret-0123456789abcdef"
APPLICANT = Principal("bench-reader", frozenset({Role.APPLICANT}), "914403001922038216", "440305")
STAFF = {role: Principal(f"bench-{role.value.lower()}", frozenset({role}), "440000", "440000")
         for role in (Role.CLERK, Role.HANDLER, Role.REVIEWER)}  # fmt: skip
FILING = {
    "item_code": "GYCP-SCXK", "jurisdiction_code": "440305", "materials": ["SQS", "YYZZ", "CPBZ", "SCSB"],
    "applicant": {"kind": "ENTERPRISE", "name": "读路径测试有限公司", "credit_code": "914403001922038216",
                  "contact_phone": "13800138000", "address": "深圳"},
}  # fmt: skip
READ_VIEWS = ("inbox", "public_status", "deadlines", "supervision")  # what the queries read
TARGETS_MS = {"inbox page of 50": 20, "publicStatus": 10, "supervision.overdue": 50,
              "compliance, one month by item": 200, "caseHistory, 50 events": 10}  # fmt: skip


def long_case(app: LicensingApplication, events: int = 50) -> str:
    """A case sent back and forth between handler and reviewer until it has ``events``."""
    case_no = app.file_application(APPLICANT, **FILING).case.case_no
    app.accept_application(STAFF[Role.CLERK], case_no)
    while app.get_case(case_no).version < events:
        app.record_opinion(STAFF[Role.HANDLER], case_no, Opinion.AGREE, "同意")
        app.record_opinion(STAFF[Role.REVIEWER], case_no, Opinion.RETURN, "补充核查")
    return str(case_no)


def timed(call: Callable[[int], Response], n: int) -> list[float]:
    latencies = []
    for i in range(n):
        started = time.perf_counter()
        response = call(i)
        latencies.append(time.perf_counter() - started)
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
    return latencies


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", required=True)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    tune_gc()
    base = os.environ.get("XUKE_BENCH_DATABASE_URL") or os.environ["XUKE_TEST_DATABASE_URL"]
    settings = Settings(database_url=f"{base}?schema={args.schema}", secret_key="bench",
                        jwt_secret=SECRET, demo=False)  # fmt: skip
    migrate(settings).close()  # the views' newest tables, if the schema predates them
    app, views = build_application(settings), ViewStore(settings.resolved_database_url)
    runner = ProjectionRunner(app, views, list(READ_VIEWS)).start()
    filed = [app.file_application(APPLICANT, **FILING) for _ in range(50)]
    history_case = long_case(app)
    runner.wait_for(app.recorder.max_notification_id() or 0, timeout=900)
    runner.stop()
    port = free_port()
    env = {**os.environ, "XUKE_DATABASE_URL": settings.database_url, "XUKE_SECRET_KEY": "bench",
           "XUKE_JWT_SECRET": SECRET, "XUKE_DEMO": "false", "XUKE_METRICS_PUBLIC": "true",
           # one client asks publicStatus thousands of times: above the guessing limit
           "XUKE_SECRET_LOOKUPS_PER_MINUTE": "100000000"}  # fmt: skip
    server = subprocess.Popen(  # the API in a process of its own, as in production
        [sys.executable, "-m", "xuke.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    issue = TokenService(secret=SECRET).issue
    tokens = {
        "handler": issue("bench-handler", [Role.HANDLER], "440000"),
        "supervisor": issue("bench-supervisor", [Role.SUPERVISOR], "440000"),
        "auditor": issue("bench-auditor", [Role.AUDITOR], "440000"),
    }
    client = LeanClient("127.0.0.1", port)
    client.wait_until_up()

    def gql(token: str | None, query: str, variables: dict[str, Any] | None = None) -> Response:
        headers = {"Authorization": f"Bearer {tokens[token]}"} if token else {}
        return client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    cursor: dict[str, str | None] = {"after": None}

    def inbox(i: int) -> Response:
        response = gql("handler", "query($after: String) { inbox(box: TODO, first: 50, after: $after) { totalCount "
                       "pageInfo { endCursor hasNextPage } edges { node { id caseNo stage decisionDue light } } } }",
                       {"after": cursor["after"] if i % 10 else None})  # fmt: skip
        page = response.json()["data"]["inbox"]["pageInfo"]
        cursor["after"] = page["endCursor"] if page["hasNextPage"] else None
        return response

    queries: dict[str, Callable[[int], Response]] = {
        "floor: me (HTTP + auth + GraphQL)": lambda i: gql("handler", "{ me { userId roles } }"),
        "inbox page of 50": inbox,
        "publicStatus": lambda i: gql(None, "query($no: String!, $code: String!) { publicStatus(caseNo: $no, "
                                      "queryCode: $code) { caseNo status stage steps { status at } } }",
                                      {"no": filed[i % 50].case.case_no, "code": filed[i % 50].query_code}),
        "supervision.overdue": lambda i: gql("supervisor", "{ supervision { overdue(first: 20) { totalCount "
                                             "edges { node { caseNo decisionDue light } } } } }"),
        "compliance, one month by item": lambda i: gql("supervisor", '{ supervision { compliance(from: "2026-10-01", '
                                                      'to: "2026-10-31", groupBy: ITEM) { key closed onTimeRate } } }'),
        "compliance, the year by month": lambda i: gql("supervisor", '{ supervision { compliance(from: "2026-01-01", '
                                                      'to: "2026-12-31", groupBy: MONTH) { key closed onTimeRate } } }'),
        "caseHistory, 50 events": lambda i: gql("auditor", "query($no: String!) { caseHistory(caseNo: $no) { "
                                               "events { version type occurredAt } } }", {"no": history_case}),
    }  # fmt: skip
    open_tasks = views.count("inbox_tasks", "is_open = 1")
    cases = views.count("case_deadlines", "1 = 1")
    print(
        f"{cases:,} cases, {open_tasks:,} open tasks, {app.recorder.max_notification_id():,} events"
    )
    print(f"{'query':<36}{'p50 ms':>9}{'p99 ms':>9}{'target':>9}{'p50 vs floor':>14}")
    floor = 0.0
    try:
        for name, call in queries.items():
            timed(call, 10)  # warm
            latencies = timed(call, args.queries)
            p50, p99 = pct(latencies, 50), pct(latencies, 99)
            floor = floor or p50
            target = f"< {TARGETS_MS[name]}" if name in TARGETS_MS else ""
            print(f"{name:<36}{p50:>9.2f}{p99:>9.2f}{target:>9}{p50 / floor:>13.1f}x")
        print(f"peak RSS of the API process: {peak_rss_mb(server.pid)} MB")
    finally:
        server.terminate()
        server.wait(timeout=10)
        app.close()
        views.close()


def peak_rss_mb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return (
        int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
        // 1024
    )


if __name__ == "__main__":
    main()
