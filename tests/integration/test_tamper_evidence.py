"""The audit trail catches stored events changed, deleted or inserted by SQL behind the
application's back, and names the first bad position — on both engines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests import scenarios
from tests.support import project
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.projections.store import ViewStore
from xuke.supervision.audit import verify_audit_trail


def events_sql(app: LicensingApplication, views: ViewStore) -> tuple[str, str]:
    """The events table and the column holding the notification id."""
    return ("stored_events", "rowid") if views.is_sqlite else ("xuke_events", "notification_id")


@pytest.fixture
def audited(app: LicensingApplication, clock: SettableClock, views: ViewStore) -> int:
    scenarios.build(app, clock)
    project(app, views)
    assert verify_audit_trail(app.recorder, views).ok
    return app.recorder.max_notification_id() or 0


def tamper(views: ViewStore, sql: str, params: list[Any]) -> None:
    with views.transaction() as tx:
        assert tx.execute(sql, params) == 1


def test_an_altered_stored_event_is_caught(
    app: LicensingApplication, views: ViewStore, audited: int
) -> None:
    table, nid = events_sql(app, views)
    state = views.fetchone(f"SELECT state FROM {table} WHERE {nid} = %s", [7])["state"]  # type: ignore[index]
    tamper(
        views,
        f"UPDATE {table} SET state = %s WHERE {nid} = %s",
        [bytes(state) + b" ", 7],  # one byte more: still valid JSON
    )
    result = verify_audit_trail(app.recorder, views)
    assert not result.ok and result.first_bad_position == 7 and result.checked == 6


def test_a_deleted_stored_event_is_caught(
    app: LicensingApplication, views: ViewStore, audited: int
) -> None:
    table, nid = events_sql(app, views)
    tamper(views, f"DELETE FROM {table} WHERE {nid} = %s", [audited - 3])
    result = verify_audit_trail(app.recorder, views)
    assert not result.ok and result.first_bad_position == audited - 3


def test_an_inserted_stored_event_is_caught(
    app: LicensingApplication, views: ViewStore, audited: int
) -> None:
    table, nid = events_sql(app, views)
    forged: Callable[[str], str] = lambda columns: f"INSERT INTO {table} ({columns}) "  # noqa: E731
    row = views.fetchone(f"SELECT * FROM {table} WHERE {nid} = %s", [2])
    assert row is not None
    # Slipped in before the first event, under an aggregate version no one has used.
    values = ["00000000-0000-0000-0000-000000000001", 1, row["topic"], row["state"]]
    if views.is_sqlite:
        tamper(
            views,
            forged("rowid, originator_id, originator_version, topic, state")
            + "VALUES (0, %s, %s, %s, %s)",
            values,
        )
    else:
        tamper(
            views,
            forged("notification_id, originator_id, originator_version, topic, state")
            + "VALUES (0, %s, %s, %s, %s)",
            values,
        )
    result = verify_audit_trail(app.recorder, views)
    assert not result.ok and result.first_bad_position == 1 and "inserted" in (result.reason or "")


def test_an_altered_trail_row_is_caught(
    app: LicensingApplication, views: ViewStore, audited: int
) -> None:
    tamper(
        views,
        "UPDATE audit_trail SET actor_id = %s, hash = %s WHERE position = %s",
        ["someone", "0" * 64, 5],
    )
    result = verify_audit_trail(app.recorder, views)
    assert not result.ok and result.first_bad_position == 5
