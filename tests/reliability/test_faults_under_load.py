"""Faults under load, with real processes: PostgreSQL stopped and started again, the API
process and the projection worker killed with SIGKILL — while clients keep filing. Nothing
acknowledged is lost, nothing is stored twice, no 5xx other than 503 + Retry-After, xuke
recovers without a restart, and every view ends equal to its rebuild.

Reduced size here; XUKE_RELIABILITY_CLIENTS=50 XUKE_RELIABILITY_SECONDS=30 for a full run."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.api.conftest import free_port
from tests.api.test_graphql import FILE, application
from tests.integration.test_projection_runner import assert_every_view_equals_its_rebuild
from tests.reliability.processes import (
    JWT_SECRET,
    Filer,
    PostgresCluster,
    XukeProcess,
    projection_worker,
    run_filers,
    serve,
    xuke,
)
from tests.support import ENTERPRISE_CODE
from xuke.api.auth import TokenService
from xuke.bootstrap import build_application
from xuke.domain.case import LicenseCase
from xuke.domain.roles import Role
from xuke.projections.runner import PROJECTIONS
from xuke.projections.store import ViewStore
from xuke.projections.tracking import read_position
from xuke.settings import Settings

CLIENTS = int(os.environ.get("XUKE_RELIABILITY_CLIENTS", "6"))
SECONDS = float(os.environ.get("XUKE_RELIABILITY_SECONDS", "3"))
FILED_TOPIC = LicenseCase.ApplicationFiled.__qualname__  # type: ignore[attr-defined]

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    cluster.start()
    xuke("migrate", database_url=cluster.url)
    yield cluster
    cluster.destroy()


def assert_nothing_lost_or_doubled(database_url: str, filers: list[Filer]) -> None:
    assert [f.failure for f in filers if f.failure] == []
    acknowledged = {key: no for f in filers for key, no in f.acknowledged.items()}
    assert acknowledged, "the load never got through"
    app = build_application(Settings(database_url=database_url, secret_key="reliability-secret"))
    try:
        filed = [n for n in app.recorder.select_notifications(start=0, limit=10**7)
                 if n.topic.endswith(FILED_TOPIC)]  # fmt: skip
        assert len(filed) == len(acknowledged)  # one case per key: no retry stored twice
        assert len(set(acknowledged.values())) == len(acknowledged)
        for case_no in acknowledged.values():
            assert app.get_case(case_no).case_no == case_no  # every acknowledged case is there
    finally:
        app.close()


def assert_views_caught_up_and_equal_their_rebuilds(database_url: str) -> None:
    app = build_application(Settings(database_url=database_url, secret_key="reliability-secret"))
    views = ViewStore(database_url)
    try:
        head = app.recorder.max_notification_id() or 0
        deadline = time.monotonic() + 60
        while any((read_position(views, name) or 0) < head for name in PROJECTIONS):
            assert time.monotonic() < deadline, "the worker did not catch up"
            time.sleep(0.1)
        assert_every_view_equals_its_rebuild(app, views)
    finally:
        app.close()
        views.close()


def test_postgres_stopped_and_started_under_load(cluster: PostgresCluster) -> None:
    port = free_port()
    api, worker = serve(cluster.url, port), projection_worker(cluster.url)
    try:

        def outage() -> None:
            time.sleep(SECONDS)
            cluster.stop()
            time.sleep(max(SECONDS, 6))  # long enough for every client to meet it, under load too
            cluster.start()
            time.sleep(SECONDS)

        filers = run_filers(f"http://127.0.0.1:{port}", CLIENTS, outage)
        statuses = sum((f.statuses for f in filers), start=type(filers[0].statuses)())
        assert statuses[503] > 0, statuses  # the outage was seen as such ...
        assert {h for f in filers for h in f.retry_after} == {"5"}  # ... with Retry-After
        assert set(statuses) <= {200, 503}, statuses  # never a 500, never a dropped connection
        assert api.process is not None and api.process.poll() is None  # and xuke never restarted
        assert_nothing_lost_or_doubled(cluster.url, filers)
        assert_views_caught_up_and_equal_their_rebuilds(cluster.url)
        print("postgres outage:", filers)
    finally:
        api.stop()
        worker.stop()


def test_api_and_projection_worker_killed_under_load(cluster: PostgresCluster) -> None:
    port, rng = free_port(), random.Random(20261127)
    api, worker = serve(cluster.url, port), projection_worker(cluster.url)
    processes: dict[str, XukeProcess] = {"api": api, "worker": worker}
    try:

        def crashes() -> None:
            for victim in ("worker", "api", "worker", "api"):
                time.sleep(rng.uniform(0.5, 1.0) * SECONDS)
                processes[victim].kill()
                time.sleep(0.3)
                processes[victim].start()

        filers = run_filers(f"http://127.0.0.1:{port}", CLIENTS, crashes)
        statuses = sum((f.statuses for f in filers), start=type(filers[0].statuses)())
        assert statuses[200] > 0 and 500 not in statuses, statuses
        assert_nothing_lost_or_doubled(cluster.url, filers)
        assert_views_caught_up_and_equal_their_rebuilds(cluster.url)
        print("kill -9:", filers)
    finally:
        for process in processes.values():
            process.stop()


def test_several_server_processes_share_one_store(cluster: PostgresCluster) -> None:
    """``xuke serve --workers 2``: two API processes and a projection worker. Filings spread
    over both are each stored once, every view ends equal to its rebuild, and a client reads
    its own write whichever process answers it (positions announced across processes)."""
    port = free_port()
    api = XukeProcess(cluster.url, "serve", "--port", str(port), "--workers", "2", port=port)
    api.start()
    worker = projection_worker(cluster.url)
    try:
        filers = run_filers(f"http://127.0.0.1:{port}", CLIENTS, lambda: time.sleep(SECONDS))
        assert_nothing_lost_or_doubled(cluster.url, filers)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for n in range(10):  # new connections: the kernel spreads them over both processes
                token = TokenService(secret=JWT_SECRET).issue(f"ryw-{n}", [Role.APPLICANT],
                                                              ENTERPRISE_CODE, "", "440305")  # fmt: skip
                headers = {"Authorization": f"Bearer {token}", "Connection": "close"}
                body = {"query": FILE, "variables": {"input": application(), "key": f"ryw-{n}"}}
                filed = client.post("/graphql", json=body, headers=headers).json()
                payload = filed["data"]["fileApplication"]
                status = client.post("/graphql", headers={"Connection": "close"}, json={
                    "query": "query($no: String!, $code: String!) { publicStatus(caseNo: $no, "
                             "queryCode: $code) { caseNo } }",
                    "variables": {"no": payload["case"]["caseNo"], "code": payload["queryCode"]},
                }).json()  # fmt: skip
                assert status["data"]["publicStatus"] == {"caseNo": payload["case"]["caseNo"]}
        assert_views_caught_up_and_equal_their_rebuilds(cluster.url)
    finally:
        api.stop()
        worker.stop()
