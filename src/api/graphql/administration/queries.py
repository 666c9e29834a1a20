"""The organisation tree and a calendar year, as public as the documents that name them."""

from __future__ import annotations

import strawberry

from xuke.api.graphql.administration.types import CalendarYear, Organisation
from xuke.api.graphql.common.errors import bad_input
from xuke.api.graphql.common.types import Info

FIRST_YEAR, LAST_YEAR = 2000, 2100


@strawberry.type
class AdministrationQueries:
    @strawberry.field(description="The organisation tree in force, inactive units included.")
    async def organisations(self, info: Info) -> list[Organisation]:
        app = info.context.services.app
        tree = await info.context.run(app.current_organisations)
        return [Organisation.of(o) for o in tree.organisations]

    @strawberry.field(
        description="A year's working-day calendar in force: the loaded schedule, or the estimate."
    )
    async def calendar_year(self, info: Info, year: int) -> CalendarYear:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise bad_input(f"年份须在 {FIRST_YEAR} 到 {LAST_YEAR} 之间")
        calendar = await info.context.run(info.context.services.app.working_calendar)
        return CalendarYear.in_force(calendar, year)
