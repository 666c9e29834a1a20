"""Inline views (docs/write-path.md): the awaited views are written in the events' own
transaction, so a command is in them the moment it commits, on both engines — never its
events without its rows nor its rows without its events — and a rebuild from the log gives
the same rows, row for row, across a calendar change and under group commit."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from eventsourcing.persistence import OperationalError

from tests import scenarios
from tests.support import at, file_gycp, staff
from xuke.application import write_path
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.domain.calendar import YearSchedule
from xuke.domain.errors import Conflict
from xuke.domain.roles import Role
from xuke.domain.stages import Opinion
from xuke.projections.inline import inline_projections
from xuke.projections.rebuild import build_shadow, differences
from xuke.projections.runner import PROJECTIONS, ProjectionWorker
from xuke.projections.store import ViewStore
from xuke.projections.tracking import read_position
from xuke.projections.writes import Upserts

HANDLER = staff(Role.HANDLER, user="handler-x")
INLINE = [p.name for p in inline_projections()]


def rows(views: ViewStore) -> dict[str, int]:
    """How many rows each inline view's main table holds."""
    return {p.name: views.count(p.tables[0], "1 = 1") for p in inline_projections()}


def positions(views: ViewStore) -> dict[str, int | None]:
    return {name: read_position(views, name) for name in INLINE}


def assert_inline_views_equal_their_rebuild(app: LicensingApplication, views: ViewStore) -> None:
    head = app.recorder.max_notification_id()
    assert positions(views) == dict.fromkeys(INLINE, head)  # no worker ran: written inline
    for projection in inline_projections():
        build_shadow(app, views, projection)
        assert differences(views, projection, limit=3) == [], projection.name


def test_a_command_is_in_the_views_when_it_returns_without_any_worker(
    app: LicensingApplication, views: ViewStore
) -> None:
    result = file_gycp(app)
    assert result.notification_id == app.recorder.max_notification_id()
    assert views.count("public_status", "case_no = %s", [result.case.case_no]) == 1
    assert views.count("inbox_tasks", "case_no = %s", [result.case.case_no]) == 1
    assert views.count("case_deadlines", "case_no = %s", [result.case.case_no]) == 1
    assert positions(views) == dict.fromkeys(INLINE, result.notification_id)
    assert app.write_path.views_behind(result.notification_id or 0, INLINE) == []
    # The views that may lag are left to the runner.
    assert read_position(views, "audit_trail") is None


@pytest.mark.parametrize("where", ["between the events and the rows", "half-way through the rows"])
def test_a_fault_between_the_events_and_the_rows_leaves_neither(
    app: LicensingApplication,
    views: ViewStore,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    case_no = file_gycp(app).case.case_no
    head, before, at_head = app.recorder.max_notification_id(), rows(views), positions(views)
    steps = views.fetchone("SELECT steps FROM public_status WHERE case_no = %s", [case_no])

    def fault(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the process dies here")

    if where == "between the events and the rows":
        monkeypatch.setattr(write_path, "_between_events_and_views", fault)
    else:  # the inbox's rows are written, the public status's are not
        real, calls = Upserts.flush, []

        def second_flush_fails(self: Upserts, *args: Any, **kwargs: Any) -> None:
            calls.append(self.table)
            if len(calls) > 1:
                fault()
            real(self, *args, **kwargs)

        monkeypatch.setattr(Upserts, "flush", second_flush_fails)
    with pytest.raises(RuntimeError, match="dies"):
        app.accept_application(scenarios.CLERK, case_no)
    with pytest.raises(RuntimeError, match="dies"):
        file_gycp(app)
    monkeypatch.undo()
    assert app.recorder.max_notification_id() == head  # no event…
    assert (rows(views), positions(views)) == (before, at_head)  # …and no row, no position
    assert steps == views.fetchone("SELECT steps FROM public_status WHERE case_no = %s", [case_no])
    # The cases the failed transactions advanced were forgotten: the next command is right.
    app.accept_application(scenarios.CLERK, case_no)
    file_gycp(app)
    assert views.fetchone("SELECT status FROM public_status WHERE case_no = %s", [case_no]) == {
        "status": "ACCEPTED"
    }
    assert_inline_views_equal_their_rebuild(app, views)


def test_inline_views_equal_their_rebuild_across_a_calendar_change(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    scenarios.build(app, clock)
    clock.set(at(2026, 11, 26))
    late = file_gycp(app).case.case_no
    app.accept_application(scenarios.CLERK, late)  # provisional: runs into 2027
    before = views.fetchone("SELECT decision_due FROM public_status WHERE case_no = %s", [late])
    year = YearSchedule(year=2027, holidays=frozenset({dt.date(2027, 1, 1), dt.date(2027, 2, 5)}))
    app.load_calendar_year(staff(Role.ADMIN, "000000"), year)
    after = views.fetchone("SELECT decision_due FROM public_status WHERE case_no = %s", [late])
    assert before != after  # the loaded year moved the deadline, in the loading transaction
    app.record_opinion(HANDLER, late, Opinion.AGREE, "同意")
    assert_inline_views_equal_their_rebuild(app, views)


def test_under_group_commit_every_command_of_a_group_is_in_the_views(
    app: LicensingApplication, clock: SettableClock, views: ViewStore
) -> None:
    cases = [file_gycp(app).case.case_no for _ in range(24)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(cases))

    def work(case_no: str) -> None:
        try:
            start.wait()
            app.accept_application(scenarios.CLERK, case_no)
            file_gycp(app)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    groups, commands = app.write_path.groups, app.write_path.commands
    threads = [threading.Thread(target=work, args=(n,)) for n in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    grouped = app.write_path.commands - commands, app.write_path.groups - groups
    assert grouped[0] >= 2 * len(cases)
    if not views.is_sqlite:  # SQLite's writers queue on its file lock as much as on ours
        assert grouped[1] < grouped[0], "some commands shared a transaction"
    assert views.count("public_status", "status = 'ACCEPTED'") >= len(cases)
    assert_inline_views_equal_their_rebuild(app, views)


def test_a_view_behind_is_left_to_its_worker_and_written_inline_again_once_caught_up(
    app: LicensingApplication, views: ViewStore
) -> None:
    """A writer with inline views off (an older process, say) leaves the views behind: the
    next writers do not skip its events, the worker catches up, and inline writing resumes."""
    views_off, app.write_path.views = app.write_path.views, None
    lagging = file_gycp(app)
    app.write_path.views = views_off
    assert positions(views) != dict.fromkeys(INLINE, lagging.notification_id)
    second = file_gycp(app)  # not caught up: left to the worker
    assert views.count("public_status", "case_no = %s", [second.case.case_no]) == 0
    assert app.write_path.views_behind(second.notification_id or 0, INLINE) == INLINE
    for name in INLINE:
        ProjectionWorker(app, views, PROJECTIONS[name]).catch_up()
    third = file_gycp(app)  # caught up: inline again
    assert app.write_path.views_behind(third.notification_id or 0, INLINE) == []
    assert views.count("public_status", "1 = 1") == 3
    assert_inline_views_equal_their_rebuild(app, views)


class RoundTrips:
    """Every PostgreSQL connection opened while installed traces its protocol messages
    (libpq's trace); a round trip is the client sending, then reading what came back."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import psycopg

        self.traces: list[Any] = []
        real = psycopg.Connection.connect.__func__  # type: ignore[attr-defined]

        def connect(cls: Any, *args: Any, **kwargs: Any) -> Any:
            import tempfile

            from psycopg import pq

            conn = real(cls, *args, **kwargs)
            trace = tempfile.TemporaryFile("w+")  # noqa: SIM115 — kept open for the test
            conn.pgconn.trace(trace.fileno())
            conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
            self.traces.append(trace)
            return conn

        monkeypatch.setattr(psycopg.Connection, "connect", classmethod(connect))

    def count(self) -> int:
        """Round trips since the last count."""
        total = 0
        for trace in self.traces:
            trace.flush()
            trace.seek(0)
            previous = None
            for line in trace:
                direction = line.split("\t", 1)[0]
                if direction == "B" and previous == "F":
                    total += 1
                if direction in ("F", "B"):
                    previous = direction
            trace.seek(0)
            trace.truncate()
        return total


@pytest.mark.postgres
def test_a_command_costs_a_budgeted_number_of_round_trips(
    postgres_url: str, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The budget in docs/write-path.md: a case command (the case from the aggregate cache,
    the calendar's version, one write transaction with its inline views) stays within 8
    round trips, the write transaction within 6; with the views written by workers instead,
    each of the four awaited views adds its own read and write transactions."""
    from xuke.bootstrap import build_application, migrate
    from xuke.settings import Settings

    settings = Settings(database_url=postgres_url, secret_key="t", demo=False)
    migrate(settings, clock=clock).close()
    trips = RoundTrips(monkeypatch)
    app = build_application(settings, clock=clock)
    try:
        measured = []
        for _ in range(3):
            case_no = file_gycp(app).case.case_no
            trips.count()
            app.accept_application(scenarios.CLERK, case_no)
            measured.append(trips.count())
        assert max(measured) <= 8, measured
        transactions: list[int] = []
        real = write_path.insert_with_views

        def counted(*args: Any, **kwargs: Any) -> Any:
            trips.count()
            try:
                return real(*args, **kwargs)
            finally:
                transactions.append(trips.count())

        monkeypatch.setattr("xuke.application.group_commit.insert_with_views", counted)
        app.record_opinion(HANDLER, case_no, Opinion.AGREE, "同意")
        assert transactions and max(transactions) <= 6, transactions
    finally:
        app.close()


def test_a_commit_whose_answer_is_lost_leaves_the_views_equal_their_rebuild(
    app: LicensingApplication, views: ViewStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database commits, the answer never arrives (the server stopped at that moment).
    On PostgreSQL eventsourcing tries the insert again and meets its own events: a command
    without a key is refused as a clash, a filing with one answers with its first result;
    the number the filing took is given back and the cases it advanced are forgotten. What
    was committed — events, rows and positions together — stands, and the next commands (a
    replay, a filing that meets the given-back number, the case's next step) leave the views
    equal to their rebuild."""
    case_no = file_gycp(app).case.case_no
    lost: list[bool] = []

    def answer_lost() -> None:
        if not lost:
            lost.append(True)
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(write_path, "_after_commit", answer_lost)
    # PostgreSQL: eventsourcing's retry meets the committed events (a clash); SQLite: no retry.
    heard = OperationalError if views.is_sqlite else Conflict
    with pytest.raises(heard):
        app.accept_application(scenarios.CLERK, case_no)
    lost.clear()
    if views.is_sqlite:  # the client hears of the failure, and retries its key
        with pytest.raises(OperationalError):
            file_gycp(app, idempotency_key="lost-answer")
    else:  # the clash is the key's own record: the filing answers with its first result
        assert file_gycp(app, idempotency_key="lost-answer").replayed
    monkeypatch.undo()
    assert lost == [True]
    replayed = file_gycp(app, idempotency_key="lost-answer")
    assert replayed.replayed
    other = file_gycp(app)  # the number given back is a case's: skipped, the next one taken
    assert other.case.case_no != replayed.case.case_no
    head = app.recorder.max_notification_id()
    assert positions(views) == dict.fromkeys(INLINE, head)
    status = views.fetchone("SELECT status FROM public_status WHERE case_no = %s", [case_no])
    assert status == {"status": "ACCEPTED"}  # committed, though its caller heard otherwise
    app.record_opinion(HANDLER, case_no, Opinion.AGREE, "同意")  # from the case as committed
    assert_inline_views_equal_their_rebuild(app, views)
