"""A task as the inbox shows it; supervision's overdue and warning lists show the same. Each
task's case comes through a dataloader, so a page of 50 costs the same few queries as a page
of 5."""

from __future__ import annotations

import datetime as dt

import strawberry
from graphql import GraphQLError
from strawberry.dataloader import DataLoader

from xuke.api.context import Context
from xuke.api.graphql.cases.types import Case, sees_internals
from xuke.api.graphql.common.paging import PageInfo, edges, page_info
from xuke.api.graphql.common.rows import day, moment
from xuke.api.graphql.common.types import Info, Light, Stage
from xuke.domain.case import LicenseCase
from xuke.projections.paging import Page
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
    async def case_(self, info: Info) -> Case:
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
            completed_at=moment(row["completed_at"]),
            assignee=row["assignee"] if sees_internals(ctx.principal) else None,  # a staff id
            candidate_group=row["candidate_group"],
            decision_due=day(due),
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

    @classmethod
    def of(cls, page: Page[Row], ctx: Context) -> TaskConnection:
        return cls(
            edges=edges(page, TaskEdge, lambda r: Task.of(r, ctx)),
            page_info=page_info(page),
            total_count=page.total_count,
        )


def case_loader(ctx: Context) -> DataLoader[str, LicenseCase | None]:
    if "cases" not in ctx.loaders:

        async def load(case_nos: list[str]) -> list[LicenseCase | None]:
            return await ctx.run(ctx.services.cases.load, case_nos)

        ctx.loaders["cases"] = DataLoader(load_fn=load)
    loader: DataLoader[str, LicenseCase | None] = ctx.loaders["cases"]
    return loader
