"""The ADMIN's changes: a new item version, retiring an item, an organisation, a calendar
year. The caller's role is checked first (FORBIDDEN, recorded for supervision); a broken
rule is a typed error in the payload and nothing is stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import strawberry

from xuke.api.graphql.administration.queries import FIRST_YEAR, LAST_YEAR
from xuke.api.graphql.administration.types import (
    CalendarPayload,
    CalendarYear,
    LicenseItemInput,
    LicenseItemPayload,
    Organisation,
    OrganisationInput,
    OrganisationPayload,
)
from xuke.api.graphql.cases.inputs import text
from xuke.api.graphql.common.commands import execute
from xuke.api.graphql.common.types import Info, LicenseItem
from xuke.application import authorization as authz
from xuke.application.calendar_seed import schedule_for
from xuke.application.commands import CommandResult
from xuke.application.licensing import LicensingApplication
from xuke.application.principal import Principal
from xuke.domain.administration import LicenseItemRegistry, OrganisationRegistry
from xuke.domain.errors import ValidationFailed

Run = Callable[[LicensingApplication, Principal], CommandResult[Any]]


async def _run(info: Info, action: str, command: Run) -> tuple[Any, list[Any]]:
    """ADMIN first (whatever the input), then the command in the thread pool."""
    ctx = info.context
    principal, app = ctx.require_principal(), ctx.services.app

    def run() -> CommandResult[Any]:
        app.guard.authorize(lambda: authz.require_admin(principal, action))
        return command(app, principal)

    result, errors = await execute(info, run)
    return (result.case if result else None), errors


@strawberry.type
class AdministrationMutations:
    @strawberry.mutation(
        description="ADMIN: a new version of a licence item (or a new item). Cases filed from "
        "now on take it; cases filed before keep theirs."
    )
    async def define_license_item(
        self, info: Info, input: LicenseItemInput, idempotency_key: str | None = None
    ) -> LicenseItemPayload:
        text(input.legal_basis, "legalBasis")
        code = input.code.strip()
        registry, errors = await _run(
            info,
            "定义许可事项",
            lambda app, p: app.administration.define_item(p, input.draft(), idempotency_key),
        )
        return LicenseItemPayload(item=_item(registry, code), errors=errors)

    @strawberry.mutation(
        description="ADMIN: no new filing (nor renewal) of the item; its cases and licences go on."
    )
    async def retire_license_item(
        self, info: Info, code: str, idempotency_key: str | None = None
    ) -> LicenseItemPayload:
        registry, errors = await _run(
            info,
            "停用许可事项",
            lambda app, p: app.administration.retire_item(p, code.strip(), idempotency_key),
        )
        return LicenseItemPayload(item=_item(registry, code.strip()), errors=errors)

    @strawberry.mutation(
        description="ADMIN: add an organisation or change one (name, parent, active); routing "
        "follows the tree at once."
    )
    async def define_organisation(
        self, info: Info, input: OrganisationInput, idempotency_key: str | None = None
    ) -> OrganisationPayload:
        registry, errors = await _run(
            info,
            "定义机构",
            lambda app, p: app.administration.define_organisation(
                p, input.draft(), idempotency_key
            ),
        )
        org = None
        if isinstance(registry, OrganisationRegistry):
            found = registry.organisations.get(input.code.strip())
            org = Organisation.of(found) if found else None
        return OrganisationPayload(organisation=org, errors=errors)

    @strawberry.mutation(
        description="ADMIN: a year's State Council schedule, as `xuke calendar load` does; "
        "every open deadline is recomputed."
    )
    async def load_calendar_year(
        self,
        info: Info,
        year: int,
        holidays: list[dt.date],
        workdays: list[dt.date],
        source: str,
        idempotency_key: str | None = None,
    ) -> CalendarPayload:
        text(source, "source")

        def command(app: LicensingApplication, p: Principal) -> CommandResult[Any]:
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise ValidationFailed(f"年份须在 {FIRST_YEAR} 到 {LAST_YEAR} 之间", "year")
            if not source.strip():
                raise ValidationFailed("须注明节假日安排的来源（通知名称）", "source")
            schedule = schedule_for(year, frozenset(holidays), frozenset(workdays), source.strip())
            return app.administration.load_calendar_year(p, schedule, idempotency_key)

        calendar, errors = await _run(info, "加载节假日安排", command)
        found = calendar.schedules.get(year) if calendar is not None else None
        return CalendarPayload(calendar=CalendarYear.of(found) if found else None, errors=errors)


def _item(registry: Any, code: str) -> LicenseItem | None:
    if not isinstance(registry, LicenseItemRegistry):
        return None
    item = registry.current(code)
    return LicenseItem.of(item) if item else None
