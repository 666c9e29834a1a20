"""The public's view of a case (办事进度) and of a granted licence (公示): names in their
public form, no internal opinions."""

from __future__ import annotations

import datetime as dt

import strawberry

from xuke.api.graphql.common.paging import PageInfo
from xuke.api.graphql.common.rows import day
from xuke.api.graphql.common.types import CaseStatus, Info, LicenceStatus, Stage
from xuke.api.graphql.deadlines import DeadlineExplanation, explanations_of
from xuke.domain.deadlines import CaseClock
from xuke.projections.store import Row
from xuke.projections.supervision import complaints_of_case


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

    @classmethod
    def of(cls, r: Row) -> PublicComplaint:
        return cls(
            filed_at=dt.datetime.fromisoformat(r["filed_at"]),
            status=r["status"],
            text=r["text"],
            reply=r["reply"],
        )


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
    async def deadlines(self, info: Info) -> list[DeadlineExplanation]:
        return await explanations_of(info, self.clock)

    @strawberry.field(
        description="Complaints about this case and their replies (an addition to v1)."
    )
    async def complaints(self, info: Info) -> list[PublicComplaint]:
        rows = await info.context.run(complaints_of_case, info.context.services.views, self.case_no)
        return [PublicComplaint.of(r) for r in rows]

    @classmethod
    def of(cls, row: Row) -> PublicStatus:
        return cls(
            case_no=row["case_no"], item_name=row["item_name"], applicant_name=row["applicant_name"],
            status=row["status"], stage=row["stage"], received_on=dt.date.fromisoformat(row["received_on"]),
            accepted_on=day(row["accepted_on"]), decision_due=day(row["decision_due"]),
            decided_on=day(row["decided_on"]), decision=row["decision"], clock=row["clock"],
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
    status: LicenceStatus = strawberry.field(
        description="VALID, or how it ended (Law 40, SAMR 75: every change is published)."
    )
    status_changed_on: dt.date | None = strawberry.field(
        description="The day the status last changed; null while it has been VALID throughout."
    )

    @classmethod
    def of(cls, row: Row) -> RegisteredLicense:
        return cls(
            certificate_no=row["certificate_no"], item_code=row["item_code"], item_name=row["item_name"],
            holder_name=row["holder_name"], holder_credit_code=row["holder_credit_code"],
            jurisdiction_code=row["jurisdiction_code"], decided_on=dt.date.fromisoformat(row["decided_on"]),
            valid_from=dt.date.fromisoformat(row["valid_from"]), valid_to=day(row["valid_to"]),
            case_no=row["case_no"], status=LicenceStatus(row["status"]),
            status_changed_on=day(row["status_changed_on"]),
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
