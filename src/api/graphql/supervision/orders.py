"""Orders (督办): a SUPERVISOR orders the case's authority to act by a date; the unit answers
with a 整改 report, or the order is escalated."""

from __future__ import annotations

import datetime as dt

import strawberry

from xuke.api.graphql.common.errors import UserError
from xuke.api.graphql.common.paging import Connection
from xuke.api.graphql.common.rows import moment
from xuke.api.graphql.common.types import Info
from xuke.api.graphql.supervision.commands import Runner, acted, uuid_of
from xuke.api.graphql.supervision.scope import InJurisdiction
from xuke.projections.store import Row


@strawberry.type(
    description="督办: a supervisor's order to a unit, answered by a 整改 report or escalated."
)
class SupervisionOrder:
    id: strawberry.ID
    case_no: str
    unit: str
    instruction: str
    respond_by: dt.date
    status: str
    report: str | None
    escalated_to: str | None
    issued_by: str
    issued_at: dt.datetime
    answered_at: dt.datetime | None

    @classmethod
    def of(cls, r: Row) -> SupervisionOrder:
        return cls(
            id=strawberry.ID(r["order_id"]), case_no=r["case_no"], unit=r["unit"], instruction=r["instruction"],
            respond_by=dt.date.fromisoformat(r["respond_by"]), status=r["status"], report=r["report"],
            escalated_to=r["escalated_to"], issued_by=r["issued_by"], issued_at=dt.datetime.fromisoformat(r["issued_at"]),
            answered_at=moment(r["answered_at"]),
        )  # fmt: skip


SupervisionOrderConnection = Connection[SupervisionOrder]


@strawberry.type
class SupervisionOrderPayload:
    order: SupervisionOrder | None
    errors: list[UserError]


@strawberry.type
class OrderFields(InJurisdiction):
    @strawberry.field(description="督办 orders to units of this jurisdiction.")
    async def orders(
        self,
        info: Info,
        status: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> SupervisionOrderConnection:
        orders = SupervisionOrder.of
        return await self._listed(info, "supervision_orders", orders, first, after, status)


async def order_payload(info: Info, run: Runner) -> SupervisionOrderPayload:
    order, errors = await acted(info, run, "supervision_orders", SupervisionOrder.of)
    return SupervisionOrderPayload(order=order, errors=errors)


@strawberry.type
class OrderMutations:
    @strawberry.mutation(
        description="督办: a SUPERVISOR orders the case's authority to act by respondBy."
    )
    async def issue_supervision_order(
        self,
        info: Info,
        case_no: str,
        instruction: str,
        respond_by: dt.date,
        idempotency_key: str | None = None,
    ) -> SupervisionOrderPayload:
        return await order_payload(
            info,
            lambda commands, principal: commands.issue_order(
                principal, case_no, instruction[:2000], respond_by, idempotency_key
            ),
        )

    @strawberry.mutation(description="整改报告: the unit answers a supervision order.")
    async def answer_supervision_order(
        self, info: Info, order_id: strawberry.ID, report: str, idempotency_key: str | None = None
    ) -> SupervisionOrderPayload:
        order_uuid = uuid_of(order_id)
        return await order_payload(
            info,
            lambda commands, principal: commands.answer_order(
                principal, order_uuid, report[:4000], idempotency_key
            ),
        )
