"""Loading many cases in two queries (snapshots, then events), for pages of tasks that each
show their case: the cost of a page does not grow with its size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from xuke.domain.case import LicenseCase
from xuke.domain.case_numbers import case_id_for
from xuke.projections.source import EventSource
from xuke.projections.store import ViewStore


class CaseLoader:
    def __init__(self, app: EventSource, store: ViewStore) -> None:
        self.app, self.store = app, store
        self.events_table = getattr(app.recorder, "events_table_name", "stored_events")
        snapshots = app.snapshots.recorder if app.snapshots else None
        self.snapshots_table = getattr(snapshots, "events_table_name", "stored_snapshots")

    def load(self, case_nos: Sequence[str]) -> list[LicenseCase | None]:
        ids = [case_id_for(no) for no in case_nos]
        if not ids:
            return []
        keys = [i.hex for i in ids]  # SQLite stores ids as hex; PostgreSQL takes either
        marks = ", ".join(["%s"] * len(keys))
        rows: dict[str, list[StoredEvent]] = defaultdict(list)
        latest: dict[str, StoredEvent] = {}
        with self.store.transaction(write=False) as tx:
            for row in tx.fetchall(
                f"SELECT * FROM {self.snapshots_table} WHERE originator_id IN ({marks})", keys
            ):
                snapshot = self._stored(row)
                key = UUID(str(snapshot.originator_id)).hex
                if (
                    key not in latest
                    or latest[key].originator_version < snapshot.originator_version
                ):
                    latest[key] = snapshot
            for row in tx.fetchall(
                f"SELECT * FROM {self.events_table} WHERE originator_id IN ({marks}) "
                "ORDER BY originator_id, originator_version",
                keys,
            ):
                event = self._stored(row)
                rows[UUID(str(event.originator_id)).hex].append(event)
        return [self._replay(latest.get(key), rows.get(key, [])) for key in keys]

    @staticmethod
    def _stored(row: dict[str, object]) -> StoredEvent:
        state = row["state"]
        return StoredEvent(
            originator_id=str(row["originator_id"]),
            originator_version=int(cast(int, row["originator_version"])),
            topic=str(row["topic"]),
            state=bytes(cast(bytes, state)),
        )

    def _replay(
        self, snapshot: StoredEvent | None, stored: list[StoredEvent]
    ) -> LicenseCase | None:
        case = None
        start = 0
        if snapshot is not None:
            case = self.app.mapper.to_domain_event(self._with_uuid(snapshot)).mutate(None)  # type: ignore[attr-defined]
            start = snapshot.originator_version
        for record in stored:
            if record.originator_version > start:
                case = self.app.mapper.to_domain_event(self._with_uuid(record)).mutate(case)  # type: ignore[attr-defined]
        return cast("LicenseCase | None", case)

    @staticmethod
    def _with_uuid(record: StoredEvent) -> StoredEvent:
        return StoredEvent(
            UUID(str(record.originator_id)), record.originator_version, record.topic, record.state
        )
