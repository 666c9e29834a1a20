"""Read scale-out and failover on streaming replication, in one run on this machine: a primary
and a synchronous standby (``remote_apply``) as two local clusters, ``xuke serve`` and
``xuke projections run`` on a multi-host URL, clients filing applications over HTTP.

1. Read queries per second (a case's audit trail: its page and its count, as the API asks)
   from reader threads on the primary only, then the same threads spread over the primary and
   the replica, while the writes go on.
2. Replication lag under that write load, sampled every 50 ms as ``ReplicaViews`` measures it
   (seconds and bytes behind the primary): p50, p99, max.
3. Failover: the primary stopped hard (``pg_ctl stop -m immediate``), the standby promoted
   after ``--promote-after`` seconds (Patroni's own detection time stands in for this), and
   a client filing every 0.1 s: seconds of 503 from the stop to the first filing acknowledged
   by the new primary. Every acknowledged filing is then looked for on the new primary.

    .venv/bin/python benchmarks/replica.py [--clients 8] [--readers 4] [--seconds 5]

Both clusters, the API and the clients share this machine's cores: the replica adds no CPU,
so the read figure shows the split working, not the capacity a second machine would add.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the test suite's cluster and client helpers

import httpx  # noqa: E402
import psycopg  # noqa: E402

from tests.api.conftest import free_port  # noqa: E402
from tests.reliability.processes import Filer, projection_worker, serve, xuke  # noqa: E402
from tests.reliability.replication import multi_host_url, replicated_pair  # noqa: E402
from xuke.bootstrap import build_application  # noqa: E402
from xuke.domain.case import LicenseCase  # noqa: E402
from xuke.domain.errors import DomainError  # noqa: E402
from xuke.projections.audit import audit_trail_page  # noqa: E402
from xuke.projections.replica import ReplicaViews  # noqa: E402
from xuke.projections.store import ViewStore  # noqa: E402
from xuke.settings import Settings  # noqa: E402

REPLAY_LAG = "SELECT EXTRACT(EPOCH FROM replay_lag)::float8 FROM pg_stat_replication LIMIT 1"
FILED = LicenseCase.ApplicationFiled.__qualname__  # type: ignore[attr-defined]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


def read_rate(stores: list[ViewStore], case_nos: list[str], readers: int, seconds: float) -> float:
    """Queries per second from ``readers`` threads, thread i on ``stores[i % len(stores)]``."""
    done = [0] * readers
    stop = threading.Event()

    def read(i: int) -> None:
        rng, store = random.Random(i), stores[i % len(stores)]
        while not stop.is_set():
            audit_trail_page(store, rng.choice(case_nos), 20)
            done[i] += 2  # the page and its count

    threads = [threading.Thread(target=read, args=(i,)) for i in range(readers)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


def lost_and_doubled(database_url: str, acknowledged: dict[str, str]) -> tuple[int, int]:
    """Acknowledged filings missing from the store, and filings stored beyond one per key."""
    app = build_application(Settings(database_url=database_url, secret_key="reliability-secret"))
    try:
        lost = 0
        for case_no in acknowledged.values():
            try:
                app.get_case(case_no)
            except DomainError:
                lost += 1
        filed = sum(1 for n in app.recorder.select_notifications(start=0, limit=10**7)
                    if n.topic.endswith(FILED))  # fmt: skip
        return lost, filed - (len(acknowledged) - lost)
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="filing clients (the write load)")
    parser.add_argument("--readers", type=int, default=4, help="reader threads")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=3, help="read phases of each kind")
    parser.add_argument("--promote-after", type=float, default=1.0)
    args = parser.parse_args()

    primary, standby = replicated_pair(synchronous=True)
    url = multi_host_url(primary, standby)
    api = worker = None
    try:
        xuke("migrate", database_url=url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        api, worker = serve(url, port), projection_worker(url)
        stop = threading.Event()
        filers = [Filer(base, f"bench-{n}", stop) for n in range(args.clients)]
        for filer in filers:
            filer.start()
        time.sleep(args.seconds)  # some cases to read
        case_nos = [no for f in filers for no in list(f.acknowledged.values())]

        on_primary, on_replica = ViewStore(primary.url), ViewStore(standby.url)
        replica = ReplicaViews(standby.url, on_primary)
        lags: list[float] = []
        lag_bytes: list[float] = []
        replay: list[float] = []  # the primary's own view: pg_stat_replication.replay_lag
        sampling = threading.Event()

        def sample() -> None:
            with psycopg.connect(primary.url, autocommit=True) as conn:
                while not sampling.wait(0.05):
                    lag = replica.measure()
                    if lag.seconds is not None:
                        lags.append(lag.seconds)
                    lag_bytes.append(float(lag.bytes or 0))
                    row = conn.execute(REPLAY_LAG).fetchone()
                    replay.append(float(row[0]) if row and row[0] is not None else 0.0)

        sampler = threading.Thread(target=sample)
        sampler.start()
        alone, spread = [], []
        for _ in range(args.rounds):  # alternated: the machine's other load drifts meanwhile
            alone.append(read_rate([on_primary], case_nos, args.readers, args.seconds))
            spread.append(read_rate([on_primary, on_replica], case_nos, args.readers, args.seconds))
        sampling.set()
        sampler.join()
        for store in (replica, on_primary, on_replica):
            store.close()
        written = sum(len(f.acknowledged) for f in filers)
        print(f"write load: {args.clients} clients filing, {written} filings acknowledged so far")
        print(f"reads, {args.readers} threads, {args.rounds} alternated rounds: primary only "
              f"{' / '.join(f'{r:,.0f}' for r in alone)} queries/s; primary + replica "
              f"{' / '.join(f'{r:,.0f}' for r in spread)} queries/s (medians: "
              f"{statistics.median(spread) / statistics.median(alone):.2f}x)")  # fmt: skip
        print(f"replication lag under the write load ({len(lags)} samples): "
              f"p50 {percentile(lags, 50) * 1000:.1f} ms, p99 {percentile(lags, 99) * 1000:.1f} ms, "
              f"max {max(lags, default=0) * 1000:.1f} ms; bytes p99 {percentile(lag_bytes, 99):,.0f}")  # fmt: skip
        print(f"  pg_stat_replication.replay_lag (flush on the primary to replay on the standby): "
              f"p50 {percentile(replay, 50) * 1000:.1f} ms, p99 {percentile(replay, 99) * 1000:.1f} ms, "
              f"max {max(replay, default=0) * 1000:.1f} ms")  # fmt: skip

        probe = Filer(base, "bench-probe", threading.Event())
        primary.stop("immediate")
        stopped = time.monotonic()
        promoter = threading.Timer(args.promote_after, standby.promote)
        promoter.start()
        with httpx.Client(base_url=base, timeout=90, headers=probe.headers) as client:
            probe._file(client, f"probe-{uuid.uuid4().hex}")  # retried until acknowledged
        served = time.monotonic() - stopped
        promoter.join()
        time.sleep(args.seconds)
        stop.set()
        for filer in filers:
            filer.join(timeout=120)
        statuses = sum((f.statuses for f in [*filers, probe]), start=type(probe.statuses)())
        acknowledged = {k: no for f in [*filers, probe] for k, no in f.acknowledged.items()}
        lost, doubled = lost_and_doubled(standby.url, acknowledged)
        print(f"failover: promoted {args.promote_after:.1f} s after the stop; first filing "
              f"acknowledged {served:.1f} s after the stop; answers {dict(statuses)}; "
              f"acknowledged {len(acknowledged)}, lost {lost}, stored twice {doubled}")  # fmt: skip
    finally:
        for process in (api, worker):
            if process is not None:
                process.stop()
        standby.destroy()
        primary.destroy()


if __name__ == "__main__":
    main()
