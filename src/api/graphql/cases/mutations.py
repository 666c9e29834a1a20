"""One mutation per case command of the contract, each a single call: the command runs through
the shared ``execute`` (``payloads``) and its case comes back in the payload."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from xuke.api.graphql.cases.inputs import (
    AttachmentInput,
    FileApplicationInput,
    applicant_of,
    attachment_files,
    text,
)
from xuke.api.graphql.cases.payloads import CasePayload, FilePayload, case_payload, file_payload
from xuke.api.graphql.common.errors import invalid
from xuke.api.graphql.common.types import (
    ApplicationKind,
    Info,
    Opinion,
    ServiceMethod,
    SuspensionReason,
    TerminationGround,
)


def _object(value: JSON | None) -> dict[str, Any] | None:
    return cast(dict[str, Any] | None, value)


@strawberry.type
class CaseMutations:
    @strawberry.mutation
    async def file_application(
        self, info: Info, input: FileApplicationInput, idempotency_key: str | None = None
    ) -> FilePayload:
        applicant, form = applicant_of(input.applicant), input.form
        files = attachment_files(input.attachments)
        if form is not None and not isinstance(form, dict):
            return FilePayload(
                case=None, query_code=None, errors=[invalid("form 必须是对象", "form")]
            )
        return await file_payload(
            info,
            lambda app, p: app.file_application(
                p, item_code=input.item_code, applicant=applicant, jurisdiction_code=input.jurisdiction_code,
                materials=input.materials, form=_object(form), channel=input.channel or "ONLINE",
                received_at=input.received_at, idempotency_key=idempotency_key,
                kind=input.kind or ApplicationKind.NEW, certificate_no=input.certificate_no,
                attachments=files,
            ),
        )  # fmt: skip

    @strawberry.mutation
    async def request_correction(
        self,
        info: Info,
        case_no: str,
        missing_materials: list[str],
        note: str,
        idempotency_key: str | None = None,
        correction_working_days: Annotated[
            int | None,
            strawberry.argument(
                description="SAMR 15(4): the period for the corrections; default: the authority's"
            ),
        ] = None,
    ) -> CasePayload:
        return await case_payload(
            info,
            lambda app, p: app.request_correction(
                p, case_no, missing_materials, text(note, "note"), idempotency_key, correction_working_days,
            ),
        )  # fmt: skip

    @strawberry.mutation(
        description="SAMR 15(4): extend the correction period once, for good reason."
    )
    async def extend_correction_period(
        self,
        info: Info,
        case_no: str,
        extra_working_days: int,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        return await case_payload(
            info,
            lambda app, p: app.extend_correction_period(
                p, case_no, extra_working_days, text(reason, "reason"), idempotency_key
            ),
        )

    @strawberry.mutation
    async def submit_correction(
        self, info: Info, case_no: str, materials: list[str], idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info, lambda app, p: app.submit_correction(p, case_no, materials, idempotency_key)
        )

    @strawberry.mutation
    async def accept_application(
        self, info: Info, case_no: str, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info, lambda app, p: app.accept_application(p, case_no, idempotency_key)
        )

    @strawberry.mutation
    async def reject_application(
        self, info: Info, case_no: str, reason: str, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info,
            lambda app, p: app.reject_application(
                p, case_no, text(reason, "reason"), idempotency_key
            ),
        )

    @strawberry.mutation
    async def claim_task(
        self, info: Info, task_id: strawberry.ID, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info, lambda app, p: app.claim_task(p, str(task_id), idempotency_key)
        )

    @strawberry.mutation
    async def record_opinion(
        self,
        info: Info,
        case_no: str,
        opinion: Opinion,
        comment: str,
        fields: JSON | None = None,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        if fields is not None and not isinstance(fields, dict):
            return CasePayload(case=None, errors=[invalid("fields 必须是对象", "fields")])
        return await case_payload(
            info,
            lambda app, p: app.record_opinion(
                p, case_no, opinion, text(comment, "comment"), _object(fields), idempotency_key
            ),
        )

    @strawberry.mutation
    async def suspend_clock(
        self,
        info: Info,
        case_no: str,
        reason: SuspensionReason,
        expected_working_days: int,
        note: str,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        return await case_payload(
            info,
            lambda app, p: app.suspend_clock(
                p, case_no, reason, expected_working_days, text(note, "note"), idempotency_key
            ),
        )

    @strawberry.mutation
    async def resume_clock(
        self, info: Info, case_no: str, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info, lambda app, p: app.resume_clock(p, case_no, idempotency_key)
        )

    @strawberry.mutation
    async def extend_deadline(
        self, info: Info, case_no: str, reason: str, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info,
            lambda app, p: app.extend_deadline(p, case_no, text(reason, "reason"), idempotency_key),
        )

    @strawberry.mutation
    async def decide(
        self, info: Info, case_no: str, grant: bool, reason: str, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info,
            lambda app, p: app.decide(p, case_no, grant, text(reason, "reason"), idempotency_key),
        )

    @strawberry.mutation
    async def issue_certificate(
        self, info: Info, case_no: str, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info, lambda app, p: app.issue_certificate(p, case_no, idempotency_key)
        )

    @strawberry.mutation
    async def record_service(
        self,
        info: Info,
        case_no: str,
        method: ServiceMethod,
        served_at: dt.datetime,
        idempotency_key: str | None = None,
        proof: Annotated[
            str | None, strawberry.argument(description="送达回证, return slip, notice reference …")
        ] = None,
        reason: Annotated[
            str | None,
            strawberry.argument(
                description="PUBLIC_NOTICE: why other methods failed; LEFT_AT_ADDRESS: the refusal"
            ),
        ] = None,
    ) -> CasePayload:
        return await case_payload(
            info,
            lambda app, p: app.record_service(
                p, case_no, method, served_at, idempotency_key, text(proof, "proof") if proof else None,
                text(reason, "reason") if reason else None,
            ),
        )  # fmt: skip

    @strawberry.mutation
    async def withdraw_application(
        self, info: Info, case_no: str, reason: str, idempotency_key: str | None = None
    ) -> CasePayload:
        return await case_payload(
            info,
            lambda app, p: app.withdraw_application(
                p, case_no, text(reason, "reason"), idempotency_key
            ),
        )

    @strawberry.mutation(
        description="终止 (SAMR 30): by the APPROVER, on a legal ground, with reasons."
    )
    async def terminate_case(
        self,
        info: Info,
        case_no: str,
        ground: TerminationGround,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        return await case_payload(
            info,
            lambda app, p: app.terminate_case(
                p, case_no, ground, text(reason, "reason"), idempotency_key
            ),
        )

    @strawberry.mutation(
        description="Files uploaded first (POST /materials) for the item's materials: the applicant for their own case before acceptance or while a correction is pending; a clerk at the hall."
    )
    async def add_attachments(
        self,
        info: Info,
        case_no: str,
        attachments: list[AttachmentInput],
        idempotency_key: str | None = None,
    ) -> CasePayload:
        files = attachment_files(attachments)
        return await case_payload(
            info, lambda app, p: app.add_attachments(p, case_no, files, idempotency_key)
        )
