"""Complaints (投诉): about a case, filed by its applicant or by anyone holding its query code,
to be taken up within 5 working days and answered; the reply is the complainant's to read."""

from __future__ import annotations

import datetime as dt

import strawberry

from xuke.api.graphql.common.errors import UserError
from xuke.api.graphql.common.paging import Connection
from xuke.api.graphql.common.rows import moment
from xuke.api.graphql.common.types import Info
from xuke.api.graphql.supervision.commands import Runner, acted, uuid_of
from xuke.api.graphql.supervision.scope import InJurisdiction
from xuke.application.rate_limits import SECRET_LOOKUP
from xuke.projections.store import Row


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
            answered_at=moment(r["answered_at"]),
        )  # fmt: skip


ComplaintConnection = Connection[Complaint]


@strawberry.type
class ComplaintPayload:
    complaint: Complaint | None
    errors: list[UserError]


@strawberry.type
class ComplaintFields(InJurisdiction):
    @strawberry.field(description="投诉 about cases of this jurisdiction.")
    async def complaints(
        self,
        info: Info,
        status: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> ComplaintConnection:
        return await self._listed(info, "complaints", Complaint.of, first, after, status)


async def complaint_payload(info: Info, run: Runner, login: bool = True) -> ComplaintPayload:
    complaint, errors = await acted(info, run, "complaints", Complaint.of, login)
    return ComplaintPayload(complaint=complaint, errors=errors)


@strawberry.type
class ComplaintMutations:
    @strawberry.mutation(
        description="投诉: by the applicant, or by anyone with the case's query code (no login)."
    )
    async def file_complaint(
        self,
        info: Info,
        case_no: str,
        text: str,
        query_code: str | None = None,
        idempotency_key: str | None = None,
    ) -> ComplaintPayload:
        if query_code is not None or info.context.principal is None:  # a lookup by secret
            await info.context.limit(SECRET_LOOKUP)  # one limit with /status and the others
        return await complaint_payload(
            info,
            lambda commands, principal: commands.file_complaint(
                principal, case_no, text, query_code, idempotency_key
            ),
            login=False,
        )

    @strawberry.mutation
    async def take_up_complaint(
        self, info: Info, complaint_id: strawberry.ID, idempotency_key: str | None = None
    ) -> ComplaintPayload:
        complaint_uuid = uuid_of(complaint_id)
        return await complaint_payload(
            info,
            lambda commands, principal: commands.take_up_complaint(
                principal, complaint_uuid, idempotency_key
            ),
        )

    @strawberry.mutation
    async def answer_complaint(
        self,
        info: Info,
        complaint_id: strawberry.ID,
        reply: str,
        idempotency_key: str | None = None,
    ) -> ComplaintPayload:
        complaint_uuid = uuid_of(complaint_id)
        return await complaint_payload(
            info,
            lambda commands, principal: commands.answer_complaint(
                principal, complaint_uuid, reply[:4000], idempotency_key
            ),
        )
