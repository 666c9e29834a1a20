"""Real processes for fault tests: a PostgreSQL cluster of the test's own (so it can be stopped
and started without disturbing other tests), ``xuke serve`` and ``xuke projections run`` as
child processes (so they can be killed with SIGKILL), and clients that file applications
under load the way a front-end does: each with its own idempotency key, retried with the same
key after a 503 or a dropped connection until acknowledged."""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import free_port
from tests.api.test_graphql import FILE, application
from tests.support import ENTERPRISE_CODE
from xuke.api.auth import TokenService
from xuke.domain.roles import Role

JWT_SECRET = "reliability-jwt-secret-0123456789abcdef"
UNPRIVILEGED = "xukepg"  # PostgreSQL refuses to run as root


def pg_bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parts)
    return candidates[-1].parent if candidates else None


class PostgresCluster:
    """``initdb`` in a temporary directory, then ``pg_ctl start`` / ``stop`` at will."""

    def __init__(self) -> None:
        bin_dir = pg_bin_dir()
        if bin_dir is None:
            if os.environ.get("XUKE_REQUIRE_POSTGRES"):
                pytest.fail("no PostgreSQL server binaries (pg_ctl)")
            pytest.skip("no PostgreSQL server binaries (pg_ctl)")
        self.bin, self.port = bin_dir, free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="xuke-pg-fault-", dir="/tmp"))
        self._as: list[str] = []
        if os.geteuid() == 0:
            if subprocess.run(["id", "-u", UNPRIVILEGED], capture_output=True).returncode:
                subprocess.run(
                    ["useradd", "--system", "--no-create-home", UNPRIVILEGED], check=True
                )
            shutil.chown(self.dir, UNPRIVILEGED)
            self._as = ["runuser", "-u", UNPRIVILEGED, "--"]
        self._run("initdb", "-D", str(self.dir / "data"), "-U", "postgres", "-A", "trust",
                  "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run([*self._as, str(self.bin / tool), *args], capture_output=True)
        if done.returncode:
            raise RuntimeError(f"{tool} failed: {done.stdout!r} {done.stderr!r}")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off -c max_connections=200")  # fmt: skip
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w",
                  "start", "-o", options)  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(RuntimeError):  # already stopped by a test that failed
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def xuke_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "XUKE_DATABASE_URL": database_url,
        "XUKE_SECRET_KEY": "reliability-secret",
        "XUKE_JWT_SECRET": JWT_SECRET,
        "XUKE_DEMO": "false",
        "XUKE_METRICS_PUBLIC": "true",  # loopback-only test servers: no metrics token needed
        "XUKE_WATCH_INTERVAL_SECONDS": "3600",
    }


def xuke(*args: str, database_url: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*XukeProcess.command(), *args], env=xuke_env(database_url),
                          capture_output=True, check=True, timeout=120)  # fmt: skip


class XukeProcess:
    """``xuke serve`` or ``xuke projections run`` as a child process that a test may kill."""

    def __init__(self, database_url: str, *args: str, port: int | None = None) -> None:
        self.database_url, self.args, self.port = database_url, args, port
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def command() -> list[str]:
        return [sys.executable, "-m", "xuke.cli"]

    def start(self) -> XukeProcess:
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
        self.process = subprocess.Popen([*self.command(), *self.args], env=xuke_env(self.database_url),
                                        stdout=self.log, stderr=subprocess.STDOUT)  # fmt: skip
        if self.port is not None:
            self._wait_healthy()
        return self

    def _wait_healthy(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.output()
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"xuke {' '.join(self.args)} did not start: {self.output()}")

    def kill(self) -> None:
        """SIGKILL: no clean-up, no flushing, as a crash or the OOM killer would."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-3000:]


def serve(database_url: str, port: int) -> XukeProcess:
    return XukeProcess(database_url, "serve", "--port", str(port), port=port).start()


def projection_worker(database_url: str) -> XukeProcess:
    return XukeProcess(database_url, "projections", "run").start()


class Filer(threading.Thread):
    """Files applications one after another until told to stop. A key is retried, after a
    503 or a dropped connection, until the service acknowledges it; every key it sent is
    acknowledged when it stops, so the store must hold exactly one case per key."""

    def __init__(
        self, url: str, name: str, stop: threading.Event, give_up_after: float = 120
    ) -> None:
        super().__init__(daemon=True)
        self.url, self.stop, self.give_up_after = url, stop, give_up_after
        token = TokenService(secret=JWT_SECRET).issue(
            name, [Role.APPLICANT], ENTERPRISE_CODE, name, "440305"
        )
        self.headers = {"Authorization": f"Bearer {token}"}
        self.acknowledged: dict[str, str] = {}  # idempotency key -> case number
        self.statuses: collections.Counter[int | str] = collections.Counter()
        self.retry_after: set[str] = set()
        self.failure: str | None = None

    def run(self) -> None:
        # A request caught as the database goes away can wait ~32 s inside eventsourcing's
        # own retry (10 attempts, 3 s connect timeout each) before it answers 503.
        with httpx.Client(base_url=self.url, timeout=90, headers=self.headers) as client:
            while not self.stop.is_set() and self.failure is None:
                self._file(client, f"fault-{uuid.uuid4().hex}")

    def _file(self, client: httpx.Client, key: str) -> None:
        deadline = time.monotonic() + self.give_up_after
        body = {"query": FILE, "variables": {"input": application(), "key": key}}
        while time.monotonic() < deadline:
            try:
                response = client.post("/graphql", json=body)
            except httpx.HTTPError as e:  # the service is down or the response was dropped
                self.statuses[type(e).__name__] += 1
                time.sleep(0.2)
                continue
            self.statuses[response.status_code] += 1
            if response.status_code == 503:
                self.retry_after.add(response.headers.get("retry-after", ""))
                time.sleep(0.3)
                continue
            if response.status_code != 200:
                self.failure = f"{response.status_code}: {response.text[:500]}"
                return
            payload = response.json()["data"]["fileApplication"]
            if payload["errors"]:
                self.failure = f"refused: {payload['errors']}"
                return
            self.acknowledged[key] = payload["case"]["caseNo"]
            return
        self.failure = f"{key} not acknowledged within {self.give_up_after} s"

    def __repr__(self) -> str:
        return f"Filer({len(self.acknowledged)} acknowledged, {dict(self.statuses)})"


def run_filers(url: str, clients: int, during: Callable[[], None]) -> list[Filer]:
    """Keep ``clients`` filers busy while ``during`` runs, then let each finish its key."""
    stop = threading.Event()
    filers = [Filer(url, f"filer-{n}", stop) for n in range(clients)]
    for filer in filers:
        filer.start()
    try:
        during()
    finally:
        stop.set()
        for filer in filers:
            filer.join(timeout=120)
    return filers
