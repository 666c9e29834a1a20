"""The authority's acts on a licence (撤销 / 撤回 proceedings, 注销) and the holder's hearing
request: one mutation per command, each answering with the licence (``LicencePayload``)
through the shared ``execute`` — a broken rule as the payload's errors, a refusal at the top."""

from __future__ import annotations

from collections.abc import Callable

import strawberry

from xuke.api.graphql.cases.inputs import MAX_RECORD, text
from xuke.api.graphql.common.commands import execute
from xuke.api.graphql.common.types import CancellationGround, Info, ProceedingKind
from xuke.api.graphql.licences.types import Licence, LicencePayload
from xuke.application.licences import LicenceResult
from xuke.application.licensing import LicensingApplication
from xuke.application.principal import Principal as DomainPrincipal

Command = Callable[[LicensingApplication, DomainPrincipal], LicenceResult]


async def licence_payload(info: Info, run: Command) -> LicencePayload:
    """The caller must be logged in; the command runs against the licensing application."""
    ctx = info.context
    principal, app = ctx.require_principal(), ctx.services.app
    result, errors = await execute(info, lambda: run(app, principal))
    licence = Licence.of(result.case, ctx) if result else None
    return LicencePayload(licence=licence, errors=errors)


@strawberry.type
class LicenceMutations:
    @strawberry.mutation(
        description="撤销 / 撤回 begin with a notice (SAMR 36-47): an APPROVER of the granting "
        "authority or its superior."
    )
    async def open_proceedings(
        self,
        info: Info,
        certificate_no: str,
        kind: ProceedingKind,
        grounds: str,
        idempotency_key: str | None = None,
    ) -> LicencePayload:
        return await licence_payload(
            info,
            lambda app, p: app.open_proceedings(
                p, certificate_no, kind, text(grounds, "grounds"), idempotency_key
            ),
        )

    @strawberry.mutation(
        description="撤销 (Law 69), APPROVER; after the statement window (and hearing, if requested)."
    )
    async def revoke_licence(
        self, info: Info, certificate_no: str, reason: str, idempotency_key: str | None = None
    ) -> LicencePayload:
        return await licence_payload(
            info,
            lambda app, p: app.revoke_licence(
                p, certificate_no, text(reason, "reason"), idempotency_key
            ),
        )

    @strawberry.mutation(description="撤回 (Law 8), APPROVER; after the statement window.")
    async def withdraw_licence(
        self, info: Info, certificate_no: str, reason: str, idempotency_key: str | None = None
    ) -> LicencePayload:
        return await licence_payload(
            info,
            lambda app, p: app.withdraw_licence(
                p, certificate_no, text(reason, "reason"), idempotency_key
            ),
        )

    @strawberry.mutation(description="注销 (Law 70), APPROVER: the ground must fit the status.")
    async def cancel_licence(
        self,
        info: Info,
        certificate_no: str,
        ground: CancellationGround,
        note: str,
        idempotency_key: str | None = None,
    ) -> LicencePayload:
        return await licence_payload(
            info,
            lambda app, p: app.cancel_licence(
                p, certificate_no, ground, text(note, "note"), idempotency_key
            ),
        )

    @strawberry.mutation(
        description="Law 47: the holder, within a revocation or withdrawal's statement window."
    )
    async def request_licence_hearing(
        self, info: Info, certificate_no: str, idempotency_key: str | None = None
    ) -> LicencePayload:
        return await licence_payload(
            info, lambda app, p: app.request_licence_hearing(p, certificate_no, idempotency_key)
        )

    @strawberry.mutation(
        description="Law 48: the proceedings' hearing held today, with its record (an addition to v2)."
    )
    async def record_licence_hearing(
        self, info: Info, certificate_no: str, record: str, idempotency_key: str | None = None
    ) -> LicencePayload:
        return await licence_payload(
            info,
            lambda app, p: app.record_licence_hearing(
                p, certificate_no, text(record, "record", MAX_RECORD), idempotency_key
            ),
        )

    @strawberry.mutation(description="SAMR 45: +20 working days, once (an addition to v2).")
    async def extend_proceedings(
        self, info: Info, certificate_no: str, reason: str, idempotency_key: str | None = None
    ) -> LicencePayload:
        return await licence_payload(
            info,
            lambda app, p: app.extend_proceedings(
                p, certificate_no, text(reason, "reason"), idempotency_key
            ),
        )

    @strawberry.mutation(
        description="不予撤销 / 撤回: the proceedings end, the licence stays (an addition to v2)."
    )
    async def discontinue_proceedings(
        self, info: Info, certificate_no: str, reason: str, idempotency_key: str | None = None
    ) -> LicencePayload:
        return await licence_payload(
            info,
            lambda app, p: app.discontinue_proceedings(
                p, certificate_no, text(reason, "reason"), idempotency_key
            ),
        )
