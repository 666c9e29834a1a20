"""The licensing application: the event store, and the one object the API and the workers
hold. Its parts live in rooms of their own:

- ``filing.py`` — 在线申报 / 窗口收件, numbered by the competent authority;
- ``case_commands.py`` — every command after filing (one method per mutation);
- ``hearings.py`` — the hearing commands (Law 46-48), on top of ``case_commands``;
- ``attachments.py`` — materials as files (``addAttachments``), kept in ``blobs.py``;
- ``tasks.py`` — release, reassignment and delegation of tasks; applicants' contact details
  for the case's own staff, each read recorded;
- ``case_reads.py`` — cases as they stand and as they stood, histories, deadlines;
- ``licences.py`` — licences after grant: proceedings, cancellation, deemed renewal, expiry,
  and what a holder's case does to its licence;
- ``commands.py`` — the machinery shared with ``supervision.py``: authorization, idempotency,
  optimistic concurrency, one atomic save;
- ``calendars.py`` — the working-day calendar in force; ``query_codes.py`` — 查询码.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import EventStore
from eventsourcing.utils import get_topic

from xuke.domain.administration import LicenseItemRegistry, OrganisationRegistry
from xuke.domain.calendar import HolidayCalendar, WorkingCalendar, YearSchedule
from xuke.domain.case import LicenseCase
from xuke.domain.case_numbers import CaseNumberSequence
from xuke.domain.catalogue import Catalogue
from xuke.domain.deadlines import AuthorityLimits, LightThresholds
from xuke.domain.licence import Licence
from xuke.domain.model import AggregateSnapshot, DomainEvent
from xuke.domain.organisations import OrganisationTree

from . import authorization as authz
from .administration import Administration
from .attachments import AttachmentCommands
from .blobs import BlobStore, MemoryBlobStore
from .calendars import CalendarAccess
from .case_commands import CaseCommands
from .case_number_blocks import NumberBlocks
from .case_reads import CaseReads
from .clock import Clock, SystemClock
from .commands import CommandResult, CommandRunner, Guard
from .filing import Filing
from .group_commit import GroupCommitRecorder, WritePathEventStore
from .hearings import HearingCommands
from .histories import CaseHistories
from .licences import LicenceCommands
from .persistence import OrjsonTranscoder, PydanticMapper
from .principal import Principal
from .query_codes import QueryCodes
from .tasks import TaskCommands

__all__ = ["CommandResult", "LicensingApplication"]

log = logging.getLogger("xuke.application")


class LicensingApplication(
    Filing,
    HearingCommands,
    TaskCommands,
    AttachmentCommands,
    CaseCommands,
    CaseReads,
    LicenceCommands,
    Application[UUID],
):
    name = "xuke"
    env: ClassVar[dict[str, str]] = {
        "MAPPER_TOPIC": get_topic(PydanticMapper),
        "TRANSCODER_TOPIC": get_topic(OrjsonTranscoder),
    }
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        LicenseCase: 10,
        CaseNumberSequence: 50,
        HolidayCalendar: 5,
        Licence: 10,
        LicenseItemRegistry: 20,
        OrganisationRegistry: 20,
    }
    snapshot_class = AggregateSnapshot

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Clock | None = None,
        secret: bytes = b"xuke-development-secret",
        thresholds: LightThresholds | None = None,
        on_forbidden: Callable[[authz.Forbidden], None] | None = None,
        group_commit: bool = True,
        limits: AuthorityLimits | None = None,
        blobs: BlobStore | None = None,
    ) -> None:
        """``blobs``: where files are kept (the composition root chooses; else in memory)."""
        super().__init__(env)
        # Concurrent commands share transactions, and inline views (set by the composition
        # root) are written in them (application/group_commit.py, docs/write-path.md).
        self.write_path = GroupCommitRecorder(self.recorder, grouping=group_commit)
        self.events.recorder = self.write_path
        self.clock = clock or SystemClock()
        self.blobs = blobs or MemoryBlobStore(self.clock)
        self.thresholds = thresholds or LightThresholds()
        self.limits = limits or AuthorityLimits()
        # The catalogue and the organisation tree, from their events (administration.py).
        self.administration = Administration(self)
        self.guard = Guard(on_forbidden or _log_forbidden)
        self.runner = CommandRunner(self)
        self.calendars = CalendarAccess(self)
        self.query_codes = QueryCodes(secret)
        self.histories = CaseHistories(self.events, self.repository)
        self.case_numbers = NumberBlocks(self)  # blocks of case numbers (case_number_blocks.py)

    def construct_event_store(self) -> EventStore[UUID]:
        """The event store that hands the write path the domain events with their records."""
        return WritePathEventStore(mapper=self.mapper, recorder=self.recorder)

    def close(self) -> None:
        super().close()
        self.blobs.close()

    def discard_broken(self) -> None:
        """After an outage: test the store's pooled connections once and replace those the
        server dropped, instead of pinging before every use."""
        pool = getattr(getattr(self.recorder, "datastore", None), "pool", None)
        if pool is not None:
            pool.check()

    @property
    def on_forbidden(self) -> Callable[[authz.Forbidden], None]:
        """Where every refusal is reported (the composition root points it at the views)."""
        return self.guard.on_forbidden

    @on_forbidden.setter
    def on_forbidden(self, report: Callable[[authz.Forbidden], None]) -> None:
        self.guard.on_forbidden = report

    # ------------------------------------------------------------------ administration

    @property
    def catalogue(self) -> Catalogue:
        """The catalogue in force, for display (checked for newer events once a second)."""
        return self.administration.catalogue(fresh=False)

    @property
    def organisations(self) -> OrganisationTree:
        """The organisation tree in force, for display (checked once a second)."""
        return self.administration.organisations(fresh=False)

    def current_catalogue(self) -> Catalogue:
        """For a command: newer events stored by any process count at once."""
        return self.administration.catalogue()

    def current_organisations(self) -> OrganisationTree:
        return self.administration.organisations()

    def seed_administration(self) -> list[str]:
        """``xuke migrate``: the packaged catalogue and tree as events, once."""
        return self.administration.seed()

    # ------------------------------------------------------------------ the calendar

    def seed_calendar(self) -> bool:
        return self.calendars.seed()

    def working_calendar(self) -> WorkingCalendar:
        """The calendar in force (a year loaded by another process counts at once)."""
        return self.calendars.working()

    def calendar_history(self) -> list[DomainEvent]:
        return self.calendars.history()

    def load_calendar_year(self, principal: Principal, schedule: YearSchedule) -> int:
        """An ADMIN loads a year's State Council schedule; returns the calendar's version."""
        role = self.guard.authorize(lambda: authz.require_admin(principal, "加载节假日安排"))
        return self.calendars.load_year(principal, role, schedule)

    # ------------------------------------------------------------------ 查询码

    def query_code(self, case_id: UUID) -> str:
        return self.query_codes.derive(case_id)

    def check_query_code(self, case: LicenseCase, code: str) -> bool:
        return self.query_codes.check(case.query_code_hash, code)

    @staticmethod
    def hash_query_code(code: str) -> str:
        return QueryCodes.hash(code)


def _log_forbidden(error: authz.Forbidden) -> None:
    log.warning(
        "forbidden",
        extra={
            "user": error.principal.user_id,
            "action": error.action,
            "case_no": error.case_no,
            "reason": error.message,
        },
    )
