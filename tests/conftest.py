"""Backends: every test that takes ``app`` runs on SQLite and on PostgreSQL.

PostgreSQL is the server named by ``XUKE_TEST_DATABASE_URL`` (``scripts/test`` starts a
throwaway cluster); each test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.support import at
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.bootstrap import build_application, migrate, postgres_dsn
from xuke.projections.store import ViewStore
from xuke.settings import Settings


def postgres_base_url() -> str:
    url = os.environ.get("XUKE_TEST_DATABASE_URL", "")
    if not url:
        if os.environ.get("XUKE_REQUIRE_POSTGRES"):
            pytest.fail("XUKE_TEST_DATABASE_URL is not set")
        pytest.skip("no PostgreSQL: set XUKE_TEST_DATABASE_URL or run scripts/test")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    base = postgres_base_url()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    yield f"{base}?schema={schema}"
    with psycopg.connect(postgres_dsn(base), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'xuke.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(at(2026, 9, 28, 9))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret", demo=False)


@pytest.fixture
def views(app: LicensingApplication, settings: Settings) -> Iterator[ViewStore]:
    """The read-model database (migrated with the app)."""
    store = ViewStore(settings.resolved_database_url)
    yield store
    store.close()


@pytest.fixture
def app(settings: Settings, clock: SettableClock) -> Iterator[LicensingApplication]:
    """A migrated store, and an application started as production starts it (no DDL)."""
    migrate(settings, clock=clock).close()
    application = build_application(settings, clock=clock)
    yield application
    application.close()
