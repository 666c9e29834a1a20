"""监察: overdue and warning lists, compliance, and the audit trail with its verification —
for SUPERVISOR, AUDITOR and ADMIN, inside their jurisdiction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from xuke.api.context import Context
from xuke.api.graphql.inbox import TaskConnection, bad_cursor, connection
from xuke.api.graphql.oversight import (
    Complaint,
    ComplaintConnection,
    DeniedAccess,
    SupervisionCard,
    SupervisionCardConnection,
    SupervisionOrder,
    SupervisionOrderConnection,
)
from xuke.api.graphql.types import ComplianceGroup, PageInfo, Role
from xuke.projections.queries import (
    Page,
    audit_trail_page,
    card_counts,
    compliance,
    jurisdiction_prefix,
    overdue_page,
    supervision_rows,
    warnings_page,
)
from xuke.projections.store import Row
from xuke.supervision.audit import verify_audit_trail
from xuke.supervision.denied_access import DeniedAccessLog


@strawberry.type
class AuditEntry:
    position: int
    case_no: str | None
    event_type: str
    actor_id: str
    actor_role: Role | None
    occurred_at: dt.datetime
    hash: str

    @classmethod
    def of(cls, row: Row) -> AuditEntry:
        return cls(
            position=row["position"], case_no=row["case_no"], event_type=row["event_type"], actor_id=row["actor_id"],
            actor_role=row["actor_role"], occurred_at=dt.datetime.fromisoformat(row["occurred_at"]), hash=row["hash"],
        )  # fmt: skip


@strawberry.type
class AuditEdge:
    node: AuditEntry
    cursor: str


@strawberry.type
class AuditConnection:
    edges: list[AuditEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class AuditVerification:
    ok: bool
    checked: int
    first_bad_position: int | None


@strawberry.type
class Compliance:
    key: str
    closed: int
    closed_on_time: int
    closed_early: int
    overdue_open: int
    on_time_rate: float
    average_working_days: float
    yellow_cards: int = 0  # additions to v1: cards issued in the period
    red_cards: int = 0


@strawberry.type
class Supervision:
    jurisdiction: strawberry.Private[str]

    @strawberry.field
    async def overdue(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> TaskConnection:
        """Open cases whose light is RED, the oldest deadline first."""
        return await self._tasks(info, overdue_page, first, after)

    @strawberry.field
    async def warnings(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> TaskConnection:
        """Open cases whose light is YELLOW."""
        return await self._tasks(info, warnings_page, first, after)

    async def _tasks(
        self,
        info: Info[Context, None],
        query: Callable[..., Page[Row]],
        first: int | None,
        after: str | None,
    ) -> TaskConnection:
        ctx = info.context
        try:
            page = await ctx.run(
                query,
                ctx.services.views,
                self.jurisdiction,
                ctx.services.today(),
                first or 20,
                after,
            )
        except ValueError as e:
            raise bad_cursor(e) from None
        return connection(page.items, page.cursors, page.has_next_page, page.total_count, ctx)

    @strawberry.field
    async def compliance(
        self,
        info: Info[Context, None],
        from_: Annotated[dt.date, strawberry.argument(name="from")],
        to: dt.date,
        group_by: ComplianceGroup,
    ) -> list[Compliance]:
        """按时办结率 etc. per department, item or month, from the deadlines view."""
        if to < from_ or (to - from_).days > 3660:
            raise invalid("the period must run forward and span at most ten years")
        ctx = info.context
        rows = await ctx.run(
            compliance,
            ctx.services.views,
            self.jurisdiction,
            from_,
            to,
            group_by.value,
            ctx.services.today(),
        )
        cards = await ctx.run(
            card_counts, ctx.services.views, self.jurisdiction, from_, to, group_by.value
        )
        keys = {str(r["key"]) for r in rows} | set(cards)
        by_key = {str(r["key"]): r for r in rows}
        blank = {
            "closed": 0,
            "closed_on_time": 0,
            "closed_early": 0,
            "overdue_open": 0,
            "average_working_days": 0,
        }
        rows = [{"key": k, **by_key.get(k, blank)} for k in sorted(keys)]
        return [
            Compliance(
                key=str(r["key"]),
                closed=int(r["closed"]),
                closed_on_time=int(r["closed_on_time"] or 0),
                closed_early=int(r["closed_early"] or 0),
                overdue_open=int(r["overdue_open"]),
                on_time_rate=(int(r["closed_on_time"] or 0) / int(r["closed"]))
                if r["closed"]
                else 0.0,
                average_working_days=float(r["average_working_days"] or 0),
                yellow_cards=int(cards.get(str(r["key"]), {}).get("yellow") or 0),
                red_cards=int(cards.get(str(r["key"]), {}).get("red") or 0),
            )
            for r in rows
        ]

    @strawberry.field(description="黄牌/红牌 issued to units of this jurisdiction, newest first.")
    async def cards(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> SupervisionCardConnection:
        page = await self._rows(info, "supervision_cards", first, after)
        return SupervisionCardConnection(
            nodes=[SupervisionCard.of(r) for r in page.items],
            page_info=_info(page),
            total_count=page.total_count,
        )

    @strawberry.field(description="督办 orders to units of this jurisdiction.")
    async def orders(
        self,
        info: Info[Context, None],
        status: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> SupervisionOrderConnection:
        page = await self._rows(info, "supervision_orders", first, after, status)
        return SupervisionOrderConnection(
            nodes=[SupervisionOrder.of(r) for r in page.items],
            page_info=_info(page),
            total_count=page.total_count,
        )

    @strawberry.field(description="投诉 about cases of this jurisdiction.")
    async def complaints(
        self,
        info: Info[Context, None],
        status: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> ComplaintConnection:
        page = await self._rows(info, "complaints", first, after, status)
        return ComplaintConnection(
            nodes=[Complaint.of(r) for r in page.items],
            page_info=_info(page),
            total_count=page.total_count,
        )

    @strawberry.field(description="Refused attempts touching this jurisdiction, newest first.")
    async def denied_access(
        self, info: Info[Context, None], first: int | None = 50
    ) -> list[DeniedAccess]:
        ctx = info.context
        if first is not None and not 1 <= first <= 200:  # schemathesis sent -1: LIMIT -1
            raise invalid("first must be between 1 and 200")
        rows = await ctx.run(
            DeniedAccessLog(ctx.services.views).recent,
            jurisdiction_prefix(self.jurisdiction),
            first or 50,
        )
        return [
            DeniedAccess(
                at=dt.datetime.fromisoformat(str(r["at"])),
                user_id=str(r["user_id"]),
                roles=str(r["roles"]),
                org_code=str(r["org_code"]),
                action=str(r["action"]),
                case_no=str(r["case_no"]) if r["case_no"] else None,
                reason=str(r["reason"]),
            )
            for r in rows
        ]

    async def _rows(
        self,
        info: Info[Context, None],
        table: str,
        first: int | None,
        after: str | None,
        status: str | None = None,
    ) -> Page[Row]:
        ctx = info.context
        try:
            return await ctx.run(
                supervision_rows,
                ctx.services.views,
                table,
                self.jurisdiction,
                first or 20,
                after,
                status,
            )
        except ValueError as e:
            raise bad_cursor(e) from None

    @strawberry.field
    async def audit_trail(
        self,
        info: Info[Context, None],
        case_no: str | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> AuditConnection:
        ctx = info.context
        try:
            page = await ctx.run(audit_trail_page, ctx.services.views, case_no, first or 50, after)
        except ValueError as e:
            raise bad_cursor(e) from None
        return AuditConnection(
            edges=[
                AuditEdge(node=AuditEntry.of(r), cursor=c)
                for r, c in zip(page.items, page.cursors, strict=True)
            ],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )

    @strawberry.field
    async def verify_audit_trail(self, info: Info[Context, None]) -> AuditVerification:
        ctx = info.context
        result = await ctx.run(verify_audit_trail, ctx.services.app.recorder, ctx.services.views)
        return AuditVerification(
            ok=result.ok, checked=result.checked, first_bad_position=result.first_bad_position
        )


@strawberry.type
class SupervisionQueries:
    @strawberry.field
    def supervision(self, info: Info[Context, None]) -> Supervision:
        principal = info.context.require_oversight("监察")
        return Supervision(jurisdiction=principal.jurisdiction_code)


def _info(page: Page[Row]) -> PageInfo:
    return PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor)


def invalid(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})
