"""The licensing application: the event store, and the one object the API and the workers
hold. Its parts live in rooms of their own:

- ``filing.py`` — 在线申报 / 窗口收件, numbered by the competent authority;
- ``case_commands.py`` — every command after filing (one method per mutation);
- ``hearings.py`` — the hearing commands (Law 46-48), on top of ``case_commands``;
- ``attachments.py`` — materials as files (``addAttachments``), kept in ``blobs.py``;
- ``case_reads.py`` — cases as they stand and as they stood, histories, deadlines;
- ``licences.py`` — licences after grant: proceedings, cancellation, deemed renewal, expiry,
  and what a holder's case does to its licence;
- ``commands.py`` — the machinery shared with ``supervision.py``: authorization, idempotency,
  optimistic concurrency, one atomic save;
- ``calendars.py`` — the working-day calendar in force; ``query_codes.py`` — 查询码.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.utils import get_topic

from xuke.domain.calendar import HolidayCalendar, WorkingCalendar, YearSchedule
from xuke.domain.case import LicenseCase
from xuke.domain.case_numbers import CaseNumberSequence
from xuke.domain.catalogue import Catalogue, default_catalogue
from xuke.domain.deadlines import AuthorityLimits, LightThresholds
from xuke.domain.licence import Licence
from xuke.domain.model import AggregateSnapshot, DomainEvent
from xuke.domain.organisations import OrganisationTree, default_organisations

from . import authorization as authz
from .attachments import AttachmentCommands
from .blobs import BlobStore, MemoryBlobStore
from .calendars import CalendarAccess
from .case_commands import CaseCommands
from .case_reads import CaseReads
from .clock import Clock, SystemClock
from .commands import CommandResult, CommandRunner, Guard
from .filing import Filing
from .group_commit import GroupCommitRecorder
from .hearings import HearingCommands
from .histories import CaseHistories
from .licences import LicenceCommands
from .persistence import OrjsonTranscoder, PydanticMapper
from .principal import Principal
from .query_codes import QueryCodes

__all__ = ["CommandResult", "LicensingApplication"]

log = logging.getLogger("xuke.application")


class LicensingApplication(
    Filing,
    HearingCommands,
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
    }
    snapshot_class = AggregateSnapshot

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Clock | None = None,
        secret: bytes = b"xuke-development-secret",
        thresholds: LightThresholds | None = None,
        catalogue: Catalogue | None = None,
        organisations: OrganisationTree | None = None,
        on_forbidden: Callable[[authz.Forbidden], None] | None = None,
        group_commit: bool = True,
        limits: AuthorityLimits | None = None,
        blobs: BlobStore | None = None,
    ) -> None:
        """``blobs``: where files are kept (the composition root chooses; else in memory)."""
        super().__init__(env)
        if group_commit:  # concurrent commands share transactions (application/group_commit.py)
            self.events.recorder = GroupCommitRecorder(self.recorder)
        self.clock = clock or SystemClock()
        self.blobs = blobs or MemoryBlobStore(self.clock)
        self.thresholds = thresholds or LightThresholds()
        self.limits = limits or AuthorityLimits()
        self.catalogue = catalogue or default_catalogue()
        self.organisations = organisations or default_organisations()
        self.guard = Guard(on_forbidden or _log_forbidden)
        self.runner = CommandRunner(self)
        self.calendars = CalendarAccess(self)
        self.query_codes = QueryCodes(secret)
        self.histories = CaseHistories(self.events, self.repository)
        self._numbering_locks: dict[str, threading.Lock] = {}  # by authority (filing.py)
        self._numbering_guard = threading.Lock()

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
