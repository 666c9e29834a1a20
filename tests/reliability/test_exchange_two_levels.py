"""Two levels with real processes and no shared database: a province (`xuke serve` on SQLite,
or on a PostgreSQL schema of its own) and the national level (`xuke serve` on another
PostgreSQL schema) whose `xuke exchange follow` process pulls the province's feed over HTTP.

Cases filed in the province through GraphQL appear at the national level; the province
stopped for a while is caught up once it is back; the follower restarted, or killed with
SIGKILL while the province is under load, leaves every event applied exactly once."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql

from tests.api.conftest import free_port
from tests.api.test_graphql import FILE, application
from tests.conftest import postgres_base_url
from tests.reliability.processes import JWT_SECRET, XukeProcess, run_filers, serve, xuke
from tests.support import ENTERPRISE_CODE
from xuke.api.auth import TokenService
from xuke.bootstrap import postgres_dsn
from xuke.domain.roles import Role
from xuke.projections.store import ViewStore

pytestmark = pytest.mark.postgres
TOKENS = TokenService(secret=JWT_SECRET)
EXCHANGE_TOKEN = TOKENS.issue("national-follower", [Role.EXCHANGE], "000000")
SUPERVISOR_TOKEN = TOKENS.issue("national-supervisor", [Role.SUPERVISOR], "000000")
APPLICANT_TOKEN = TOKENS.issue("filer", [Role.APPLICANT], ENTERPRISE_CODE, "filer", "440305")
STAFF = {role: TOKENS.issue(f"gd-{role.value.lower()}", [role], "440000")
         for role in (Role.CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER)}  # fmt: skip
COMPLIANCE = "{ provinceCompliance { province cases } exchangeSources { source lastError } }"
REGISTER = """{ nationalRegister { nodes { certificateNo status province caseNo }
  } provinceCompliance { decidedOnTime decidedLate complianceRate } }"""


def grant(url: str, case_no: str) -> None:
    """The province accepts, reviews, grants and certifies ``case_no`` (one hand per stage)."""
    served_at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 60))
    steps = [
        (Role.CLERK, "acceptApplication(caseNo: $no)", "", {}),
        (Role.HANDLER, "claimTask(taskId: $task)", "$task: ID!", {"task": f"{case_no}#2"}),
        *[(role, "recordOpinion(caseNo: $no, opinion: AGREE, comment: $text)", ", $text: String!",
           {"text": "同意"}) for role in (Role.HANDLER, Role.REVIEWER, Role.APPROVER)],
        (Role.APPROVER, "decide(caseNo: $no, grant: true, reason: $text)", ", $text: String!",
         {"text": "符合条件"}),
        (Role.APPROVER, "issueCertificate(caseNo: $no)", "", {}),
        (Role.APPROVER, "recordService(caseNo: $no, method: DIRECT, servedAt: $at)",
         ", $at: DateTime!", {"at": served_at}),
    ]  # fmt: skip
    with httpx.Client(base_url=url, timeout=60) as client:
        for role, mutation, declared, variables in steps:
            if "$task" in declared:
                query = f"mutation({declared}) {{ {mutation} {{ errors {{ code message }} }} }}"
            else:
                query = f"mutation($no: String!{declared}) {{ {mutation} {{ errors {{ code message }} }} }}"
                variables = {"no": case_no, **variables}
            body = client.post("/graphql", json={"query": query, "variables": variables},
                               headers={"Authorization": f"Bearer {STAFF[role]}"}).json()  # fmt: skip
            assert "errors" not in body and not next(iter(body["data"].values()))["errors"], body


@dataclass
class Levels:
    province_url: str
    national_url: str
    province: XukeProcess
    national: XukeProcess

    @property
    def feed_url(self) -> str:
        return f"http://127.0.0.1:{self.province.port}"

    def follower(self) -> XukeProcess:
        return XukeProcess(
            self.national_url, "exchange", "follow", self.feed_url, "--token", EXCHANGE_TOKEN,
            "--name", "guangdong", "--idle", "0.2", "--page-size", "50",
        ).start()  # fmt: skip


def _schema_url(base: str) -> tuple[str, str]:
    schema = f"t_{uuid.uuid4().hex[:16]}"
    return f"{base}?schema={schema}", schema


@pytest.fixture(params=["sqlite-province", "postgres-province"])
def levels(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Levels]:
    base = postgres_base_url()
    national_url, national_schema = _schema_url(base)
    schemas = [national_schema]
    if request.param == "sqlite-province":
        province_url = f"sqlite:///{tmp_path / 'province.sqlite'}"
    else:
        province_url, schema = _schema_url(base)
        schemas.append(schema)
        xuke("migrate", database_url=province_url)
    xuke("migrate", database_url=national_url)
    port = free_port()
    province = XukeProcess(province_url, "serve", "--port", str(port), "--with-projections",
                           port=port).start()  # fmt: skip
    national = serve(national_url, free_port())
    processes = [province, national]
    try:
        yield Levels(province_url, national_url, province, national)
    finally:
        for process in processes:
            process.stop()
        with psycopg.connect(postgres_dsn(base), autocommit=True) as conn:
            for s in schemas:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(s)))


def file_cases(url: str, n: int) -> list[str]:
    """``n`` applications filed through GraphQL; their case numbers."""
    cases = []
    headers = {"Authorization": f"Bearer {APPLICANT_TOKEN}"}
    with httpx.Client(base_url=url, timeout=60, headers=headers) as client:
        for _ in range(n):
            body = {"query": FILE, "variables": {"input": application(), "key": uuid.uuid4().hex}}
            payload = client.post("/graphql", json=body).json()["data"]["fileApplication"]
            assert payload["errors"] == [], payload
            cases.append(payload["case"]["caseNo"])
    return cases


def published(province_url: str) -> list[str]:
    """The province's feed as its database holds it: event ids in position order."""
    store = ViewStore(province_url)
    try:
        rows = store.fetchall("SELECT event_id FROM exchange_events ORDER BY position")
        return [r["event_id"] for r in rows]
    finally:
        store.close()


def received(national_url: str) -> list[str]:
    store = ViewStore(national_url)
    try:
        rows = store.fetchall(
            "SELECT event_id FROM inbound_events WHERE source = 'guangdong' ORDER BY position"
        )
        return [r["event_id"] for r in rows]
    finally:
        store.close()


def wait_until_caught_up(levels: Levels, filed: set[str], seconds: float = 90) -> list[str]:
    """Until the province has published every filed case and the national level holds
    exactly the province's feed; returns it."""
    deadline = time.monotonic() + seconds
    while True:
        feed = published(levels.province_url)
        got = received(levels.national_url)
        filed_in_feed = {i.split(":")[0] for i in feed if i.endswith(":CaseFiled")}
        if got == feed and len(filed_in_feed) >= len(filed):
            return got
        assert time.monotonic() < deadline, f"not caught up: {len(got)} of {len(feed)} events"
        time.sleep(0.3)


def national_view(levels: Levels, query: str = COMPLIANCE) -> dict[str, Any]:
    response = httpx.post(
        f"http://127.0.0.1:{levels.national.port}/graphql", json={"query": query},
        headers={"Authorization": f"Bearer {SUPERVISOR_TOKEN}"}, timeout=30,
    )  # fmt: skip
    data: dict[str, Any] = response.json()["data"]
    return data


def test_the_national_level_follows_a_province_exactly_once(levels: Levels) -> None:
    # Cases filed in the province appear at the national level (one pass with --once), and
    # the licence the province grants in the national register.
    filed = set(file_cases(levels.feed_url, 5))
    granted = sorted(filed)[0]
    grant(levels.feed_url, granted)
    wait_for_feed(levels, 5)
    wait_for_type(levels, "LicenceGranted")
    once = XukeProcess(levels.national_url, "exchange", "follow", levels.feed_url, "--token",
                       EXCHANGE_TOKEN, "--name", "guangdong", "--once").start()  # fmt: skip
    assert once.process is not None and once.process.wait(timeout=60) == 0, once.output()
    assert received(levels.national_url) == published(levels.province_url)
    view = national_view(levels)
    assert view["provinceCompliance"] == [{"province": "440000", "cases": 5}]
    register = national_view(levels, REGISTER)
    [licence] = register["nationalRegister"]["nodes"]
    assert (licence["status"], licence["province"], licence["caseNo"]) == (
        "VALID",
        "440000",
        granted,
    )
    assert register["provinceCompliance"] == [
        {"decidedOnTime": 1, "decidedLate": 0, "complianceRate": 1.0}
    ]

    # The province goes away for a while: the follower keeps trying, and notes why.
    follower = levels.follower()
    try:
        levels.province.stop()
        deadline = time.monotonic() + 30
        while not (sources := national_view(levels)["exchangeSources"])[0]["lastError"]:
            assert time.monotonic() < deadline, sources
            time.sleep(0.3)
        time.sleep(2)  # a while longer: the follower backs off
        # Back, and more is filed: the follower catches up by itself.
        levels.province.start()
        filed |= set(file_cases(levels.feed_url, 4))
        wait_until_caught_up(levels, filed)
        # The follower restarted: nothing applied twice.
        follower.stop()
        follower = levels.follower()
        filed |= set(file_cases(levels.feed_url, 2))
        got = wait_until_caught_up(levels, filed)
        assert len(got) == len(set(got))

        # Killed with SIGKILL, again and again, while the province is under load.
        def kill_the_follower() -> None:
            nonlocal follower
            for _ in range(4):
                time.sleep(1.0)
                follower.kill()
                follower = levels.follower()

        filers = run_filers(levels.feed_url, 3, kill_the_follower)
        assert [f.failure for f in filers if f.failure] == []
        filed |= {no for f in filers for no in f.acknowledged.values()}
        got = wait_until_caught_up(levels, filed)
        assert len(got) == len(set(got)) and len(filed) > 11
        view = national_view(levels)
        assert view["provinceCompliance"] == [{"province": "440000", "cases": len(filed)}]
        assert view["exchangeSources"] == [{"source": "guangdong", "lastError": None}]
    finally:
        follower.stop()


def wait_for_feed(levels: Levels, filings: int, seconds: float = 30) -> None:
    """The province's exchange projection runs moments after the filings."""
    deadline = time.monotonic() + seconds
    while sum(i.endswith(":CaseFiled") for i in published(levels.province_url)) < filings:
        assert time.monotonic() < deadline, "the province did not publish its filings"
        time.sleep(0.2)


def wait_for_type(levels: Levels, type_: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not any(i.endswith(f":{type_}") for i in published(levels.province_url)):
        assert time.monotonic() < deadline, f"the province did not publish {type_}"
        time.sleep(0.2)
