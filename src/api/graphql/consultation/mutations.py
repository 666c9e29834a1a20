"""``askQuestion`` (no login: rate-limited per client with every other anonymous question,
the pages' form included; or an APPLICANT), ``answerQuestion`` (staff of the authority the
question was routed to; to anyone else NOT_FOUND) and ``updateServiceGuide`` (ADMIN)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from xuke.api.graphql.common.commands import execute
from xuke.api.graphql.common.errors import ErrorCode, UserError
from xuke.api.graphql.common.types import Info
from xuke.api.graphql.consultation.queries import commands
from xuke.api.graphql.consultation.types import (
    Consultation,
    ConsultationPayload,
    ServiceGuide,
    ServiceGuideInput,
    ServiceGuidePayload,
)
from xuke.application.consultation import NOT_FOUND
from xuke.application.rate_limits import QUESTION
from xuke.domain.consultation import GuideWindow
from xuke.domain.errors import ValidationFailed


@strawberry.type
class ConsultationMutations:
    @strawberry.mutation(description="网上咨询: no login (rate-limited) or APPLICANT.")
    async def ask_question(
        self,
        info: Info,
        question: str,
        contact: str,
        item_code: str | None = None,
        idempotency_key: str | None = None,
        jurisdiction_code: Annotated[
            str | None,
            strawberry.argument(
                description="The asker's division (GB/T 2260), to reach the unit competent "
                "there for the item; without it the home authority answers (an addition to v2)."
            ),
        ] = None,
    ) -> ConsultationPayload:
        ctx = info.context
        if ctx.principal is None:
            await ctx.limit(QUESTION)
        cmds = commands(info)
        result, errors = await execute(
            info,
            lambda: cmds.ask(
                ctx.principal, item_code, question, contact, idempotency_key, jurisdiction_code
            ),
        )
        if result is None:
            return ConsultationPayload(consultation=None, errors=errors)
        return ConsultationPayload(consultation=Consultation.of(result.case, False), errors=[])

    @strawberry.mutation(description="答复咨询: staff of the authority the question was routed to.")
    async def answer_question(
        self,
        info: Info,
        id: strawberry.ID,
        answer: str,
        publish: bool | None = True,
        idempotency_key: str | None = None,
    ) -> ConsultationPayload:
        principal = info.context.require_principal()
        try:
            consultation_id = UUID(str(id))
        except ValueError:
            missing = UserError(code=ErrorCode.NOT_FOUND, message=NOT_FOUND, field="id")
            return ConsultationPayload(consultation=None, errors=[missing])
        cmds = commands(info)
        result, errors = await execute(
            info,
            lambda: cmds.answer(
                principal, consultation_id, answer, publish is not False, idempotency_key
            ),
        )
        if result is None:
            return ConsultationPayload(consultation=None, errors=errors)
        return ConsultationPayload(consultation=Consultation.of(result.case, True), errors=[])

    @strawberry.mutation(description="修改办事指南: ADMIN; every change a new version (an event).")
    async def update_service_guide(
        self,
        info: Info,
        item_code: str,
        guide: ServiceGuideInput,
        idempotency_key: str | None = None,
    ) -> ServiceGuidePayload:
        principal = info.context.require_principal()
        cmds = commands(info)

        def run() -> ServiceGuide:
            windows = []
            for w in guide.windows:
                try:
                    windows.append(GuideWindow(**vars(w)))
                except ValueError:
                    raise ValidationFailed("办理窗口填写不完整", "windows") from None
            cmds.update_guide(
                principal, item_code, list(guide.conditions), list(guide.process), guide.fee,
                windows, idempotency_key,
            )  # fmt: skip
            return ServiceGuide.of(cmds.guide(item_code))

        result, errors = await execute(info, run)
        return ServiceGuidePayload(guide=result, errors=errors)
