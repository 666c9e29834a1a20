"""A primary and a streaming standby as two local clusters, for the failover and read-replica
tests and ``benchmarks/replica.py``: ``initdb`` as ``PostgresCluster`` does it (as an
unprivileged user when run as root), the standby copied with ``pg_basebackup -R`` (which writes
its ``primary_conninfo`` and ``standby.signal``), then ``pg_ctl promote`` at will.

Synchronous: ``synchronous_standby_names = '*'`` and ``synchronous_commit = remote_apply`` on
the primary, so a commit is acknowledged once the standby has *applied* it: nothing
acknowledged is lost when the primary dies, and a read on the standby after the commit sees
it (docs/operations.md says why ``remote_apply`` rather than ``on``). The standby has no
``synchronous_standby_names`` of its own: once promoted it is alone, and its commits must not
wait for a standby that does not exist."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from pathlib import Path

import psycopg

from tests.api.conftest import free_port
from tests.reliability.processes import PostgresCluster

BASE_OPTIONS = "-c listen_addresses=127.0.0.1 -c full_page_writes=off -c max_connections=200"


class ReplicatedCluster(PostgresCluster):
    """A cluster started with options of its own (``PostgresCluster`` has fixed ones). fsync
    stays off, as in every test cluster: ``pg_ctl stop -m immediate`` kills the server, not
    the machine, so nothing written to the kernel is lost."""

    extra_options = ""

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c fsync=off {BASE_OPTIONS} {self.extra_options}"
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w",
                  "start", "-o", options)  # fmt: skip

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return (self.dir / "log").read_text(errors="replace")[-2000:]
        return ""


class Primary(ReplicatedCluster):
    def __init__(self, synchronous: bool = True) -> None:
        super().__init__()
        if synchronous:
            self.extra_options = "-c synchronous_standby_names=* -c synchronous_commit=remote_apply"


class Standby(ReplicatedCluster):
    """A hot standby of ``primary``; ``hot_standby_feedback`` so that the primary's vacuum does
    not cancel the views' queries running here."""

    extra_options = "-c hot_standby_feedback=on -c cluster_name=xuke_standby"

    def __init__(self, primary: PostgresCluster) -> None:  # no initdb: a copy of the primary
        # pg_basebackup lies beside the real pg_ctl, not always beside a link to it on PATH
        self.bin = (primary.bin / "pg_ctl").resolve().parent
        self.port, self._as = free_port(), primary._as
        self.dir = Path(tempfile.mkdtemp(prefix="xuke-pg-standby-", dir="/tmp"))
        if self._as:
            shutil.chown(self.dir, self._as[2])
        try:
            self._run("pg_basebackup", "-D", str(self.dir / "data"), "-h", "127.0.0.1",
                      "-p", str(primary.port), "-U", "postgres", "-R", "-X", "stream",
                      "--checkpoint=fast", "--no-sync")  # fmt: skip
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        (self.dir / "data" / "postmaster.pid").unlink(missing_ok=True)

    def promote(self) -> None:
        """``pg_ctl promote -w``: returns once the standby accepts writes."""
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-w", "promote")


def wait_streaming(primary: PostgresCluster, synchronous: bool, seconds: float = 30) -> None:
    """Until the primary sees its standby streaming (as its synchronous standby, if asked)."""
    wanted = "sync" if synchronous else "async"
    deadline = time.monotonic() + seconds
    with psycopg.connect(primary.url, autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT state, sync_state FROM pg_stat_replication LIMIT 1"
            ).fetchone()
            if row == ("streaming", wanted):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the standby is not streaming ({row})")
            time.sleep(0.1)


def multi_host_url(*clusters: PostgresCluster, attrs: str = "read-write") -> str:
    """One URL for them all: libpq tries each host in turn and keeps the first that is a
    primary (``read-write``) or, for reads, a standby if there is one (``prefer-standby``)."""
    hosts = ",".join(f"127.0.0.1:{c.port}" for c in clusters)
    return f"postgresql://postgres@{hosts}/postgres?target_session_attrs={attrs}"


def replicated_pair(synchronous: bool = True) -> tuple[Primary, Standby]:
    """A started primary and its started standby, streaming; destroy both when done."""
    primary = Primary(synchronous)
    standby: Standby | None = None
    try:
        primary.start()
        standby = Standby(primary)
        standby.start()
        wait_streaming(primary, synchronous)
    except BaseException:
        if standby is not None:
            standby.destroy()
        primary.destroy()
        raise
    return primary, standby
