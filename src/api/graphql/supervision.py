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
from xuke.api.graphql.types import ComplianceGroup, PageInfo, Role
from xuke.projections.queries import Page, audit_trail_page, compliance, overdue_page, warnings_page
from xuke.projections.store import Row
from xuke.supervision.audit import verify_audit_trail


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
            )
            for r in rows
        ]

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


def invalid(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})
