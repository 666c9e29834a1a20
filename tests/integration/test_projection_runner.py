"""Running the projections: exactly once, rebuildable, restartable after kill -9, and
self-healing after a dropped LISTEN connection."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import os
import random
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import psycopg
import pytest

from tests import scenarios
from tests.support import at, file_gycp, project, staff
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.bootstrap import open_worker_application
from xuke.domain.calendar import YearSchedule
from xuke.domain.roles import Role
from xuke.domain.stages import Opinion
from xuke.projections.rebuild import build_shadow, differences, rebuild
from xuke.projections.runner import PROJECTIONS, ProjectionRunner, ProjectionWorker
from xuke.projections.store import Listener, ViewStore
from xuke.projections.tracking import TrackingConflict
from xuke.projections.visibility import ViewPositions
from xuke.projections.writes import Upserts
from xuke.settings import Settings

HANDLER = staff(Role.HANDLER, user="handler-x")


def assert_every_view_equals_its_rebuild(app: LicensingApplication, views: ViewStore) -> None:
    for projection in PROJECTIONS.values():
        build_shadow(app, views, projection)
        assert differences(views, projection) == [], projection.name


def views_across_a_calendar_change(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    """The scenarios, then a provisional deadline into 2027, the 2027 schedule, one more event."""
    scenarios.build(app, clock)
    clock.set(at(2026, 11, 26))
    late = file_gycp(app).case.case_no
    app.accept_application(scenarios.CLERK, late)  # provisional: runs into 2027
    project(app, views)
    year = YearSchedule(year=2027, holidays=frozenset({dt.date(2027, 1, 1), dt.date(2027, 2, 5)}))
    app.load_calendar_year(staff(Role.ADMIN, "000000"), year)
    app.record_opinion(HANDLER, late, Opinion.AGREE, "同意")
    project(app, views)


def test_rebuild_gives_the_same_rows_across_a_calendar_change(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    views_across_a_calendar_change(app, clock, views)
    assert_every_view_equals_its_rebuild(app, views)
    # The swap leaves the live view whole and at the head of the log.
    head = app.recorder.max_notification_id()
    assert rebuild(app, views, PROJECTIONS["inbox"]) == head
    assert views.count("inbox_tasks", "1 = 1") > 0
    assert views.fetchone(
        "SELECT position FROM projection_tracking WHERE projection = 'inbox'"
    ) == {"position": head}


@pytest.mark.postgres
def test_a_rebuild_in_shares_built_by_processes_of_their_own_equals_the_live_view(
    app: LicensingApplication, clock: SettableClock, views: ViewStore, settings: Settings
) -> None:
    if views.is_sqlite:
        pytest.skip("shares are built in parallel on PostgreSQL only")
    views_across_a_calendar_change(app, clock, views)
    open_app = functools.partial(open_worker_application, settings)
    for projection in (p for p in PROJECTIONS.values() if p.partitionable):
        head = build_shadow(app, views, projection, shares=3, open_app=open_app)
        assert head == app.recorder.max_notification_id()
        assert differences(views, projection) == [], projection.name
    with pytest.raises(ValueError, match="one process"):
        build_shadow(app, views, PROJECTIONS["audit_trail"], shares=2, open_app=open_app)


def test_a_second_runner_of_the_same_projection_is_refused(
    app: LicensingApplication, views: ViewStore
) -> None:
    file_gycp(app)
    first = ProjectionWorker(app, views, PROJECTIONS["audit_trail"])
    first.position()  # it knows where it stands…
    second = ProjectionWorker(app, views, PROJECTIONS["audit_trail"])
    assert second.run_page() > 0  # …but another runner moves on first
    with pytest.raises(TrackingConflict):
        first.run_page()
    assert views.count("audit_trail", "1 = 1") == app.recorder.max_notification_id()


def test_a_command_is_visible_in_the_views_once_waited_for(
    app: LicensingApplication, views: ViewStore
) -> None:
    runner = ProjectionRunner(app, views).start()
    try:
        result = file_gycp(app)
        assert result.notification_id is not None
        assert runner.wait_for(result.notification_id, timeout=5)
        assert views.count("public_status", "case_no = %s", [result.case.case_no]) == 1
    finally:
        runner.stop()


def drop_the_connection_of(listener: Listener, postgres_url: str) -> None:
    """Kill a listener's connection on the server side, as a network fault would."""
    dropped = listener.backend_pid
    with psycopg.connect(postgres_url.split("?")[0], autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [dropped])
    deadline = time.monotonic() + 10
    while listener.backend_pid == dropped and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listener.backend_pid != dropped  # it noticed and listened again
    assert listener.connected.wait(5)


@pytest.mark.postgres
def test_projections_catch_up_after_the_listen_connection_is_killed(
    postgres_url: str, clock: SettableClock
) -> None:
    from xuke.bootstrap import build_application, migrate

    settings = Settings(database_url=postgres_url, secret_key="t")
    migrate(settings, clock=clock).close()
    app, views = build_application(settings, clock=clock), ViewStore(postgres_url)
    runner = ProjectionRunner(app, views, poll_seconds=60).start()
    try:
        assert runner.listener is not None and runner.listener.connected.wait(5)
        drop_the_connection_of(runner.listener, postgres_url)
        result = file_gycp(app)
        woken = runner.wait_for(result.notification_id or 0, timeout=5)
        assert woken  # by NOTIFY on the new connection, not by the 60 s poll
        runner.stop()
        assert_every_view_equals_its_rebuild(app, views)
    finally:
        runner.stop()
        app.close()
        views.close()


def test_kill_minus_9_at_random_points_loses_and_doubles_nothing(
    app: LicensingApplication, settings: Settings, views: ViewStore, clock: SettableClock
) -> None:
    env = {
        **os.environ,
        "XUKE_DATABASE_URL": settings.resolved_database_url,
        "XUKE_SECRET_KEY": "test-secret",
    }
    command = [sys.executable, "-m", "xuke.cli", "projections", "run"]
    stop_writing = threading.Event()

    def write() -> None:  # commands keep arriving while the worker dies and restarts
        n = 0
        while not stop_writing.is_set():
            case_no = file_gycp(app, idempotency_key=f"k{n}").case.case_no
            app.accept_application(scenarios.CLERK, case_no)
            app.record_opinion(HANDLER, case_no, Opinion.AGREE, f"第{n}件")
            n += 1
            time.sleep(0.01)

    writer = threading.Thread(target=write)
    writer.start()
    rng = random.Random(20261126)
    try:
        for _ in range(10):
            worker = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(rng.uniform(0.6, 1.5))  # start-up, then some pages
            worker.send_signal(signal.SIGKILL)
            worker.wait()
    finally:
        stop_writing.set()
        writer.join()
    subprocess.run([*command, "--once"], env=env, check=True, stdout=subprocess.DEVNULL)
    head = app.recorder.max_notification_id()
    assert views.count("audit_trail", "1 = 1") == head
    assert_every_view_equals_its_rebuild(app, views)


def test_eventsourcings_one_event_interface_is_a_page_of_one(
    app: LicensingApplication, views: ViewStore
) -> None:
    from eventsourcing.persistence import Tracking

    worker = ProjectionWorker(app, views, PROJECTIONS["deadlines"])
    case = file_gycp(app).case
    (filed,) = app.history(case)
    position = app.recorder.max_notification_id() or 0
    worker.projection.process_event(filed, Tracking(app.name, position))
    assert worker.projection.view.max_tracking_id(app.name) == position
    assert views.count("case_deadlines", "case_no = %s", [case.case_no]) == 1


@pytest.mark.parametrize("name", ["inbox", "public_status", "deadlines"])
def test_a_page_that_failed_half_way_leaves_nothing_behind(
    app: LicensingApplication,
    clock: SettableClock,
    views: ViewStore,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    """The database goes away while a page is written: the retried page starts clean
    (counts and steps collected by the failed attempt are not counted twice)."""
    app.write_path.views = None  # the worker writes these views, not the commands (inline)
    scenarios.build(app, clock)
    real = Upserts.flush

    def connection_lost(*args: Any, **kwargs: Any) -> None:
        monkeypatch.setattr(Upserts, "flush", real)  # the next attempt works
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Upserts, "flush", connection_lost)
    worker = ProjectionWorker(app, views, PROJECTIONS[name])
    with pytest.raises(psycopg.OperationalError):
        worker.run_page()
    worker.catch_up()
    build_shadow(app, views, PROJECTIONS[name])
    assert differences(views, PROJECTIONS[name]) == []


@pytest.mark.postgres
def test_a_process_without_projections_hears_the_views_move(
    postgres_url: str, clock: SettableClock
) -> None:
    """Read-your-writes across processes: a worker announces its position by NOTIFY in the
    page's transaction. The waiter here reads the table only when it (re)connects, so only
    the announcements can wake it — before and after its connection is killed."""
    from xuke.bootstrap import build_application, migrate

    settings = Settings(database_url=postgres_url, secret_key="t")
    migrate(settings, clock=clock).close()
    app, views = build_application(settings, clock=clock), ViewStore(postgres_url)
    positions = ViewPositions(ViewStore(postgres_url), look_every=3600)
    positions.start()
    worker = ProjectionRunner(app, views, ["inbox"], poll_seconds=60).start()  # "elsewhere"
    try:
        assert positions.listener is not None and positions.listener.connected.wait(5)
        for _ in range(2):
            filed = file_gycp(app).notification_id or 0
            assert positions.wait(filed, ["inbox"], timeout=5)
            assert not positions.wait(filed + 1, ["inbox"], timeout=0.2)  # not yet written
            filed = file_gycp(app).notification_id or 0  # and as the API waits: holding no thread
            started = time.monotonic()
            assert asyncio.run(positions.wait_async(filed, ["inbox"], timeout=10))
            assert time.monotonic() - started < 9  # woken by the announcement, not timed out
            drop_the_connection_of(positions.listener, postgres_url)
    finally:
        positions.stop()
        worker.stop()
        app.close()
        views.close()
