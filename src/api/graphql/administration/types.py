"""The administration types and inputs, named and shaped as ``schema-v2.graphql``; the
inputs' additions (``legalTimeLimitSource``, ``OrganisationInput.active``) are optional."""

from __future__ import annotations

import datetime as dt

import strawberry

from xuke.api.graphql.common.errors import UserError
from xuke.api.graphql.common.types import LicenseItem
from xuke.domain.administration import ItemDraft, OrganisationDraft
from xuke.domain.calendar import WorkingCalendar, YearSchedule, estimated_days_off
from xuke.domain.catalogue import Material, parse_level
from xuke.domain.organisations import Organisation as DomainOrganisation


@strawberry.type
class Organisation:
    code: str
    name: str
    level: str
    parent_code: str | None
    division_code: str
    active: bool

    @classmethod
    def of(cls, org: DomainOrganisation) -> Organisation:
        return cls(
            code=org.code, name=org.name, level=org.level.value, parent_code=org.parent,
            division_code=org.division_code, active=org.active,
        )  # fmt: skip


@strawberry.type
class CalendarYear:
    year: int
    holidays: list[dt.date]
    workdays: list[dt.date]
    source: str
    official: bool = strawberry.field(
        description="true: a loaded schedule (the State Council's notice); false: our estimate "
        "(fixed-date and lunar holidays; make-up working days are not guessed)"
    )

    @classmethod
    def of(cls, schedule: YearSchedule) -> CalendarYear:
        return cls(
            year=schedule.year, holidays=sorted(schedule.holidays),
            workdays=sorted(schedule.workdays), source=schedule.source, official=True,
        )  # fmt: skip

    @classmethod
    def in_force(cls, calendar: WorkingCalendar, year: int) -> CalendarYear:
        schedule = calendar.schedules.get(year)
        if schedule is not None:
            return cls.of(schedule)
        days = estimated_days_off(year)
        return cls(
            year=year, holidays=sorted(days), workdays=[],
            source="估算：尚未加载国务院办公厅的节假日安排", official=False,
        )  # fmt: skip


@strawberry.type
class LicenseItemPayload:
    item: LicenseItem | None
    errors: list[UserError]


@strawberry.type
class OrganisationPayload:
    organisation: Organisation | None
    errors: list[UserError]


@strawberry.type
class CalendarPayload:
    calendar: CalendarYear | None
    errors: list[UserError]


@strawberry.input
class MaterialInput:
    code: str
    name: str
    required: bool
    copies: int | None = 1
    original: bool | None = False
    note: str | None = None


@strawberry.input
class LicenseItemInput:
    code: str
    name: str
    legal_basis: str
    level: str = strawberry.field(
        description="which authority level decides: NATIONAL | PROVINCE | CITY | COUNTY "
        "(PROVINCIAL and MUNICIPAL are accepted too)"
    )
    legal_time_limit_days: int
    materials: list[MaterialInput]
    extension_days: int | None = None
    committed_time_limit_days: int | None = None
    certificate_validity_years: int | None = None
    preliminary_review: bool | None = False
    legal_time_limit_source: str | None = strawberry.field(
        default=None,
        description="the law or regulation that sets this item's limit, extension and validity "
        "when they are not Law 42's (a new item under its own law, or a change in the law); "
        "without it they must equal the law's in force (an addition to v2)",
    )

    def draft(self) -> ItemDraft:
        """The domain's statement of the version (a bad level is a VALIDATION error)."""
        return ItemDraft(
            code=self.code.strip(), name=self.name, legal_basis=self.legal_basis,
            level=parse_level(self.level), legal_time_limit_days=self.legal_time_limit_days,
            extension_days=self.extension_days,
            committed_time_limit_days=self.committed_time_limit_days,
            certificate_validity_years=self.certificate_validity_years,
            preliminary_review=bool(self.preliminary_review),
            materials=tuple(
                Material(
                    code=m.code.strip(), name=m.name.strip(), required=m.required,
                    copies=1 if m.copies is None else m.copies, original=bool(m.original),
                    note=m.note,
                )
                for m in self.materials
            ),
            legal_source=self.legal_time_limit_source,
        )  # fmt: skip


@strawberry.input
class OrganisationInput:
    code: str
    name: str
    level: str
    division_code: str
    parent_code: str | None = None
    active: bool | None = strawberry.field(
        default=True, description="false: no new filings are routed to it (an addition to v2)"
    )

    def draft(self) -> OrganisationDraft:
        return OrganisationDraft(
            code=self.code.strip(), name=self.name, level=parse_level(self.level),
            parent=self.parent_code.strip() if self.parent_code else None,
            division=self.division_code.strip(), active=self.active is not False,
        )  # fmt: skip
