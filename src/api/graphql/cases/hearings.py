"""Hearings (听证, Law 46-48; v2 contract): the ``Hearing`` of a case (``Case.hearing``) and the
five hearing mutations, each a single call answering with the case (``CasePayload``)."""

from __future__ import annotations

import datetime as dt

import strawberry

from xuke.api.graphql.cases.inputs import MAX_RECORD, text
from xuke.api.graphql.cases.payloads import CasePayload, case_payload
from xuke.api.graphql.common.types import Info
from xuke.domain.case import LicenseCase
from xuke.domain.deadlines import hearing_hold_due, hearing_request_due
from xuke.domain.stages import HearingBasis, HearingStatus

for enum in (HearingBasis, HearingStatus):
    strawberry.enum(enum)


@strawberry.type(description="听证 (Law 46-48); requestBy and holdBy on the calendar in force.")
class Hearing:
    basis: HearingBasis
    status: HearingStatus
    notified_on: dt.date
    request_by: dt.date | None
    requested_on: dt.date | None
    hold_by: dt.date | None
    scheduled_at: dt.datetime | None
    place: str | None
    presiding_officer: str | None
    held_on: dt.date | None
    record: str | None


async def hearing_of(info: Info, case: LicenseCase) -> Hearing | None:
    """The case's latest hearing; its dates counted only when asked for (they need the
    calendar in force, like every deadline)."""
    h = case.hearing
    if h is None:
        return None
    ctx = info.context
    calendar = await ctx.run(lambda: ctx.calendar)
    clock = case.clock()
    request_by, hold_by = hearing_request_due(clock, calendar), hearing_hold_due(clock, calendar)
    return Hearing(
        basis=h.basis, status=h.status, notified_on=h.notified_on,
        request_by=request_by.date if request_by else None, requested_on=h.requested_on,
        hold_by=hold_by.date if hold_by else None, scheduled_at=h.scheduled_at, place=h.place,
        presiding_officer=h.presiding_officer, held_on=h.held_on, record=h.record,
    )  # fmt: skip


@strawberry.type
class HearingMutations:
    @strawberry.mutation(description="Law 46-47: the stage owner; the decision clock stops.")
    async def notice_hearing(
        self,
        info: Info,
        case_no: str,
        basis: HearingBasis,
        note: str,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        return await case_payload(
            info,
            lambda app, p: app.notice_hearing(
                p, case_no, basis, text(note, "note"), idempotency_key
            ),
        )

    @strawberry.mutation(description="Law 47: the APPLICANT, within requestBy.")
    async def request_hearing(
        self, info: Info, case_no: str, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info, lambda app, p: app.request_hearing(p, case_no, idempotency_key)
        )

    @strawberry.mutation(description="The APPLICANT waives the hearing; the clock runs again.")
    async def waive_hearing(
        self, info: Info, case_no: str, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info, lambda app, p: app.waive_hearing(p, case_no, idempotency_key)
        )

    @strawberry.mutation(
        description="Law 48: 7 days' notice, by holdBy; the presiding officer (a user id) "
        "must not have been involved in the case."
    )
    async def schedule_hearing(
        self,
        info: Info,
        case_no: str,
        at: dt.datetime,
        place: str,
        presiding_officer: str,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        return await case_payload(
            info,
            lambda app, p: app.schedule_hearing(
                p, case_no, at, text(place, "place"), text(presiding_officer, "presidingOfficer"),
                idempotency_key,
            ),
        )  # fmt: skip

    @strawberry.mutation(description="Law 48(2): the record (听证笔录); the clock runs again.")
    async def record_hearing(
        self, info: Info, case_no: str, record: str, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info,
            lambda app, p: app.record_hearing(
                p, case_no, text(record, "record", MAX_RECORD), idempotency_key
            ),
        )
