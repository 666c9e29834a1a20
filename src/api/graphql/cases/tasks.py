"""Tasks beyond 签收 — ``releaseTask``, ``reassignTask`` (the stage's lead), ``delegateTasks``
and ``endDelegation`` (委托代办) — and ``applicantContact``: the applicant's full phone and
address for the case's own staff, each read recorded (``application/tasks.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from xuke.api.context import forbidden
from xuke.api.graphql.cases.inputs import text
from xuke.api.graphql.cases.payloads import CasePayload, case_payload
from xuke.api.graphql.common.commands import execute
from xuke.api.graphql.common.errors import UserError, top_level
from xuke.api.graphql.common.types import Info
from xuke.application.authorization import Forbidden
from xuke.domain.delegation import Delegations
from xuke.domain.errors import DomainError


@strawberry.type(description="委托代办: the delegator's claimed tasks show in the delegate's 待办.")
class Delegation:
    delegator: str
    delegate: str
    from_: dt.date = strawberry.field(name="from")
    until: dt.date
    reason: str
    ended_on: dt.date | None


@strawberry.type
class DelegationPayload:
    delegation: Delegation | None
    errors: list[UserError]


def _delegation(agg: Delegations, delegator: str) -> Delegation | None:
    for d in agg.delegations:
        if d.delegator == delegator:
            return Delegation(
                delegator=d.delegator, delegate=agg.delegate, from_=d.starts_on, until=d.ends_on,
                reason=d.reason, ended_on=d.ended_on,
            )  # fmt: skip
    return None


@strawberry.type(description="The applicant's contact details in full: for the case's own staff.")
class ApplicantContact:
    case_no: str
    name: str
    contact_phone: str
    address: str


@strawberry.type
class TaskMutations:
    @strawberry.mutation(
        description="退回签收: the assignee gives the claimed task back to its group."
    )
    async def release_task(
        self, info: Info, task_id: strawberry.ID, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info, lambda app, p: app.release_task(p, str(task_id), idempotency_key)
        )

    @strawberry.mutation(
        description="改派: the stage's lead (LEAD with the stage's role, at the authority working it) gives the task to another member."
    )
    async def reassign_task(
        self,
        info: Info,
        task_id: strawberry.ID,
        assignee: str,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        return await case_payload(
            info,
            lambda app, p: app.reassign_task(
                p, str(task_id), text(assignee, "assignee", 128), text(reason, "reason"),
                idempotency_key,
            ),
        )  # fmt: skip

    @strawberry.mutation(
        description="委托代办: from `from` to `until` (both included) `delegate`, of the caller's authority, works the tasks the caller holds."
    )
    async def delegate_tasks(
        self,
        info: Info,
        delegate: str,
        from_: Annotated[dt.date, strawberry.argument(name="from")],
        until: dt.date,
        reason: str,
        idempotency_key: str | None = None,
    ) -> DelegationPayload:
        ctx = info.context
        principal = ctx.require_principal()
        name, why = text(delegate, "delegate", 128), text(reason, "reason")
        result, errors = await execute(
            info,
            lambda: ctx.services.app.delegate_tasks(
                principal, name, from_, until, why, idempotency_key
            ),
        )
        found = _delegation(result.case, principal.user_id) if result else None
        return DelegationPayload(delegation=found, errors=errors)

    @strawberry.mutation(description="The delegator is back: the delegation ends today.")
    async def end_delegation(
        self, info: Info, delegate: str, idempotency_key: str | None = None
    ) -> DelegationPayload:
        ctx = info.context
        principal = ctx.require_principal()
        name = text(delegate, "delegate", 128)
        result, errors = await execute(
            info, lambda: ctx.services.app.end_delegation(principal, name, idempotency_key)
        )
        found = _delegation(result.case, principal.user_id) if result else None
        return DelegationPayload(delegation=found, errors=errors)


@strawberry.type
class ContactQueries:
    @strawberry.field(
        description="The applicant's full phone and address, for the staff of the case's own authority; every read is recorded (ContactDisclosed, in the audit trail). null for a case the caller may not see."
    )
    async def applicant_contact(
        self, info: Info, case_no: str, purpose: str
    ) -> ApplicantContact | None:
        ctx = info.context
        principal = ctx.require_principal()
        why = text(purpose, "purpose", 200)
        try:
            found = await ctx.run(ctx.services.app.applicant_contact, principal, case_no[:64], why)
        except Forbidden as e:
            raise forbidden(e.message) from None
        except DomainError as e:
            raise top_level(e) from None
        if found is None:
            return None
        return ApplicantContact(
            case_no=case_no, name=found.name, contact_phone=found.contact_phone,
            address=found.address,
        )  # fmt: skip
