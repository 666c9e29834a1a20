"""What needs no login: the public status page's query (办事进度) and the licence register
(公示, Art. 40). No personal data crosses this boundary."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from xuke.api.context import Context
from xuke.api.graphql.deadlines import DeadlineExplanation, explanations_of
from xuke.api.graphql.inbox import bad_cursor
from xuke.api.graphql.types import CaseStatus, PageInfo, Stage
from xuke.domain.deadlines import CaseClock
from xuke.projections.queries import licence_register_page, public_status
from xuke.projections.store import Row


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@strawberry.type
class PublicStep:
    stage: Stage
    status: CaseStatus
    at: dt.datetime
    note: str | None


@strawberry.type
class PublicComplaint:
    filed_at: dt.datetime
    status: str
    text: str
    reply: str | None


@strawberry.type(
    description="What the public and the applicant see (办事进度): no personal data, no internal opinions."
)
class PublicStatus:
    case_no: str
    item_name: str
    applicant_name: str
    status: CaseStatus
    stage: Stage
    received_on: dt.date
    accepted_on: dt.date | None
    decision_due: dt.date | None
    decided_on: dt.date | None
    decision: str | None
    steps: list[PublicStep]
    clock: strawberry.Private[CaseClock]

    @strawberry.field(
        description="Every limit explained: from which day, which days skipped and why."
    )
    async def deadlines(self, info: Info[Context, None]) -> list[DeadlineExplanation]:
        return await explanations_of(info, self.clock)

    @strawberry.field(
        description="Complaints about this case and their replies (an addition to v1)."
    )
    async def complaints(self, info: Info[Context, None]) -> list[PublicComplaint]:
        rows = await info.context.run(
            info.context.services.views.fetchall,
            "SELECT * FROM complaints WHERE case_no = %s ORDER BY filed_at",
            [self.case_no],
        )
        return [
            PublicComplaint(
                filed_at=dt.datetime.fromisoformat(r["filed_at"]),
                status=r["status"],
                text=r["text"],
                reply=r["reply"],
            )
            for r in rows
        ]

    @classmethod
    def of(cls, row: Row) -> PublicStatus:
        return cls(
            case_no=row["case_no"], item_name=row["item_name"], applicant_name=row["applicant_name"],
            status=row["status"], stage=row["stage"], received_on=dt.date.fromisoformat(row["received_on"]),
            accepted_on=_day(row["accepted_on"]), decision_due=_day(row["decision_due"]),
            decided_on=_day(row["decided_on"]), decision=row["decision"], clock=row["clock"],
            steps=[
                PublicStep(stage=s["stage"], status=s["status"], at=dt.datetime.fromisoformat(s["at"]), note=s["note"])
                for s in row["steps"]
            ],
        )  # fmt: skip


@strawberry.type(description="A granted licence, public under Art. 40 (公示).")
class RegisteredLicense:
    certificate_no: str
    item_code: str
    item_name: str
    holder_name: str
    holder_credit_code: str | None
    jurisdiction_code: str
    decided_on: dt.date
    valid_from: dt.date
    valid_to: dt.date | None
    case_no: str

    @classmethod
    def of(cls, row: Row) -> RegisteredLicense:
        return cls(
            certificate_no=row["certificate_no"], item_code=row["item_code"], item_name=row["item_name"],
            holder_name=row["holder_name"], holder_credit_code=row["holder_credit_code"],
            jurisdiction_code=row["jurisdiction_code"], decided_on=dt.date.fromisoformat(row["decided_on"]),
            valid_from=dt.date.fromisoformat(row["valid_from"]),
            valid_to=dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None, case_no=row["case_no"],
        )  # fmt: skip


@strawberry.type
class RegisteredLicenseEdge:
    node: RegisteredLicense
    cursor: str


@strawberry.type
class RegisteredLicenseConnection:
    edges: list[RegisteredLicenseEdge]
    page_info: PageInfo
    total_count: int


def lookup_public_status(ctx: Context, case_no: str, query_code: str) -> Row | None:
    """Wrong code ≡ unknown case: the same None, in the same constant-time comparison."""
    code_hash = ctx.services.app.hash_query_code(query_code)
    return public_status(ctx.services.views, case_no.strip(), code_hash)


@strawberry.type
class PublicQueries:
    @strawberry.field
    async def public_status(
        self, info: Info[Context, None], case_no: str, query_code: str
    ) -> PublicStatus | None:
        row = await info.context.run(lookup_public_status, info.context, case_no, query_code)
        return PublicStatus.of(row) if row else None

    @strawberry.field
    async def license_register(
        self,
        info: Info[Context, None],
        search: str | None = None,
        item_code: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> RegisteredLicenseConnection:
        ctx = info.context
        try:
            page = await ctx.run(
                licence_register_page, ctx.services.views, search, item_code, first or 20, after
            )
        except ValueError as e:
            raise bad_cursor(e) from None
        edges = [
            RegisteredLicenseEdge(node=RegisteredLicense.of(r), cursor=c)
            for r, c in zip(page.items, page.cursors, strict=True)
        ]
        return RegisteredLicenseConnection(
            edges=edges, page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )  # fmt: skip
