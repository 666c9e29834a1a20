"""PostgreSQL goes away under the service: 503 with Retry-After meanwhile, and recovery without
restarting xuke once it is back."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import psycopg
import pytest
import uvicorn
from psycopg import sql

from tests.api.conftest import free_port
from tests.api.test_graphql import FILE, application
from tests.conftest import postgres_base_url
from tests.support import ENTERPRISE_CODE
from xuke.api.app import create_app
from xuke.application.clock import SettableClock
from xuke.bootstrap import build_services, migrate
from xuke.domain.roles import Role
from xuke.settings import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def database() -> Iterator[tuple[str, str]]:
    """A database of its own, so refusing connections to it disturbs no other test."""
    base = postgres_base_url()
    name = f"outage_{uuid.uuid4().hex[:8]}"
    admin_url = base.split("?")[0]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield admin_url, name
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(sql.Identifier(name))
        )
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def wait_until(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def set_available(admin_url: str, name: str, available: bool) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
                sql.Identifier(name), sql.SQL(str(available).lower())
            )
        )
        if not available:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
            )


def test_an_outage_is_a_503_with_retry_after_and_recovery_needs_no_restart(
    database: tuple[str, str], clock: SettableClock
) -> None:
    admin_url, name = database
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    settings = Settings(
        database_url=url, secret_key="t", jwt_secret="outage-test-jwt-secret-0123456789", demo=False
    )
    migrate(settings, clock=clock).close()
    services = build_services(settings, with_projections=True, clock=clock)
    assert services.runner is not None
    services.runner.start()
    services.start()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_config=None)
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    token = services.tokens.issue("ent", [Role.APPLICANT], ENTERPRISE_CODE, jurisdiction="440305")
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        timeout=30,
        headers={"Authorization": f"Bearer {token}"},
    )
    try:
        ok = client.post("/graphql", json={"query": FILE, "variables": {"input": application()}})
        assert ok.status_code == 200 and ok.json()["data"]["fileApplication"]["case"]
        set_available(admin_url, name, False)
        assert wait_until(lambda: not services.database.available.is_set())
        down = client.post("/graphql", json={"query": FILE, "variables": {"input": application()}})
        assert down.status_code == 503 and down.headers["retry-after"] == "5"
        assert down.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
        assert client.get("/readyz").status_code == 503
        set_available(admin_url, name, True)
        assert wait_until(services.database.available.is_set)
        deadline = time.monotonic() + 20
        while True:  # the pools reconnect by themselves
            back = client.post(
                "/graphql", json={"query": FILE, "variables": {"input": application()}}
            )
            if back.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert back.status_code == 200 and back.json()["data"]["fileApplication"]["case"][
            "caseNo"
        ].endswith("000002")
    finally:
        client.close()
        server.should_exit = True
        services.stop()
        services.runner.stop()
        services.app.close()
        services.views.close()
