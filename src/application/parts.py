"""What the licensing application's parts share (filing, case commands, reads), declared
once so each part reads and type-checks on its own; ``LicensingApplication`` provides it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xuke.domain.calendar import WorkingCalendar
from xuke.domain.case import LicenseCase
from xuke.domain.case.decision import Certificate
from xuke.domain.case_records import CommandContext
from xuke.domain.catalogue import Catalogue
from xuke.domain.deadlines import AuthorityLimits, LightThresholds
from xuke.domain.licence import Licence
from xuke.domain.model import Aggregate
from xuke.domain.organisations import OrganisationTree

from .blobs import BlobStore
from .calendars import CalendarAccess
from .clock import Clock
from .commands import CommandRunner, Guard
from .histories import CaseHistories
from .query_codes import QueryCodes


class ApplicationParts:
    clock: Clock
    repository: Any
    events: Any  # the event store (eventsourcing's), for a look at newer events
    thresholds: LightThresholds
    limits: AuthorityLimits
    histories: CaseHistories
    guard: Guard
    runner: CommandRunner
    calendars: CalendarAccess
    query_codes: QueryCodes
    blobs: BlobStore  # materials and documents as files (blobs.py)

    @property
    def catalogue(self) -> Catalogue:
        raise NotImplementedError  # LicensingApplication (from the catalogue's events)

    @property
    def organisations(self) -> OrganisationTree:
        raise NotImplementedError  # LicensingApplication (from the tree's events)

    def current_catalogue(self) -> Catalogue:
        raise NotImplementedError  # LicensingApplication: newer events count at once

    def current_organisations(self) -> OrganisationTree:
        raise NotImplementedError  # LicensingApplication

    def get_case(self, case_no: str, version: int | None = None) -> LicenseCase:
        raise NotImplementedError  # CaseReads

    def working_calendar(self) -> WorkingCalendar:
        raise NotImplementedError  # LicensingApplication

    def get_licence(self, certificate_no: str) -> Licence:
        raise NotImplementedError  # LicenceCommands

    def _attach(self, case: LicenseCase, ctx: CommandContext, files: Sequence[Any]) -> None:
        raise NotImplementedError  # AttachmentCommands

    def _licence_follows(self, case: LicenseCase, ctx: CommandContext) -> Sequence[Aggregate]:
        raise NotImplementedError  # LicenceCommands

    def _certificate_for(
        self, case: LicenseCase, ctx: CommandContext
    ) -> tuple[Licence | None, Certificate | None]:
        raise NotImplementedError  # LicenceCommands
