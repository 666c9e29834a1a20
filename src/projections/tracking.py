"""A projection's position in the event log, kept in ``projection_tracking`` and moved in the
same transaction as the page it covers: exactly once, and a second runner of the same view
fails instead of counting an event twice.
"""

from __future__ import annotations

import datetime as dt

from eventsourcing.persistence import Tracking, TrackingRecorder

from xuke.projections.store import Transaction, ViewStore
from xuke.projections.writes import iso


class ViewTracking(TrackingRecorder):
    """eventsourcing's tracking interface over our ``projection_tracking`` table."""

    def __init__(self, store: ViewStore, projection: str) -> None:
        self.store, self.projection = store, projection

    def insert_tracking(self, tracking: Tracking) -> None:
        expected = self.max_tracking_id(tracking.application_name)
        with self.store.transaction() as tx:
            write_position(tx, self.projection, tracking.notification_id, expected)

    def max_tracking_id(self, application_name: str) -> int | None:
        return read_position(self.store, self.projection)

    def has_tracking_id(self, application_name: str, notification_id: int | None) -> bool:
        if notification_id is None:
            return True
        return (self.max_tracking_id(application_name) or 0) >= notification_id


def read_position(store: ViewStore, projection: str) -> int | None:
    row = store.fetchone(
        "SELECT position FROM projection_tracking WHERE projection = %s", [projection]
    )
    return int(row["position"]) if row else None


class TrackingConflict(Exception):
    """Another runner of the same projection moved its position: this one must stop."""


def claim_position(tx: Transaction, projection: str, expected: int | None) -> None:
    """Lock the projection's position for this page and check nobody else moved it."""
    row = tx.fetchone(
        f"SELECT position FROM projection_tracking WHERE projection = %s{tx.for_update}",
        [projection],
    )
    found = int(row["position"]) if row else None
    if found != expected:
        raise TrackingConflict(
            f"projection {projection} is at {found}, not {expected}: another runner moved it"
        )


def write_position(
    tx: Transaction, projection: str, position: int, expected: int | None = None
) -> None:
    """Move the position from ``expected`` to ``position``, in the page's transaction, and
    announce it on commit. A second runner of the same projection finds the position moved
    and fails here, so no event is ever counted twice."""
    now = iso(dt.datetime.now(dt.UTC))
    if expected is None:
        changed = tx.execute(
            "INSERT INTO projection_tracking (projection, position, updated_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (projection) DO NOTHING",
            [projection, position, now],
        )
    else:
        changed = tx.execute(
            "UPDATE projection_tracking SET position = %s, updated_at = %s WHERE projection = %s AND position = %s",
            [position, now, projection, expected],
        )
    if changed != 1:
        raise TrackingConflict(f"projection {projection} was moved by another runner")
    tx.announce(f"{projection}:{position}")  # read-your-writes waiters (visibility.py)
