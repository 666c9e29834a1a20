"""Cases: the ``Case`` type, the case queries, and one mutation per command of the contract."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, cast

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON
from strawberry.types import Info

from xuke.api.context import Context, forbidden
from xuke.api.graphql.deadlines import Deadlines
from xuke.api.graphql.types import (
    CaseStatus,
    ErrorCode,
    LicenseItem,
    Opinion,
    Principal,
    Role,
    ServiceMethod,
    Stage,
    SuspensionReason,
    TerminationGround,
    UserError,
)
from xuke.application.authorization import Forbidden, Unauthenticated
from xuke.application.licensing import CommandResult, LicensingApplication
from xuke.application.principal import Principal as DomainPrincipal
from xuke.application.summaries import summarize
from xuke.domain.case import LicenseCase
from xuke.domain.errors import DomainError
from xuke.domain.model import DomainEvent, local_date
from xuke.domain.roles import OVERSIGHT_ROLES

MAX_TEXT = 2000  # a comment, a reason, a note


@strawberry.type
class Applicant:
    kind: str
    name: str
    credit_code: str | None
    id_number_masked: str | None
    contact_phone_masked: str | None


@strawberry.type
class CaseEvent:
    version: int
    type: str
    occurred_at: dt.datetime
    actor_id: str
    actor_role: Role | None
    event: strawberry.Private[DomainEvent]
    full: strawberry.Private[bool]  # the caller may see the event's data

    @strawberry.field
    def summary(self) -> str:
        return summarize(self.event)

    @strawberry.field
    def data(self) -> JSON | None:
        if not self.full:
            return None
        return cast(JSON, self.event.model_dump(mode="json", exclude={"originator_id"}))

    @classmethod
    def of(cls, event: DomainEvent, principal: DomainPrincipal | None) -> CaseEvent:
        """Summary and data are made only if asked for: a history of 50 events is mostly
        asked for its versions, types and times."""
        return cls(
            version=event.originator_version,
            type=type(event).__name__,
            occurred_at=event.timestamp,
            actor_id=event.actor.id,
            actor_role=event.actor.role,
            event=event,
            full=principal is not None and bool(principal.roles & OVERSIGHT_ROLES),
        )


@strawberry.type(
    description="An opinion carried forward to later stages, with the fields this stage's department added (seed: no re-entry, own fields per stage)."
)
class StageOpinion:
    stage: Stage
    opinion: Opinion
    comment: str
    fields: JSON | None
    actor_id: str
    at: dt.datetime


@strawberry.type
class Case:
    id: strawberry.ID
    case_no: str
    item: LicenseItem
    applicant: Applicant
    jurisdiction_code: str
    status: CaseStatus
    stage: Stage
    version: int
    received_on: dt.date
    accepted_on: dt.date | None
    decided_on: dt.date | None
    decision: str | None
    certificate_no: str | None
    opinions: list[StageOpinion]
    aggregate: strawberry.Private[LicenseCase]

    @strawberry.field
    async def deadlines(self, info: Info[Context, None]) -> Deadlines:
        """Counted only when asked for: it needs the calendar in force."""
        ctx = info.context
        calendar = await ctx.run(lambda: ctx.calendar)
        return Deadlines.of(
            ctx.services.app.deadlines(self.aggregate, ctx.services.today(), calendar),
            self.aggregate.clock(),
        )

    @strawberry.field
    async def history(self, info: Info[Context, None]) -> list[CaseEvent]:
        ctx = info.context
        events = await ctx.run(ctx.services.app.history, self.aggregate, self.version)
        return [CaseEvent.of(e, ctx.principal) for e in events]

    @classmethod
    def of(cls, case: LicenseCase, ctx: Context) -> Case:
        services = ctx.services
        item = services.app.catalogue.get(case.item_code)
        applicant = case.applicant
        return cls(
            id=strawberry.ID(str(case.id)),
            case_no=case.case_no,
            item=LicenseItem.of(item),
            applicant=Applicant(
                kind=applicant.kind,
                name=applicant.public_name if _is_public_view(ctx) else applicant.name,
                credit_code=applicant.credit_code,
                id_number_masked=applicant.id_number_masked,
                contact_phone_masked=applicant.contact_phone_masked,
            ),
            jurisdiction_code=case.jurisdiction_code,
            status=case.status,
            stage=case.stage,
            version=case.version,
            received_on=local_date(case.received_at),
            accepted_on=case.accepted_on,
            decided_on=case.decided_on,
            decision=case.decision,
            certificate_no=case.certificate_no,
            opinions=[
                StageOpinion(
                    stage=o.stage,
                    opinion=o.opinion,
                    comment=o.comment,
                    fields=cast(JSON, o.fields),
                    actor_id=o.actor_id,
                    at=o.at,
                )
                for o in case.opinions
            ],
            aggregate=case,
        )


def _is_public_view(ctx: Context) -> bool:
    return ctx.principal is None


@strawberry.type(description="Replay for auditors: the case exactly as it stood after `version`.")
class CaseHistory:
    case_no: str
    as_of_version: int
    events: list[CaseEvent]
    case: strawberry.Private[LicenseCase]

    @strawberry.field
    def state(self, info: Info[Context, None]) -> Case:
        return Case.of(self.case, info.context)


@strawberry.type
class CasePayload:
    case: Case | None
    errors: list[UserError]


@strawberry.type
class FilePayload:
    case: Case | None
    query_code: str | None
    errors: list[UserError]


@strawberry.input
class ApplicantInput:
    kind: str
    name: str
    credit_code: str | None = None
    id_number: str | None = None
    contact_phone: str
    address: str


@strawberry.input
class FileApplicationInput:
    item_code: str
    applicant: ApplicantInput
    jurisdiction_code: str
    materials: list[str]
    form: JSON | None = None
    channel: str | None = "ONLINE"
    received_at: dt.datetime | None = None


# ---------------------------------------------------------------- queries


@strawberry.type
class CaseQueries:
    @strawberry.field
    def me(self, info: Info[Context, None]) -> Principal:
        return Principal.of(info.context.require_principal())

    @strawberry.field
    def license_items(self, info: Info[Context, None]) -> list[LicenseItem]:
        return [LicenseItem.of(i) for i in info.context.services.app.catalogue.items]

    @strawberry.field(name="case")
    async def case_(self, info: Info[Context, None], case_no: str) -> Case | None:
        """null when absent or not visible to the caller."""
        ctx = info.context
        principal = ctx.require_principal()
        case = await ctx.run(ctx.services.app.case_for, principal, case_no)
        return Case.of(case, ctx) if case else None

    @strawberry.field
    async def case_history(
        self, info: Info[Context, None], case_no: str, as_of_version: int | None = None
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
            raise GraphQLError(e.message, extensions={"code": e.code.value}) from None
        return CaseHistory(
            case_no=case.case_no, as_of_version=case.version, case=case,
            events=[CaseEvent.of(e, principal) for e in events],
        )  # fmt: skip

    @strawberry.field(description="The calendar in force: ``days`` working days after ``from``.")
    async def add_working_days(
        self,
        info: Info[Context, None],
        from_: Annotated[dt.date, strawberry.argument(name="from")],
        days: int,
    ) -> dt.date:
        ctx = info.context
        try:
            due = await ctx.run(ctx.services.app.add_working_days, from_, days)
        except DomainError as e:
            raise GraphQLError(e.message, extensions={"code": e.code.value}) from None
        return due.date


# ---------------------------------------------------------------- mutations


def _text(value: str, field: str) -> str:
    if len(value) > MAX_TEXT:
        raise GraphQLError(
            f"{field} is longer than {MAX_TEXT} characters", extensions={"code": "BAD_USER_INPUT"}
        )
    return value


async def execute(
    info: Info[Context, None],
    command: str,
    run: Callable[[LicensingApplication, DomainPrincipal], CommandResult],
) -> tuple[CommandResult | None, list[UserError]]:
    """Run a command for the caller: business failures come back as data, authorization
    failures as top-level errors; a success waits until the views show it."""
    ctx = info.context
    principal = ctx.require_principal()
    metrics = ctx.services.metrics.commands
    try:
        result = await ctx.run(run, ctx.services.app, principal)
    except DomainError as e:
        metrics.labels(command, e.code.value).inc()
        return None, [UserError.of(e)]
    except Forbidden as e:
        metrics.labels(command, "FORBIDDEN").inc()
        raise forbidden(e.message) from None
    except Unauthenticated as e:
        raise GraphQLError(str(e), extensions={"code": "UNAUTHENTICATED"}) from None
    metrics.labels(command, "OK").inc()
    await ctx.services.wait_for_views(result.notification_id)
    return result, []


async def case_payload(
    info: Info[Context, None],
    command: str,
    run: Callable[[LicensingApplication, DomainPrincipal], CommandResult],
) -> CasePayload:
    result, errors = await execute(info, command, run)
    return CasePayload(case=Case.of(result.case, info.context) if result else None, errors=errors)


@strawberry.type
class CaseMutations:
    @strawberry.mutation
    async def file_application(
        self,
        info: Info[Context, None],
        input: FileApplicationInput,
        idempotency_key: str | None = None,
    ) -> FilePayload:
        applicant = {
            "kind": input.applicant.kind, "name": _text(input.applicant.name, "name"),
            "credit_code": input.applicant.credit_code, "id_number": input.applicant.id_number,
            "contact_phone": input.applicant.contact_phone, "address": _text(input.applicant.address, "address"),
        }  # fmt: skip
        if input.form is not None and not isinstance(input.form, dict):
            return FilePayload(
                case=None, query_code=None, errors=[_invalid("form 必须是对象", "form")]
            )
        result, errors = await execute(
            info,
            "fileApplication",
            lambda app, p: app.file_application(
                p, item_code=input.item_code, applicant=applicant, jurisdiction_code=input.jurisdiction_code,
                materials=input.materials, form=cast(dict[str, Any] | None, input.form), channel=input.channel or "ONLINE",
                received_at=input.received_at, idempotency_key=idempotency_key,
            ),
        )  # fmt: skip
        if result is None:
            return FilePayload(case=None, query_code=None, errors=errors)
        return FilePayload(
            case=Case.of(result.case, info.context), query_code=result.query_code, errors=[]
        )

    @strawberry.mutation
    async def request_correction(
        self,
        info: Info[Context, None],
        case_no: str,
        missing_materials: list[str],
        note: str,
        idempotency_key: str | None = None,
        correction_working_days: Annotated[
            int | None,
            strawberry.argument(
                description="SAMR 15(4): the period for the corrections; default: the authority's"
            ),
        ] = None,
    ) -> CasePayload:
        return await case_payload(
            info, "requestCorrection",
            lambda app, p: app.request_correction(
                p, case_no, missing_materials, _text(note, "note"), idempotency_key, correction_working_days
            ),
        )  # fmt: skip

    @strawberry.mutation(
        description="SAMR 15(4): extend the correction period once, for good reason."
    )
    async def extend_correction_period(
        self,
        info: Info[Context, None],
        case_no: str,
        extra_working_days: int,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        return await case_payload(
            info, "extendCorrectionPeriod",
            lambda app, p: app.extend_correction_period(
                p, case_no, extra_working_days, _text(reason, "reason"), idempotency_key
            ),
        )  # fmt: skip

    @strawberry.mutation
    async def submit_correction(
        self,
        info: Info[Context, None],
        case_no: str,
        materials: list[str],
        idempotency_key: str | None = None,
    ) -> CasePayload:
        return await case_payload(
            info,
            "submitCorrection",
            lambda app, p: app.submit_correction(p, case_no, materials, idempotency_key),
        )

    @strawberry.mutation
    async def accept_application(
        self, info: Info[Context, None], case_no: str, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info,
            "acceptApplication",
            lambda app, p: app.accept_application(p, case_no, idempotency_key),
        )

    @strawberry.mutation
    async def reject_application(
        self,
        info: Info[Context, None],
        case_no: str,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        return await case_payload(
            info,
            "rejectApplication",
            lambda app, p: app.reject_application(
                p, case_no, _text(reason, "reason"), idempotency_key
            ),
        )

    @strawberry.mutation
    async def claim_task(
        self, info: Info[Context, None], task_id: strawberry.ID, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info, "claimTask", lambda app, p: app.claim_task(p, str(task_id), idempotency_key)
        )

    @strawberry.mutation
    async def record_opinion(
        self,
        info: Info[Context, None],
        case_no: str,
        opinion: Opinion,
        comment: str,
        fields: JSON | None = None,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        if fields is not None and not isinstance(fields, dict):
            return CasePayload(case=None, errors=[_invalid("fields 必须是对象", "fields")])
        return await case_payload(
            info, "recordOpinion",
            lambda app, p: app.record_opinion(p, case_no, opinion, _text(comment, "comment"), cast(dict[str, Any] | None, fields), idempotency_key),
        )  # fmt: skip

    @strawberry.mutation
    async def suspend_clock(
        self,
        info: Info[Context, None],
        case_no: str,
        reason: SuspensionReason,
        expected_working_days: int,
        note: str,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        return await case_payload(
            info, "suspendClock",
            lambda app, p: app.suspend_clock(p, case_no, reason, expected_working_days, _text(note, "note"), idempotency_key),
        )  # fmt: skip

    @strawberry.mutation
    async def resume_clock(
        self, info: Info[Context, None], case_no: str, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info, "resumeClock", lambda app, p: app.resume_clock(p, case_no, idempotency_key)
        )

    @strawberry.mutation
    async def extend_deadline(
        self,
        info: Info[Context, None],
        case_no: str,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        return await case_payload(
            info,
            "extendDeadline",
            lambda app, p: app.extend_deadline(
                p, case_no, _text(reason, "reason"), idempotency_key
            ),
        )

    @strawberry.mutation
    async def decide(
        self,
        info: Info[Context, None],
        case_no: str,
        grant: bool,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        return await case_payload(
            info,
            "decide",
            lambda app, p: app.decide(p, case_no, grant, _text(reason, "reason"), idempotency_key),
        )

    @strawberry.mutation
    async def issue_certificate(
        self, info: Info[Context, None], case_no: str, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info,
            "issueCertificate",
            lambda app, p: app.issue_certificate(p, case_no, idempotency_key),
        )

    @strawberry.mutation
    async def record_service(
        self,
        info: Info[Context, None],
        case_no: str,
        method: ServiceMethod,
        served_at: dt.datetime,
        idempotency_key: str | None = None,
        proof: Annotated[
            str | None, strawberry.argument(description="送达回证, return slip, notice reference …")
        ] = None,
        reason: Annotated[
            str | None,
            strawberry.argument(
                description="PUBLIC_NOTICE: why other methods failed; LEFT_AT_ADDRESS: the refusal"
            ),
        ] = None,
    ) -> CasePayload:
        return await case_payload(
            info, "recordService",
            lambda app, p: app.record_service(
                p, case_no, method, served_at, idempotency_key,
                _text(proof, "proof") if proof else None, _text(reason, "reason") if reason else None,
            ),
        )  # fmt: skip

    @strawberry.mutation
    async def withdraw_application(
        self,
        info: Info[Context, None],
        case_no: str,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        return await case_payload(
            info, "withdrawApplication",
            lambda app, p: app.withdraw_application(p, case_no, _text(reason, "reason"), idempotency_key),
        )  # fmt: skip

    @strawberry.mutation(
        description="终止 (SAMR 30): by the APPROVER, on a legal ground, with reasons."
    )
    async def terminate_case(
        self,
        info: Info[Context, None],
        case_no: str,
        ground: TerminationGround,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        return await case_payload(
            info, "terminateCase",
            lambda app, p: app.terminate_case(p, case_no, ground, _text(reason, "reason"), idempotency_key),
        )  # fmt: skip


def _invalid(message: str, field: str) -> UserError:
    return UserError(code=ErrorCode.VALIDATION, message=message, field=field)
