"""Tasks beyond 签收: giving a claimed task back (退回签收) and reassigning it (改派).

A task is one visit of the case to a stage (``Task``). Claiming takes it out of the group's
hands (``review.claim``); these give it back to the group or to another member. Who may do
which is checked in ``application/authorization.py`` (the assignee releases, the stage's lead
reassigns; docs/roles.md). Delegation while away is not an act on the case: it lives in
``domain/delegation.py``.
"""

from __future__ import annotations

from typing import Any

from xuke.domain.case.core import CaseCore
from xuke.domain.case_records import CommandContext
from xuke.domain.errors import InvalidState, ValidationFailed
from xuke.domain.model import Aggregate

MAX_USER_ID = 128  # as in a token's ``sub``


class TaskReleased(Aggregate.Event):
    """退回签收: the assignee gave the claimed task back to its candidate group."""

    task_no: int
    released_by: str

    def apply(self, case: Any) -> None:
        case.task = case.task.model_copy(update={"assignee": None})


class TaskReassigned(Aggregate.Event):
    """改派: the stage's lead gave the task to another member of its group, with a reason."""

    task_no: int
    previous_assignee: str | None
    assignee: str
    reason: str

    def apply(self, case: Any) -> None:
        case.task = case.task.model_copy(update={"assignee": self.assignee})


class Tasks(CaseCore):
    """退回签收 and 改派."""

    def _require_open_task(self, task_no: int) -> None:
        if self.task is None or self.task.no != task_no:
            raise InvalidState("该任务已办结或不存在")

    def release(self, ctx: CommandContext, task_no: int) -> None:
        """The assignee (or whoever acts for them) gives the task back to the group."""
        self._require_open_task(task_no)
        assert self.task is not None
        if self.task.assignee is None:
            raise InvalidState("该任务尚未签收，无需退回")
        self._record(TaskReleased, ctx, task_no=task_no, released_by=self.task.assignee)

    def reassign(self, ctx: CommandContext, task_no: int, assignee: str, reason: str) -> None:
        """The stage's lead gives the task to ``assignee``; they act on it as its holder."""
        self._require_open_task(task_no)
        assert self.task is not None
        assignee = assignee.strip()
        if not assignee or len(assignee) > MAX_USER_ID or not assignee.isprintable():
            raise ValidationFailed("改派对象须为有效的用户标识（不超过 128 个字符）", "assignee")
        if assignee == self.task.assignee:
            raise InvalidState(f"该任务已由 {assignee} 签收，无需改派")
        self._record(
            TaskReassigned, ctx, task_no=task_no, previous_assignee=self.task.assignee,
            assignee=assignee, reason=self._require_reason(reason),
        )  # fmt: skip
