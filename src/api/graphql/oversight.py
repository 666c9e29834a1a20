"""监察 additions to the v1 contract: cards, 督办 orders, complaints and the denied-access log
inside ``Supervision``, and the mutations that act on them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from uuid import UUID

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from xuke.api.context import Context, forbidden
from xuke.api.graphql.types import PageInfo, UserError
from xuke.application.authorization import Forbidden
from xuke.application.supervision import SupervisionCommands
from xuke.domain.errors import DomainError
from xuke.domain.roles import STAFF_ROLES
from xuke.projections.queries import unit_cards
from xuke.projections.store import Row


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# (commands, caller): the caller is a Principal, or None where no login is needed (login=False)
Runner = Callable[[SupervisionCommands, Any], Any]


@strawberry.type(description="黄牌 / 红牌: issued by the deadline watcher to the responsible unit.")
class SupervisionCard:
    id: strawberry.ID
    case_no: str
    item_code: str
    colour: str
    cause: str
    responsible_unit: str
    due_on: dt.date | None
    issued_at: dt.datetime

    @classmethod
    def of(cls, r: Row) -> SupervisionCard:
        return cls(
            id=strawberry.ID(r["card_id"]), case_no=r["case_no"], item_code=r["item_code"], colour=r["colour"],
            cause=r["cause"], responsible_unit=r["responsible_unit"], due_on=_day(r["due_on"]),
            issued_at=dt.datetime.fromisoformat(r["issued_at"]),
        )  # fmt: skip


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
            answered_at=_time(r["answered_at"]),
        )  # fmt: skip


@strawberry.type(
    description="投诉: about a case, to be taken up within 5 working days; the reply is the complainant's to read."
)
class Complaint:
    id: strawberry.ID
    case_no: str
    channel: str
    text: str
    filed_at: dt.datetime
    take_up_due: dt.date
    status: str
    taken_up_late: bool | None
    reply: str | None
    answered_at: dt.datetime | None

    @classmethod
    def of(cls, r: Row) -> Complaint:
        late = r.get("taken_up_late")
        return cls(
            id=strawberry.ID(r["complaint_id"]), case_no=r["case_no"], channel=r["channel"], text=r["text"],
            filed_at=dt.datetime.fromisoformat(r["filed_at"]), take_up_due=dt.date.fromisoformat(r["take_up_due"]),
            status=r["status"], taken_up_late=None if late is None else bool(late), reply=r["reply"],
            answered_at=_time(r["answered_at"]),
        )  # fmt: skip


@strawberry.type(description="A refused attempt, recorded for supervision.")
class DeniedAccess:
    at: dt.datetime
    user_id: str
    roles: str
    org_code: str
    action: str
    case_no: str | None
    reason: str


@strawberry.type
class SupervisionCardConnection:
    nodes: list[SupervisionCard]
    page_info: PageInfo
    total_count: int


@strawberry.type
class SupervisionOrderConnection:
    nodes: list[SupervisionOrder]
    page_info: PageInfo
    total_count: int


@strawberry.type
class ComplaintConnection:
    nodes: list[Complaint]
    page_info: PageInfo
    total_count: int


@strawberry.type
class SupervisionOrderPayload:
    order: SupervisionOrder | None
    errors: list[UserError]


@strawberry.type
class ComplaintPayload:
    complaint: Complaint | None
    errors: list[UserError]


def _uuid(value: strawberry.ID) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise GraphQLError("not an id", extensions={"code": "BAD_USER_INPUT"}) from None


async def _act(
    info: Info[Context, None], command: str, run: Runner, login: bool = True
) -> tuple[Any, list[UserError]]:
    ctx = info.context
    principal = ctx.require_principal() if login else ctx.principal
    commands = SupervisionCommands(ctx.services.app)
    try:
        aggregate = await ctx.run(run, commands, principal)
    except DomainError as e:
        ctx.services.metrics.commands.labels(command, e.code.value).inc()
        return None, [UserError.of(e)]
    except Forbidden as e:
        ctx.services.metrics.commands.labels(command, "FORBIDDEN").inc()
        raise forbidden(e.message) from None
    ctx.services.metrics.commands.labels(command, "OK").inc()
    head = await ctx.run(ctx.services.app.recorder.max_notification_id)
    await ctx.services.wait_for_views(head)
    return aggregate, []


async def _view_row(
    info: Info[Context, None], command: str, run: Runner, table: str, key: str, login: bool = True
) -> tuple[Row | None, list[UserError]]:
    """Run the command, then read back the row its event made in the supervision view."""
    aggregate, errors = await _act(info, command, run, login)
    if aggregate is None:
        return None, errors
    views = info.context.services.views
    row = await info.context.run(
        views.fetchone, f"SELECT * FROM {table} WHERE {key} = %s", [str(aggregate.id)]
    )
    return row, []


async def _order_payload(
    info: Info[Context, None], command: str, run: Runner
) -> SupervisionOrderPayload:
    row, errors = await _view_row(info, command, run, "supervision_orders", "order_id")
    return SupervisionOrderPayload(order=SupervisionOrder.of(row) if row else None, errors=errors)


async def _complaint_payload(
    info: Info[Context, None], command: str, run: Runner, login: bool = True
) -> ComplaintPayload:
    row, errors = await _view_row(info, command, run, "complaints", "complaint_id", login)
    return ComplaintPayload(complaint=Complaint.of(row) if row else None, errors=errors)


@strawberry.type
class OversightMutations:
    @strawberry.mutation(
        description="督办: a SUPERVISOR orders the case's authority to act by respondBy."
    )
    async def issue_supervision_order(
        self,
        info: Info[Context, None],
        case_no: str,
        instruction: str,
        respond_by: dt.date,
        idempotency_key: str | None = None,
    ) -> SupervisionOrderPayload:
        return await _order_payload(
            info, "issueSupervisionOrder",
            lambda commands, principal: commands.issue_order(principal, case_no, instruction[:2000], respond_by, idempotency_key),
        )  # fmt: skip

    @strawberry.mutation(description="整改报告: the unit answers a supervision order.")
    async def answer_supervision_order(
        self,
        info: Info[Context, None],
        order_id: strawberry.ID,
        report: str,
        idempotency_key: str | None = None,
    ) -> SupervisionOrderPayload:
        order_uuid = _uuid(order_id)
        return await _order_payload(
            info,
            "answerSupervisionOrder",
            lambda commands, principal: commands.answer_order(
                principal, order_uuid, report[:4000], idempotency_key
            ),
        )

    @strawberry.mutation(
        description="投诉: by the applicant, or by anyone with the case's query code (no login)."
    )
    async def file_complaint(
        self,
        info: Info[Context, None],
        case_no: str,
        text: str,
        query_code: str | None = None,
        idempotency_key: str | None = None,
    ) -> ComplaintPayload:
        return await _complaint_payload(
            info,
            "fileComplaint",
            lambda commands, principal: commands.file_complaint(
                principal, case_no, text, query_code, idempotency_key
            ),
            login=False,
        )

    @strawberry.mutation
    async def take_up_complaint(
        self,
        info: Info[Context, None],
        complaint_id: strawberry.ID,
        idempotency_key: str | None = None,
    ) -> ComplaintPayload:
        complaint_uuid = _uuid(complaint_id)
        return await _complaint_payload(
            info,
            "takeUpComplaint",
            lambda commands, principal: commands.take_up_complaint(
                principal, complaint_uuid, idempotency_key
            ),
        )

    @strawberry.mutation
    async def answer_complaint(
        self,
        info: Info[Context, None],
        complaint_id: strawberry.ID,
        reply: str,
        idempotency_key: str | None = None,
    ) -> ComplaintPayload:
        complaint_uuid = _uuid(complaint_id)
        return await _complaint_payload(
            info, "answerComplaint",
            lambda commands, principal: commands.answer_complaint(principal, complaint_uuid, reply[:4000], idempotency_key),
        )  # fmt: skip


@strawberry.type
class OversightQueries:
    @strawberry.field(description="黄牌/红牌 the caller's own unit received (beside its inbox).")
    async def unit_cards(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> SupervisionCardConnection:
        ctx = info.context
        principal = ctx.require_principal()
        if not principal.roles & STAFF_ROLES:
            raise forbidden("只有许可机关的工作人员有本单位的监察卡")
        try:
            page = await ctx.run(
                unit_cards, ctx.services.views, principal.org_code, first or 20, after
            )
        except ValueError as e:
            raise GraphQLError(str(e), extensions={"code": "BAD_USER_INPUT"}) from None
        return SupervisionCardConnection(
            nodes=[SupervisionCard.of(r) for r in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )
