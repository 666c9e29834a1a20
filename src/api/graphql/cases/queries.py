"""The case queries, with the caller (``me``), the catalogue and the calendar that the case
screens ask for beside them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from xuke.api.context import forbidden
from xuke.api.graphql.cases.types import Case, CaseEvent, CaseHistory
from xuke.api.graphql.common.errors import top_level
from xuke.api.graphql.common.types import Info, LicenseItem, Principal
from xuke.application.authorization import Forbidden
from xuke.domain.errors import DomainError, ErrorCode


@strawberry.type
class CaseQueries:
    @strawberry.field
    def me(self, info: Info) -> Principal:
        return Principal.of(info.context.require_principal())

    @strawberry.field(description="The items in force (retired ones left out), latest versions.")
    async def license_items(self, info: Info) -> list[LicenseItem]:
        app = info.context.services.app
        catalogue = await info.context.run(app.current_catalogue)  # a look at the store
        return [LicenseItem.of(i) for i in catalogue.items]

    @strawberry.field(name="case")
    async def case_(self, info: Info, case_no: str) -> Case | None:
        """null when absent or not visible to the caller."""
        ctx = info.context
        principal = ctx.require_principal()
        case = await ctx.run(ctx.services.app.case_for, principal, case_no)
        return Case.of(case, ctx) if case else None

    @strawberry.field
    async def case_history(
        self, info: Info, case_no: str, as_of_version: int | None = None
    ) -> CaseHistory | None:
        """AUDITOR, SUPERVISOR, ADMIN: the case as it stood after ``asOfVersion``."""
        ctx = info.context
        principal = ctx.require_oversight("回溯案件历史")
        try:
            case, events = await ctx.run(
                ctx.services.app.case_history, principal, case_no, as_of_version
            )
        except Forbidden as e:
            raise forbidden(e.message) from None
        except DomainError as e:
            if e.code is ErrorCode.NOT_FOUND:
                return None
            raise top_level(e) from None
        return CaseHistory(
            case_no=case.case_no, as_of_version=case.version, case=case,
            events=[CaseEvent.of(e, principal) for e in events],
        )  # fmt: skip

    @strawberry.field(description="The calendar in force: ``days`` working days after ``from``.")
    async def add_working_days(
        self, info: Info, from_: Annotated[dt.date, strawberry.argument(name="from")], days: int
    ) -> dt.date:
        ctx = info.context
        try:
            due = await ctx.run(ctx.services.app.add_working_days, from_, days)
        except DomainError as e:
            raise top_level(e) from None
        return due.date
