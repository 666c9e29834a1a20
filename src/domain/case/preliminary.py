"""Preliminary review (初审), Law 43: where the item requires it, the lower authority of the
applicant's division accepts the application, reviews it within 20 working days of its
acceptance and sends its opinion with the whole file up; the upper level decides under the
item's limit and may not ask the applicant for the materials again (no correction notice
can follow: the case has left acceptance for good).
"""

from __future__ import annotations

from typing import Any

from xuke.domain.case.core import CaseCore
from xuke.domain.case_records import CommandContext, PreliminaryReviewRecord
from xuke.domain.errors import InvalidState
from xuke.domain.model import Aggregate, local_date
from xuke.domain.stages import CLOCK_RUNNING, Opinion, Stage


class PreliminaryReviewForwarded(Aggregate.Event):
    """初审意见报送: the lower authority's opinion and the whole file go up (Law 43)."""

    review: PreliminaryReviewRecord

    def apply(self, case: Any) -> None:
        case.preliminary = self.review
        case._close_task()
        case._open_task(Stage.HANDLING, self.timestamp)


class PreliminaryReview(CaseCore):
    """初审."""

    def forward_for_decision(self, ctx: CommandContext, opinion: Opinion, comment: str) -> None:
        """Law 43: with the lower level's opinion (AGREE or DISAGREE: the upper level
        decides either way; there is no stage to return to)."""
        self._require_status(*CLOCK_RUNNING, action="报送初审意见")
        self._require_stage(Stage.PRELIMINARY_REVIEW, "报送初审意见")
        if opinion is Opinion.RETURN:
            raise InvalidState("初审不能退回，请签署同意或不同意意见")
        assert self.preliminary_org is not None
        review = PreliminaryReviewRecord(
            reviewing_org=self.preliminary_org,
            opinion=opinion,
            comment=self._require_reason(comment, "comment"),
            actor_id=ctx.actor.id,
            forwarded_on=local_date(ctx.at),
        )
        self._record(PreliminaryReviewForwarded, ctx, review=review)
