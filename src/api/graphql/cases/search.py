"""Finding cases: ``myApplications`` (an applicant's organisation's own cases) and
``searchCases`` (staff and oversight roles, within their jurisdiction). Both read the
deadlines view through ``projections/case_search.py``; each row can give its full ``case``
through the same dataloader as the inbox."""

from __future__ import annotations

import datetime as dt

import strawberry
from graphql import GraphQLError

from xuke.api.context import Context, forbidden
from xuke.api.graphql.cases.types import Case
from xuke.api.graphql.common.errors import bad_input
from xuke.api.graphql.common.paging import PageInfo, edges, page_info
from xuke.api.graphql.common.rows import day
from xuke.api.graphql.common.types import CaseStatus, Info, Light, Stage
from xuke.api.graphql.inbox.types import case_loader
from xuke.application.authorization import Forbidden
from xuke.application.principal import Principal
from xuke.domain.roles import OVERSIGHT_ROLES, STAFF_ROLES, Role
from xuke.projections.case_search import (
    COUNT_CAP,
    CaseFilter,
    CaseSort,
    applications_page,
    search_cases,
)
from xuke.projections.paging import Page
from xuke.projections.store import Row

strawberry.enum(CaseSort, description="案件排序：按办理期限（DUE_*）或收件日期（RECEIVED_*）")

MAX_FILTER_TEXT = 100


def light_of_row(row: Row, today: dt.date) -> Light:
    """``domain.deadlines.light_of`` on the stored dates (as ``case_search`` asks in SQL)."""
    due, done, yellow = row["due_on"], row["done_on"], row["yellow_from"]
    if done:
        return Light.RED if done > due else Light.GREEN
    now = today.isoformat()
    if now > due:
        return Light.RED
    return Light.YELLOW if now >= yellow else Light.GREEN


@strawberry.type(description="A case as lists show it, with its light today.")
class CaseSummary:
    case_no: str
    item_code: str
    item_name: str
    applicant_name: str
    jurisdiction_code: str
    status: CaseStatus
    stage: Stage
    received_on: dt.date
    accepted_on: dt.date | None
    decision_due: dt.date | None
    due_on: dt.date = strawberry.field(description="the deadline running now (or the last one)")
    light: Light

    @strawberry.field(name="case")
    async def case_(self, info: Info) -> Case | None:
        case = await case_loader(info.context).load(self.case_no)
        return Case.of(case, info.context) if case else None

    @classmethod
    def of(cls, row: Row, ctx: Context) -> CaseSummary:
        catalogue = ctx.services.app.catalogue
        item = catalogue.get(row["item_code"]) if catalogue.knows(row["item_code"]) else None
        return cls(
            case_no=row["case_no"],
            item_code=row["item_code"],
            item_name=item.name if item else row["item_code"],
            applicant_name=row["applicant_name"] or "",
            jurisdiction_code=row["jurisdiction_code"],
            status=CaseStatus(row["status"]),
            stage=Stage(row["stage"]),
            received_on=dt.date.fromisoformat(row["received_on"]),
            accepted_on=day(row["accepted_on"]),
            decision_due=day(row["decision_due"]),
            due_on=dt.date.fromisoformat(row["due_on"]),
            light=light_of_row(row, ctx.services.today()),
        )


@strawberry.type
class CaseSummaryEdge:
    node: CaseSummary
    cursor: str


@strawberry.type
class CaseSummaryConnection:
    edges: list[CaseSummaryEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(
        description=f"matches counted up to {COUNT_CAP}; totalCountCapped says when there are more"
    )
    total_count_capped: bool

    @classmethod
    def of(cls, page: Page[Row], ctx: Context) -> CaseSummaryConnection:
        return cls(
            edges=edges(page, CaseSummaryEdge, lambda r: CaseSummary.of(r, ctx)),
            page_info=page_info(page),
            total_count=page.total_count,
            total_count_capped=page.total_count >= COUNT_CAP,
        )


@strawberry.input(description="案件查询条件：都可不填；多项同时填写时须同时满足。")
class CaseSearchInput:
    case_no: str | None = None
    applicant_name: str | None = strawberry.field(default=None, description="名称包含")
    applicant_code: str | None = strawberry.field(
        default=None, description="统一社会信用代码或公民身份号码（完整）"
    )
    item_code: str | None = None
    status: list[CaseStatus] | None = None
    stage: list[Stage] | None = None
    light: list[Light] | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None

    def to_filter(self) -> CaseFilter:
        for name, value in (
            ("caseNo", self.case_no),
            ("applicantName", self.applicant_name),
            ("applicantCode", self.applicant_code),
            ("itemCode", self.item_code),
        ):
            if value is not None and len(value) > MAX_FILTER_TEXT:
                raise bad_input(f"查询条件 {name} 不能超过 {MAX_FILTER_TEXT} 个字符")
        for name, low, high in (
            ("due", self.due_from, self.due_to),
            ("received", self.received_from, self.received_to),
        ):
            if low and high and low > high:
                raise bad_input(f"查询条件 {name}From 不能晚于 {name}To")
        return CaseFilter(
            case_no=self.case_no or None,
            applicant_name=self.applicant_name or None,
            applicant_code=self.applicant_code or None,
            item_code=self.item_code or None,
            statuses=tuple(s.value for s in self.status or ()),
            stages=tuple(s.value for s in self.stage or ()),
            lights=tuple(light.value for light in self.light or ()),
            due_from=self.due_from,
            due_to=self.due_to,
            received_from=self.received_from,
            received_to=self.received_to,
        )


def _first(first: int | None) -> int:
    n = 20 if first is None else first
    if not 1 <= n <= 100:
        raise bad_input("first 须在 1 到 100 之间")
    return n


async def _page(ctx: Context, query: object, *args: object) -> Page[Row]:
    try:
        return await ctx.run(query, *args)  # type: ignore[arg-type]
    except ValueError:
        raise bad_input("分页游标 after 无效：请使用上一页返回的 endCursor") from None


def _refuse(ctx: Context, principal: Principal, message: str, action: str) -> GraphQLError:
    ctx.services.app.on_forbidden(Forbidden(message, principal, action))
    return forbidden(message)


@strawberry.type
class CaseSearchQueries:
    @strawberry.field(
        description="我的申请: every case of the caller's enterprise (or of the person), whoever of its users filed it; the newest first. APPLICANT only."
    )
    async def my_applications(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        status: list[CaseStatus] | None = None,
    ) -> CaseSummaryConnection:
        ctx = info.context
        principal = ctx.require_principal()
        if not principal.has(Role.APPLICANT):
            raise _refuse(ctx, principal, "只有申请人可以查看“我的申请”", "myApplications")
        statuses = tuple(s.value for s in status or ())
        page = await _page(
            ctx, applications_page, ctx.services.views, principal.org_code,
            ctx.services.today(), _first(first), after, statuses,
        )  # fmt: skip
        return CaseSummaryConnection.of(page, ctx)

    @strawberry.field(
        description="案件查询 for staff and oversight roles: the cases of the caller's jurisdiction that match, sorted by due or received date."
    )
    async def search_cases(
        self,
        info: Info,
        filter: CaseSearchInput | None = None,
        sort: CaseSort = CaseSort.DUE_ASC,
        first: int | None = 20,
        after: str | None = None,
    ) -> CaseSummaryConnection:
        ctx = info.context
        principal = ctx.require_principal()
        if not principal.roles & (STAFF_ROLES | OVERSIGHT_ROLES):
            raise _refuse(ctx, principal, "只有工作人员和监督人员可以查询案件", "searchCases")
        found = (filter or CaseSearchInput()).to_filter()
        page = await _page(
            ctx, search_cases, ctx.services.reads, principal.jurisdiction_code, found, sort,
            ctx.services.today(), _first(first), after,
        )  # fmt: skip
        return CaseSummaryConnection.of(page, ctx)
