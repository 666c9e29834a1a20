"""Audit: the refused attempts touching the jurisdiction, the audit trail of every stored
event, and the check that the trail's hash chain is unbroken."""

from __future__ import annotations

import datetime as dt

import strawberry

from xuke.api.graphql.common.errors import bad_input
from xuke.api.graphql.common.paging import PageInfo, edges, fetch_page, page_info
from xuke.api.graphql.common.types import Info, Role
from xuke.api.graphql.supervision.scope import InJurisdiction
from xuke.projections.audit import audit_trail_page
from xuke.projections.paging import jurisdiction_prefix
from xuke.projections.store import Row
from xuke.supervision.audit import verify_audit_trail
from xuke.supervision.denied_access import DeniedAccessLog


@strawberry.type(description="A refused attempt, recorded for supervision.")
class DeniedAccess:
    at: dt.datetime
    user_id: str
    roles: str
    org_code: str
    action: str
    case_no: str | None
    reason: str

    @classmethod
    def of(cls, r: Row) -> DeniedAccess:
        return cls(
            at=dt.datetime.fromisoformat(str(r["at"])), user_id=str(r["user_id"]), roles=str(r["roles"]),
            org_code=str(r["org_code"]), action=str(r["action"]),
            case_no=str(r["case_no"]) if r["case_no"] else None, reason=str(r["reason"]),
        )  # fmt: skip


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
class AuditFields(InJurisdiction):
    @strawberry.field(description="Refused attempts touching this jurisdiction, newest first.")
    async def denied_access(self, info: Info, first: int | None = 50) -> list[DeniedAccess]:
        ctx = info.context
        if first is not None and not 1 <= first <= 200:  # schemathesis sent -1: LIMIT -1
            raise bad_input("first must be between 1 and 200")
        recent = DeniedAccessLog(ctx.services.views).recent
        rows = await ctx.run(recent, jurisdiction_prefix(self.jurisdiction), first or 50)
        return [DeniedAccess.of(r) for r in rows]

    @strawberry.field
    async def audit_trail(
        self,
        info: Info,
        case_no: str | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> AuditConnection:
        ctx = info.context
        page = await fetch_page(
            ctx, audit_trail_page, ctx.services.reads, case_no, first or 50, after
        )
        return AuditConnection(
            edges=edges(page, AuditEdge, AuditEntry.of),
            page_info=page_info(page),
            total_count=page.total_count,
        )

    @strawberry.field
    async def verify_audit_trail(self, info: Info) -> AuditVerification:
        ctx = info.context
        result = await ctx.run(verify_audit_trail, ctx.services.app.recorder, ctx.services.views)
        return AuditVerification(
            ok=result.ok, checked=result.checked, first_bad_position=result.first_bad_position
        )
