"""Real HTTP: uvicorn serving the app on a free port, on SQLite and on PostgreSQL."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from xuke.api.app import create_app
from xuke.api.context import Services
from xuke.application.clock import SettableClock
from xuke.bootstrap import build_services, migrate
from xuke.cli.serve import proxy_options
from xuke.domain.roles import Role
from xuke.settings import Settings


@dataclass
class Api:
    url: str
    services: Services
    client: httpx.Client

    def token(
        self, user: str, *roles: Role, org: str = "440000", jurisdiction: str | None = None
    ) -> str:
        return self.services.tokens.issue(user, list(roles), org, user, jurisdiction)

    def gql(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def api(settings: Settings, clock: SettableClock) -> Iterator[Api]:
    settings = settings.model_copy(
        update={"jwt_secret": "test-jwt-secret-of-sufficient-length-0123"}
    )
    migrate(settings, clock=clock).close()
    services = build_services(settings, with_projections=True, clock=clock)
    assert services.runner is not None
    services.runner.start()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(services),
            host="127.0.0.1",
            port=port,
            log_config=None,
            access_log=False,
            **proxy_options(),  # as `xuke serve` runs it: forwarded headers from no one
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url, timeout=10) as client:
        yield Api(url, services, client)
    server.should_exit = True
    thread.join(timeout=10)
    services.runner.stop()
    services.app.close()
    services.views.close()
