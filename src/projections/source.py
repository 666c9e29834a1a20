"""The event store as the read side sees it.

Projections read the log, decode events and load aggregates; they never issue a command. So
they depend on this protocol, not on the write application: a projection worker imports no
group commit, idempotency or authorization, and dependencies point inward (projections know
``xuke.domain`` and themselves). ``LicensingApplication`` satisfies it as it stands; the
composition root (``bootstrap``, ``cli``) passes one in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol
from uuid import UUID

if TYPE_CHECKING:
    from eventsourcing.application import Repository
    from eventsourcing.persistence import ApplicationRecorder, EventStore, Mapper

    from xuke.domain.calendar import WorkingCalendar
    from xuke.domain.deadlines import LightThresholds


class EventSource(Protocol):
    """What the runner, the rebuild and the case loader call on the application."""

    @property
    def recorder(self) -> ApplicationRecorder:
        """The notification log, read a page at a time."""

    @property
    def mapper(self) -> Mapper[UUID]:
        """Stored events to domain events and back."""

    @property
    def repository(self) -> Repository[UUID]:
        """A case at the version before an event, when it is not cached."""

    @property
    def snapshots(self) -> EventStore[UUID] | None:
        """Where the case loader finds snapshots' table (None: snapshotting off)."""

    @property
    def thresholds(self) -> LightThresholds:
        """When a deadline turns yellow or red."""

    def working_calendar(self) -> WorkingCalendar:
        """The calendar in force, counting any year loaded since the last call."""

    def discard_broken(self) -> None:
        """After an outage: replace pooled connections the server dropped."""

    def close(self) -> None:
        """Release the store's connections (a rebuild share's own source)."""
