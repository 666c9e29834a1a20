"""The inbox (新建 / 待办 / 已办): tasks from the inbox view; each task's case through a
dataloader, so a page of 50 costs the same few queries as a page of 5."""

from __future__ import annotations

import datetime as dt

import strawberry
from graphql import GraphQLError
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from xuke.api.context import Context
from xuke.api.graphql.cases import Case
from xuke.api.graphql.types import InboxBox, Light, PageInfo, Stage
from xuke.domain.case import LicenseCase
from xuke.domain.roles import STAFF_ROLES
from xuke.projections.queries import inbox_page
from xuke.projections.store import Row


@strawberry.type
class Task:
    id: strawberry.ID
    case_no: str
    item_name: str
    applicant_name: str
    stage: Stage
    arrived_at: dt.datetime
    completed_at: dt.datetime | None
    assignee: str | None
    candidate_group: str | None
    decision_due: dt.date | None
    light: Light

    @strawberry.field(name="case")
    async def case_(self, info: Info[Context, None]) -> Case:
        case = await case_loader(info.context).load(self.case_no)
        if case is None:
            raise GraphQLError(f"case {self.case_no} not found", extensions={"code": "NOT_FOUND"})
        return Case.of(case, info.context)

    @classmethod
    def of(cls, row: Row, ctx: Context) -> Task:
        due = row["due_on"]
        return cls(
            id=strawberry.ID(row["task_id"]),
            case_no=row["case_no"],
            item_name=row["item_name"],
            applicant_name=row["applicant_name"],
            stage=row["stage"],
            arrived_at=dt.datetime.fromisoformat(row["arrived_at"]),
            completed_at=dt.datetime.fromisoformat(row["completed_at"])
            if row["completed_at"]
            else None,
            assignee=row["assignee"],
            candidate_group=row["candidate_group"],
            decision_due=dt.date.fromisoformat(due) if due else None,
            light=ctx.lights.of(due, row["period_days"], ctx.services.today(), row.get("done_on")),
        )


@strawberry.type
class TaskEdge:
    node: Task
    cursor: str


@strawberry.type
class TaskConnection:
    edges: list[TaskEdge]
    page_info: PageInfo
    total_count: int


def case_loader(ctx: Context) -> DataLoader[str, LicenseCase | None]:
    if "cases" not in ctx.loaders:

        async def load(case_nos: list[str]) -> list[LicenseCase | None]:
            return await ctx.run(ctx.services.cases.load, case_nos)

        ctx.loaders["cases"] = DataLoader(load_fn=load)
    loader: DataLoader[str, LicenseCase | None] = ctx.loaders["cases"]
    return loader


def connection(
    rows: list[Row], cursors: list[str], has_next: bool, total: int, ctx: Context
) -> TaskConnection:
    edges = [TaskEdge(node=Task.of(r, ctx), cursor=c) for r, c in zip(rows, cursors, strict=True)]
    return TaskConnection(
        edges=edges,
        page_info=PageInfo(has_next_page=has_next, end_cursor=cursors[-1] if cursors else None),
        total_count=total,
    )


def bad_cursor(error: ValueError) -> GraphQLError:
    return GraphQLError(str(error), extensions={"code": "BAD_USER_INPUT"})


@strawberry.type
class InboxQueries:
    @strawberry.field
    async def inbox(
        self,
        info: Info[Context, None],
        box: InboxBox,
        first: int | None = 20,
        after: str | None = None,
    ) -> TaskConnection:
        ctx = info.context
        principal = ctx.require_principal()
        groups = [
            f"{principal.org_code}:{role.value}" for role in sorted(principal.roles & STAFF_ROLES)
        ]
        try:
            page = await ctx.run(
                inbox_page, ctx.services.views, principal.user_id, groups, box, first or 20, after
            )
        except ValueError as e:
            raise bad_cursor(e) from None
        return connection(page.items, page.cursors, page.has_next_page, page.total_count, ctx)
