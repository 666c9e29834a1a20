"""Review (承办 → 审核 → 审批): tasks are claimed, opinions recorded and carried forward to
every later stage (information entered once is shared by every later step).
"""

from __future__ import annotations

from typing import Any

from xuke.domain.case.core import CaseCore
from xuke.domain.case_records import (
    CommandContext,
    StageOpinion,
)
from xuke.domain.errors import (
    InvalidState,
)
from xuke.domain.free_form import require_json_object
from xuke.domain.model import Aggregate
from xuke.domain.stages import (
    CLOCK_RUNNING,
    CaseStatus,
    Opinion,
    Stage,
    named,
)

_NEXT_STAGE = {Stage.HANDLING: Stage.REVIEW, Stage.REVIEW: Stage.APPROVAL}
_PREVIOUS_STAGE = {Stage.REVIEW: Stage.HANDLING, Stage.APPROVAL: Stage.REVIEW}


class TaskClaimed(Aggregate.Event):
    """签收: a member of the candidate group took the task."""

    task_no: int
    assignee: str

    def apply(self, case: Any) -> None:
        case.task = case.task.model_copy(update={"assignee": self.assignee})


class OpinionRecorded(Aggregate.Event):
    """办理意见: carried forward to every later stage (seed point 6)."""

    opinion: StageOpinion
    next_stage: Stage

    def apply(self, case: Any) -> None:
        case.opinions = (*case.opinions, self.opinion)
        if case.status is CaseStatus.ACCEPTED:
            case.status = CaseStatus.UNDER_REVIEW
        if self.next_stage is not case.stage:
            case._close_task()
            case._open_task(self.next_stage, self.timestamp)


class Review(CaseCore):
    """签收 and 办理意见."""

    def claim(self, ctx: CommandContext, task_no: int) -> None:
        if self.task is None or self.task.no != task_no:
            raise InvalidState("该任务已办结或不存在")
        if self.task.assignee == ctx.actor.id:
            raise InvalidState("该任务已由您签收")
        if self.task.assignee is not None:
            raise InvalidState(f"该任务已由 {self.task.assignee} 签收")
        self._record(TaskClaimed, ctx, task_no=task_no, assignee=ctx.actor.id)

    def record_opinion(
        self, ctx: CommandContext, opinion: Opinion, comment: str, fields: dict[str, Any] | None
    ) -> None:
        """承办 → 审核 → 审批: AGREE/DISAGREE send the case on (the approver's opinion stays
        at APPROVAL for the decision); RETURN sends it back one stage."""
        self._require_status(*CLOCK_RUNNING, action="签署意见")
        if self.stage not in (Stage.HANDLING, Stage.REVIEW, Stage.APPROVAL):
            raise InvalidState(f"环节{named(self.stage)}不签署审查意见")
        if opinion is Opinion.RETURN:
            if self.stage not in _PREVIOUS_STAGE:
                raise InvalidState("承办环节不能退回")
            next_stage = _PREVIOUS_STAGE[self.stage]
        else:
            next_stage = _NEXT_STAGE.get(self.stage, self.stage)
        record = StageOpinion(
            stage=self.stage,
            opinion=opinion,
            comment=self._require_reason(comment, "comment"),
            fields=require_json_object(fields, "fields") if fields is not None else None,
            actor_id=ctx.actor.id,
            at=ctx.at,
        )
        self._record(OpinionRecorded, ctx, opinion=record, next_stage=next_stage)
