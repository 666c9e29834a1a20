"""Reading cases: as they stand, as they stood (auditors' replay), their histories and their
deadlines. Histories and past states are kept decoded (``CaseHistories``): neither can change."""

from __future__ import annotations

import datetime as dt

from eventsourcing.application import AggregateNotFoundError

from xuke.domain.calendar import DueDate, WorkingCalendar
from xuke.domain.case import LicenseCase
from xuke.domain.case_numbers import case_id_for
from xuke.domain.deadlines import Deadlines, compute_deadlines
from xuke.domain.errors import NotFound, ValidationFailed
from xuke.domain.explanations import Explanation, explain_deadlines
from xuke.domain.model import DomainEvent, local_date
from xuke.domain.roles import OVERSIGHT_ROLES

from . import authorization as authz
from .parts import ApplicationParts
from .principal import Principal


class CaseReads(ApplicationParts):
    def get_case(self, case_no: str, version: int | None = None) -> LicenseCase:
        try:
            case: LicenseCase = self.repository.get(case_id_for(case_no), version=version)
        except AggregateNotFoundError:
            raise NotFound(f"案件 {case_no} 不存在") from None
        return case

    def case_for(self, principal: Principal, case_no: str) -> LicenseCase | None:
        """The case, or None when it is absent or not visible to the caller."""
        try:
            case = self.get_case(case_no)
        except NotFound:
            return None
        return case if authz.can_view(principal, case) else None

    def case_as_of(self, principal: Principal, case_no: str, version: int | None) -> LicenseCase:
        """Auditors' replay: the case exactly as it stood after ``version``."""
        return self.case_history(principal, case_no, version)[0]

    def case_history(
        self, principal: Principal, case_no: str, version: int | None
    ) -> tuple[LicenseCase, list[DomainEvent]]:
        """The case as it stood after ``version`` and the events that made it so, from one
        look at the store: histories and past states are kept decoded (``CaseHistories``),
        since neither can ever change."""
        if not principal.roles & OVERSIGHT_ROLES:
            raise authz.Forbidden(
                "回溯案件历史需要 AUDITOR、SUPERVISOR 或 ADMIN 角色", principal, "回溯"
            )
        case_id = case_id_for(case_no)
        events = self.histories.events(case_id)
        if not events:
            raise NotFound(f"案件 {case_no} 不存在")
        case = self.histories.state(case_id, len(events))
        if not principal.covers(case.jurisdiction_code):
            self.guard.deny(authz.Forbidden("案件不在您的辖区内", principal, "回溯", case_no))
        if version is not None:
            if not 1 <= version <= case.version:
                raise ValidationFailed(f"版本必须在 1 到 {case.version} 之间", "asOfVersion")
            case = self.histories.state(case_id, version)
        return case, [e for e in events[: case.version] if isinstance(e, DomainEvent)]

    def history(self, case: LicenseCase, up_to: int | None = None) -> list[DomainEvent]:
        events = self.histories.events(case.id)[:up_to]
        return [e for e in events if isinstance(e, DomainEvent)]

    def deadlines(
        self,
        case: LicenseCase,
        today: dt.date | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> Deadlines:
        today = today or local_date(self.clock.now())
        return compute_deadlines(
            case.clock(), calendar or self.working_calendar(), today, self.thresholds
        )

    def explain_deadlines(
        self,
        case: LicenseCase,
        today: dt.date | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> list[Explanation]:
        """Every limit of the case, day by day, counted by the functions that give its dates."""
        today = today or local_date(self.clock.now())
        return explain_deadlines(case.clock(), calendar or self.working_calendar(), today)

    def add_working_days(self, start: dt.date, days: int) -> DueDate:
        if not 0 <= days <= 3650:
            raise ValidationFailed("天数必须在 0 到 3650 之间", "days")
        return self.working_calendar().add_working_days(start, days)
