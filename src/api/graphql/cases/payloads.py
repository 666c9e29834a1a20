"""What a case mutation answers: the case as the command left it (and, for a filing, the
query code), or the errors that stopped it. The command runs through the shared ``execute``,
for a logged-in caller, against the licensing application."""

from __future__ import annotations

from collections.abc import Callable

import strawberry

from xuke.api.graphql.cases.types import Case
from xuke.api.graphql.common.commands import execute
from xuke.api.graphql.common.errors import UserError
from xuke.api.graphql.common.types import Info
from xuke.application.licensing import CommandResult, LicensingApplication
from xuke.application.principal import Principal as DomainPrincipal


@strawberry.type
class CasePayload:
    case: Case | None
    errors: list[UserError]


@strawberry.type
class FilePayload:
    case: Case | None
    query_code: str | None
    errors: list[UserError]


Command = Callable[[LicensingApplication, DomainPrincipal], CommandResult]


async def _run(info: Info, run: Command) -> tuple[CommandResult | None, list[UserError]]:
    """The caller must be logged in; the command runs against the licensing application."""
    ctx = info.context
    principal, app = ctx.require_principal(), ctx.services.app
    return await execute(info, lambda: run(app, principal))


async def case_payload(info: Info, run: Command) -> CasePayload:
    result, errors = await _run(info, run)
    return CasePayload(case=Case.of(result.case, info.context) if result else None, errors=errors)


async def file_payload(info: Info, run: Command) -> FilePayload:
    """Filing answers with the query code too: shown this once, to the applicant."""
    result, errors = await _run(info, run)
    if result is None:
        return FilePayload(case=None, query_code=None, errors=errors)
    case = Case.of(result.case, info.context)
    return FilePayload(case=case, query_code=result.query_code, errors=[])
