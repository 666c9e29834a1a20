"""The API under load: N concurrent clients running full case lifecycles over GraphQL/HTTP
against `xuke serve` on PostgreSQL, with the awaited views written inline (XUKE_INLINE_VIEWS)
and by the projection workers, with one API process and with several (--workers), beside
three baselines measured in the same run: a raw psycopg one-row INSERT + COMMIT loop, the
same INSERT under eventsourcing's EXCLUSIVE table lock, and the write path in process.

    scripts/bench api [--cases 40] [--clients 1 10 50] [--workers 1 2] [--inline on off]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import psycopg
from lean_http import LeanClient
from write_path import baseline_inserts, percentile, run_lifecycles

from xuke.api.auth import TokenService
from xuke.bootstrap import build_application, migrate, postgres_dsn, tune_gc
from xuke.domain.roles import Role
from xuke.settings import Settings

SECRET = "benchmark-jwt-secret-0123456789abcdef"
FILE = """mutation($input: FileApplicationInput!) { fileApplication(input: $input) { case { caseNo } errors { code } } }"""
APPLICATION = {
    "itemCode": "GYCP-SCXK", "jurisdictionCode": "440305", "materials": ["SQS", "YYZZ", "CPBZ", "SCSB"],
    "applicant": {"kind": "ENTERPRISE", "name": "接口压测有限公司", "creditCode": "914403001922038216",
                  "contactPhone": "13800138000", "address": "深圳"},
}  # fmt: skip


def lifecycle(client: LeanClient, tokens: dict[str, str], latencies: list[float]) -> None:
    def call(role: str, query: str, variables: dict | None = None) -> dict:  # type: ignore[type-arg]
        started = time.perf_counter()
        response = client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {tokens[role]}"},
        )
        latencies.append(time.perf_counter() - started)
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]

    case_no = call("applicant", FILE, {"input": APPLICATION})["fileApplication"]["case"]["caseNo"]
    served_at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 60))
    steps = [  # the same query texts every time, as front-ends send them: values in variables
        ("clerk", "acceptApplication(caseNo: $no)", "$no: String!", {}),
        ("handler", "claimTask(taskId: $task)", "$task: ID!", {"task": f"{case_no}#2"}),
        *[(role, "recordOpinion(caseNo: $no, opinion: AGREE, comment: $text)", "$no: String!, $text: String!",
           {"text": "同意"}) for role in ("handler", "reviewer", "approver")],
        ("approver", "decide(caseNo: $no, grant: true, reason: $text)", "$no: String!, $text: String!",
         {"text": "符合条件"}),
        ("approver", "issueCertificate(caseNo: $no)", "$no: String!", {}),
        ("approver", "recordService(caseNo: $no, method: DIRECT, servedAt: $at)", "$no: String!, $at: DateTime!",
         {"at": served_at}),
    ]  # fmt: skip
    for role, mutation, declared, variables in steps:
        query = f"mutation({declared}) {{ {mutation} {{ errors {{ code }} }} }}"
        values = {"no": case_no, **variables} if "$no" in declared else variables
        result = call(role, query, values)
        assert not next(iter(result.values()))["errors"], result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def locked_inserts(dsn: str, count: int) -> float:
    """The raw INSERT under eventsourcing's lock: LOCK TABLE … IN EXCLUSIVE MODE each time."""
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TEMP TABLE bench_locked (id bigserial PRIMARY KEY, body jsonb)")
        conn.commit()
        started = time.perf_counter()
        for n in range(count):
            conn.execute("LOCK TABLE bench_locked IN EXCLUSIVE MODE")
            conn.execute("INSERT INTO bench_locked (body) VALUES (%s)", (f'{{"n": {n}}}',))
            conn.commit()
        return count / (time.perf_counter() - started)


def tokens() -> dict[str, str]:
    issue = TokenService(secret=SECRET).issue
    return {
        "applicant": issue("bench-app", [Role.APPLICANT], "914403001922038216", jurisdiction="440305"),
        "clerk": issue("bench-clerk", [Role.CLERK], "440000"), "handler": issue("bench-handler", [Role.HANDLER], "440000"),
        "reviewer": issue("bench-reviewer", [Role.REVIEWER], "440000"),
        "approver": issue("bench-approver", [Role.APPROVER], "440000"),
    }  # fmt: skip


def run_mode(
    base: str, args: argparse.Namespace, inline: bool, workers: int, baselines: tuple[float, float]
) -> None:
    """One configuration on a fresh schema: serve, a projection process, the client counts."""
    url = f"{base}?schema=api_{uuid.uuid4().hex[:8]}"
    settings = Settings(
        database_url=url, secret_key="bench-secret", jwt_secret=SECRET, demo=False,
        pool_size=60, inline_views=inline,
    )  # fmt: skip
    migrate(settings).close()
    port = free_port()
    env = {**os.environ, "XUKE_DATABASE_URL": url, "XUKE_SECRET_KEY": "bench-secret", "XUKE_JWT_SECRET": SECRET,
           "XUKE_DEMO": "false", "XUKE_POOL_SIZE": "60", "XUKE_METRICS_PUBLIC": "true",
           "XUKE_INLINE_VIEWS": str(inline).lower()}  # fmt: skip
    serve = [
        sys.executable,
        "-m",
        "xuke.cli",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    if args.in_process:
        serve.append("--with-projections")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    server = subprocess.Popen(serve, env=env, **quiet)  # type: ignore[call-overload]
    projections = (
        []
        if args.in_process
        else [  # as in production: projection workers in their own process
            subprocess.Popen(
                [sys.executable, "-m", "xuke.cli", "projections", "run"], env=env, **quiet
            )  # type: ignore[call-overload]
        ]
    )
    inserts, locked = baselines
    title = f"inline views {'on' if inline else 'off'}, {workers} API process{'es' if workers > 1 else ''}"
    try:
        client = LeanClient("127.0.0.1", port)  # a keep-alive connection per client thread
        client.wait_until_up()
        keys = tokens()
        print(f"\n{title}")
        print(
            f"{'clients':>7} {'commands':>9} {'cmd/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
            f" {'vs INSERT':>10} {'vs locked':>10}"
        )
        for clients in args.clients:
            latencies: list[float] = []
            spy = None
            if args.py_spy and clients == max(args.clients):  # where the time goes, by function
                name = f"{args.py_spy}-{'inline' if inline else 'workers'}-{workers}.txt"
                spy = subprocess.Popen(
                    ["py-spy", "record", "--pid", str(server.pid), "--subprocesses", "--gil", "--rate", "250", "--format",
                     "raw", "--output", name, "--nonblocking"], **quiet,
                )  # fmt: skip
            started = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                runs = [
                    pool.submit(lifecycle, client, keys, latencies)
                    for _ in range(max(args.cases, clients))
                ]
                for run in runs:
                    run.result()
            rate = len(latencies) / (time.perf_counter() - started)
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait(timeout=30)
            print(
                f"{clients:>7} {len(latencies):>9} {rate:>8.0f} {percentile(latencies, 50) * 1000:>8.1f}"
                f" {percentile(latencies, 99) * 1000:>8.1f} {rate / inserts:>9.3f}x {rate / locked:>9.3f}x",
                flush=True,
            )
    finally:
        for process in (server, *projections):
            process.terminate()
            process.wait(timeout=10)
        with psycopg.connect(postgres_dsn(url), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{url.rsplit("=", 1)[1]}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=40, help="lifecycles per client count")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument(
        "--in-process", action="store_true", help="projections inside the API process"
    )
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="API processes (xuke serve --workers)",
    )
    parser.add_argument(
        "--inline", nargs="+", choices=["on", "off"], default=["off", "on"],
        help="XUKE_INLINE_VIEWS for each run",
    )  # fmt: skip
    parser.add_argument(
        "--py-spy", metavar="PREFIX", help="profile the API at the most clients (py-spy record)"
    )
    args = parser.parse_args()
    tune_gc()  # as every xuke process does (bootstrap.tune_gc)
    base = os.environ.get("XUKE_BENCH_DATABASE_URL") or os.environ.get("XUKE_TEST_DATABASE_URL")
    if not base or not base.startswith("postgres"):
        sys.exit("set XUKE_BENCH_DATABASE_URL=postgresql://… (or run scripts/bench api)")
    url = f"{base}?schema=api_{uuid.uuid4().hex[:8]}"
    settings = Settings(database_url=url, secret_key="bench-secret", demo=False)
    migrate(settings).close()
    app = build_application(settings)
    elapsed, latencies = run_lifecycles(app, min(args.cases, 20), 1)
    print(
        f"write path in process (1 client, inline views): {len(latencies) / elapsed:,.0f} commands/s,"
        f" p50 {percentile(latencies, 50) * 1000:.1f} ms"
    )
    app.close()
    inserts = baseline_inserts(postgres_dsn(url), 2000)
    locked = locked_inserts(postgres_dsn(url), 2000)
    print(f"raw psycopg one-row INSERT + COMMIT: {inserts:,.0f} tx/s")
    print(f"the same INSERT under LOCK TABLE … IN EXCLUSIVE MODE: {locked:,.0f} tx/s")
    with psycopg.connect(postgres_dsn(url), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{url.rsplit("=", 1)[1]}" CASCADE')
    for workers in args.workers:
        for inline in args.inline:
            if workers > 1 and inline == "off" and "on" in args.inline:
                continue  # several processes: the step measured is the inline one
            run_mode(base, args, inline == "on", workers, (inserts, locked))


if __name__ == "__main__":
    main()
