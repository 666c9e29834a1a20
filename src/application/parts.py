"""What the licensing application's parts share (filing, case commands, reads), declared
once so each part reads and type-checks on its own; ``LicensingApplication`` provides it."""

from __future__ import annotations

from typing import Any

from xuke.domain.calendar import WorkingCalendar
from xuke.domain.case import LicenseCase
from xuke.domain.catalogue import Catalogue
from xuke.domain.deadlines import AuthorityLimits, LightThresholds
from xuke.domain.organisations import OrganisationTree

from .calendars import CalendarAccess
from .clock import Clock
from .commands import CommandRunner, Guard
from .histories import CaseHistories
from .query_codes import QueryCodes


class ApplicationParts:
    clock: Clock
    repository: Any
    thresholds: LightThresholds
    limits: AuthorityLimits
    catalogue: Catalogue
    organisations: OrganisationTree
    histories: CaseHistories
    guard: Guard
    runner: CommandRunner
    calendars: CalendarAccess
    query_codes: QueryCodes

    def get_case(self, case_no: str, version: int | None = None) -> LicenseCase:
        raise NotImplementedError  # CaseReads

    def working_calendar(self) -> WorkingCalendar:
        raise NotImplementedError  # LicensingApplication
