"""Preliminary review (初审, Law 43; v2 contract): ``Case.preliminaryReview`` and the lower
authority's ``forwardForDecision``."""

from __future__ import annotations

import datetime as dt

import strawberry

from xuke.api.graphql.cases.inputs import text
from xuke.api.graphql.cases.payloads import CasePayload, case_payload
from xuke.api.graphql.common.types import Info, Opinion
from xuke.domain.case import LicenseCase
from xuke.domain.deadlines import preliminary_review_due


@strawberry.type(
    description="初审 by the lower authority (Law 43): due 20 working days after its acceptance."
)
class PreliminaryReview:
    reviewing_org_code: str
    due: dt.date
    opinion: Opinion | None
    comment: str | None
    forwarded_on: dt.date | None


async def preliminary_review_of(info: Info, case: LicenseCase) -> PreliminaryReview | None:
    """None for items decided without one, and before the lower level has accepted."""
    if case.preliminary_org is None:
        return None
    ctx = info.context
    calendar = await ctx.run(lambda: ctx.calendar)
    due = preliminary_review_due(case.clock(), calendar)
    if due is None:
        return None
    sent = case.preliminary
    return PreliminaryReview(
        reviewing_org_code=case.preliminary_org, due=due.date,
        opinion=sent.opinion if sent else None, comment=sent.comment if sent else None,
        forwarded_on=sent.forwarded_on if sent else None,
    )  # fmt: skip


@strawberry.type
class PreliminaryReviewMutations:
    @strawberry.mutation(
        description="Law 43: the lower authority sends its opinion and the whole file up."
    )
    async def forward_for_decision(
        self,
        info: Info,
        case_no: str,
        opinion: Opinion,
        comment: str,
        idempotency_key: str | None = None,
    ) -> CasePayload:
        return await case_payload(
            info,
            lambda app, p: app.forward_for_decision(
                p, case_no, opinion, text(comment, "comment"), idempotency_key
            ),
        )
