"""High availability on PostgreSQL's own streaming replication, with real clusters and real
processes (tests/reliability/replication.py): a primary and its synchronous standby
(``remote_apply``), ``xuke serve`` and ``xuke projections run`` on a multi-host URL.

- The primary is killed (``pg_ctl stop -m immediate``) while clients file applications, each
  with its idempotency key, retried with the same key after a 503; the standby is promoted
  (``pg_ctl promote``). Every acknowledged filing is there exactly once on the new primary,
  every view equals its rebuild, the audit chain verifies, and no client saw anything but 200
  or 503 + Retry-After. Nothing is restarted: the processes find the new primary by
  themselves (``target_session_attrs=read-write``).
- A replica answers the register and the audit trail while the primary takes the writes
  (on a multi-host URL that names the standby first).
- Reads leave a replica that lags past the bound, or is away, and come back to it.

Reduced size here; the full run (README): XUKE_FAILOVER_CLIENTS=100 XUKE_FAILOVER_SECONDS=20."""

from __future__ import annotations

import collections
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import psycopg
import pytest

from tests.api.conftest import free_port
from tests.reliability.processes import (
    JWT_SECRET,
    Filer,
    projection_worker,
    run_filers,
    serve,
    xuke,
)
from tests.reliability.replication import Primary, Standby, multi_host_url, replicated_pair
from tests.reliability.test_faults_under_load import (
    assert_nothing_lost_or_doubled,
    assert_views_caught_up_and_equal_their_rebuilds,
)
from xuke.api.auth import TokenService
from xuke.domain.roles import Role
from xuke.projections.audit import audit_trail_length
from xuke.projections.replica import ReplicaViews
from xuke.projections.store import ViewStore

CLIENTS = int(os.environ.get("XUKE_FAILOVER_CLIENTS", "20"))
SECONDS = float(os.environ.get("XUKE_FAILOVER_SECONDS", "3"))
PROMOTE_AFTER = 3.0  # seconds without a primary

pytestmark = pytest.mark.postgres


@pytest.fixture
def pair() -> Iterator[tuple[Primary, Standby]]:
    primary, standby = replicated_pair(synchronous=True)
    yield primary, standby
    standby.destroy()
    primary.destroy()


def test_the_standby_takes_over_and_no_acknowledged_filing_is_lost(
    pair: tuple[Primary, Standby],
) -> None:
    primary, standby = pair
    url = multi_host_url(primary, standby)  # every process, before and after the failover
    xuke("migrate", database_url=url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    api, worker = serve(url, port), projection_worker(url)
    probe = Filer(base, "failover-probe", threading.Event())  # one filing, timed
    moments: dict[str, float] = {}
    try:

        def failover() -> None:
            time.sleep(SECONDS)
            primary.stop("immediate")  # the machine is gone: no shutdown, no last words
            moments["stopped"] = time.monotonic()
            # Long enough for the database watch (a probe a second) to see no primary, so
            # that the 503s are certain; a shorter gap may be bridged by eventsourcing's own
            # retries, every client seeing only 200s.
            time.sleep(PROMOTE_AFTER)
            standby.promote()
            moments["promoted"] = time.monotonic()
            with httpx.Client(base_url=base, timeout=90, headers=probe.headers) as client:
                probe._file(client, f"probe-{uuid.uuid4().hex}")  # retried until acknowledged
            moments["served"] = time.monotonic()
            time.sleep(SECONDS)  # and the load goes on against the new primary

        filers = run_filers(base, CLIENTS, failover)
        statuses = sum((f.statuses for f in filers), start=collections.Counter[int | str]())
        assert set(statuses) <= {200, 503}, statuses  # never a 500, never a dropped connection
        assert statuses[503] > 0, statuses  # the switch was seen as such ...
        assert {h for f in filers for h in f.retry_after} <= {"5"}  # ... with Retry-After
        assert probe.acknowledged and probe.failure is None, probe.failure
        assert api.process is not None and api.process.poll() is None  # never restarted
        assert worker.process is not None and worker.process.poll() is None
        assert_nothing_lost_or_doubled(url, [*filers, probe])
        assert_views_caught_up_and_equal_their_rebuilds(url)
        verified = xuke("audit", "verify", database_url=url)
        assert b"audit trail intact" in verified.stdout
        print(
            f"failover: {sum(len(f.acknowledged) for f in filers)} filings acknowledged by "
            f"{CLIENTS} clients, {statuses[503]} answers 503; first filing served "
            f"{moments['served'] - moments['stopped']:.1f} s after the primary stopped "
            f"({moments['promoted'] - moments['stopped']:.1f} s to promote)"
        )
    finally:
        api.stop()
        worker.stop()


AUDIT_TRAIL = "{ supervision { auditTrail(first: 5) { totalCount } } }"
REGISTER = "{ licenseRegister(first: 5) { totalCount } }"


def wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def metric(text: str, name: str) -> float:
    """One sample of the Prometheus text ``text``, by its name with labels."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")


def test_a_replica_serves_the_register_and_audit_trail_while_the_primary_takes_writes(
    pair: tuple[Primary, Standby], monkeypatch: pytest.MonkeyPatch
) -> None:
    primary, standby = pair
    url = multi_host_url(standby, primary)  # the standby first: read-write passes it over
    xuke("migrate", database_url=url)
    monkeypatch.setenv("XUKE_READ_DATABASE_URL", standby.url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    api, worker = serve(url, port), projection_worker(url)
    token = TokenService(secret=JWT_SECRET).issue("aud-1", [Role.AUDITOR], "440000", "aud-1")
    answers: collections.Counter[str] = collections.Counter()

    def read(stop: threading.Event) -> None:
        with httpx.Client(base_url=base, timeout=30,
                          headers={"Authorization": f"Bearer {token}"}) as client:  # fmt: skip
            while not stop.is_set():
                for query in (AUDIT_TRAIL, REGISTER):
                    response = client.post("/graphql", json={"query": query})
                    body = response.json()
                    answers[f"{response.status_code} {'errors' in body}"] += 1

    try:
        stop = threading.Event()
        readers = [threading.Thread(target=read, args=(stop,)) for _ in range(4)]
        for reader in readers:
            reader.start()
        try:
            filers = run_filers(base, max(CLIENTS // 2, 4), lambda: time.sleep(SECONDS))
        finally:
            stop.set()
            for reader in readers:
                reader.join(timeout=60)
        assert_nothing_lost_or_doubled(url, filers)
        assert set(answers) == {"200 False"}, answers  # every read answered, none refused
        filed = sum(len(f.acknowledged) for f in filers)
        on_primary = ViewStore(primary.url)
        try:  # the replica's audit trail (what the API shows) follows the primary's
            with httpx.Client(base_url=base, timeout=30,
                              headers={"Authorization": f"Bearer {token}"}) as client:  # fmt: skip

                def replica_caught_up() -> bool:
                    body = client.post("/graphql", json={"query": AUDIT_TRAIL}).json()
                    shown = body["data"]["supervision"]["auditTrail"]["totalCount"]
                    return shown >= filed and shown == audit_trail_length(on_primary)

                wait_for(replica_caught_up, 60)
        finally:
            on_primary.close()
        metrics = httpx.get(f"{base}/metrics", timeout=10).text
        by_replica = metric(metrics, 'xuke_read_queries_total{served_by="replica"}')
        by_primary = metric(metrics, 'xuke_read_queries_total{served_by="primary"}')
        assert by_replica > 10 * by_primary, (by_replica, by_primary)
        assert metric(metrics, "xuke_replica_up") == 1.0
        assert 0 <= metric(metrics, "xuke_replica_lag_seconds") <= 5
        ready = httpx.get(f"{base}/readyz", timeout=10).json()
        assert ready["replica"]["up"] and ready["replica"]["standby"], ready
        print(f"reads under load: {answers}, {by_replica:.0f} by the replica, "
              f"{by_primary:.0f} by the primary")  # fmt: skip
    finally:
        api.stop()
        worker.stop()


def test_reads_leave_a_replica_that_lags_or_is_away_and_come_back() -> None:
    """An asynchronous standby (a synchronous one would hold the primary's commits while its
    replay is paused). Reads go to the primary while the replica is more than 0.5 s behind or
    away, so none is older than the bound; and back to the replica once it keeps up again."""
    primary, standby = replicated_pair(synchronous=False)
    views = ViewStore(primary.url)
    replica = ReplicaViews(standby.url, views, max_lag_seconds=0.5, interval=0.1)
    try:
        with views.transaction() as tx:
            tx.execute("CREATE TABLE probe (n integer)")
        replica.start()
        wait_for(replica.serving)
        count = "SELECT COUNT(*) AS n FROM probe"

        def write(rows: int) -> None:
            for _ in range(rows):
                with views.transaction() as tx:
                    tx.execute("INSERT INTO probe VALUES (1)")
                time.sleep(0.05)

        write(1)
        wait_for(lambda: replica.fetchone(count) == {"n": 1})
        assert replica.served["replica"] > 0
        with psycopg.connect(standby.url, autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_pause()")
            write(20)  # a second of writes the replica does not apply
            wait_for(lambda: not replica.serving())
            assert replica.lag.seconds is not None and replica.lag.seconds > 0.5
            assert replica.lag.bytes is not None and replica.lag.bytes > 0
            by_primary = replica.served["primary"]
            assert replica.fetchone(count) == {"n": 21}  # the primary's answer, not a stale one
            assert replica.served["primary"] == by_primary + 1
            conn.execute("SELECT pg_wal_replay_resume()")
        wait_for(replica.serving)
        assert replica.fetchone(count) == {"n": 21}

        standby.stop("fast")  # the replica goes away: reads carry on on the primary
        assert replica.fetchone(count) == {"n": 21}
        wait_for(lambda: not replica.lag.up)
        assert not replica.serving()
        standby.start()
        wait_for(replica.serving, 30)
        by_replica = replica.served["replica"]
        assert replica.fetchone(count) == {"n": 21}
        assert replica.served["replica"] == by_replica + 1
    finally:
        replica.close()
        views.close()
        standby.destroy()
        primary.destroy()
