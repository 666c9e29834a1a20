"""Tamper evidence: recompute the audit trail's hash chain *and* compare it with the event
store, so that an altered, deleted or inserted stored event is caught — and say where."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from eventsourcing.persistence import ApplicationRecorder, Notification

from xuke.projections.audit import GENESIS, chain
from xuke.projections.store import Row, ViewStore
from xuke.projections.tracking import read_position

PAGE = 2000
EARLIEST = -(2**62)


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    checked: int
    first_bad_position: int | None = None
    reason: str | None = None


def _audit_rows(store: ViewStore) -> Iterator[Row]:
    after = 0
    while rows := store.fetchall(
        "SELECT * FROM audit_trail WHERE position > %s ORDER BY position LIMIT %s", [after, PAGE]
    ):
        yield from rows
        after = int(rows[-1]["position"])


def _stored_events(recorder: ApplicationRecorder, up_to: int) -> Iterator[Notification]:
    start = EARLIEST  # a row slipped in *before* the first event is an insertion too
    while notifications := recorder.select_notifications(
        start=start, limit=PAGE, stop=up_to, inclusive_of_start=False
    ):
        yield from notifications
        start = notifications[-1].id


def verify_audit_trail(recorder: ApplicationRecorder, store: ViewStore) -> AuditVerification:
    """Walk the trail and the store side by side up to the trail's tracked position: each
    row must chain from the one before and match, byte for byte, the next stored event."""
    tracked = read_position(store, "audit_trail") or 0
    stored = _stored_events(recorder, tracked)
    previous, checked = GENESIS, 0
    for row in _audit_rows(store):
        position = int(row["position"])
        notification = next(stored, None)
        if notification is None or notification.id > row["notification_id"]:
            return AuditVerification(False, checked, position, "stored event missing (deleted)")
        if notification.id < row["notification_id"]:
            return AuditVerification(
                False,
                checked,
                position,
                f"stored event {notification.id} not in the trail (inserted)",
            )
        expected = chain(
            previous,
            notification.originator_id,
            notification.originator_version,
            notification.topic,
            notification.state,
        )
        if row["previous_hash"] != previous or row["hash"] != expected:
            return AuditVerification(
                False, checked, position, "hash mismatch (stored event or trail altered)"
            )
        previous, checked = row["hash"], checked + 1
    extra = next(stored, None)
    if extra is not None:
        return AuditVerification(
            False, checked, checked + 1, f"stored event {extra.id} not in the trail (inserted)"
        )
    return AuditVerification(True, checked)
