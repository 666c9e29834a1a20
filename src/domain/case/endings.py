"""Endings before a decision: withdrawal (撤回) and termination (终止, SAMR 30-32)."""

from __future__ import annotations

from typing import Any

from xuke.domain.case.core import CaseCore
from xuke.domain.case_records import (
    CommandContext,
)
from xuke.domain.model import Aggregate
from xuke.domain.stages import (
    BEFORE_ACCEPTANCE,
    BEFORE_DECISION,
    CaseStatus,
    TerminationGround,
)


class ApplicationWithdrawn(Aggregate.Event):
    """撤回: the applicant withdrew before the decision."""

    reason: str

    def apply(self, case: Any) -> None:
        case._finish(CaseStatus.WITHDRAWN, self.reason, self.timestamp)


class CaseTerminated(Aggregate.Event):
    """终止 (SAMR 30-32): on a legal ground, with reasons; the applicant's own request
    after acceptance is one of them."""

    reason: str
    ground: TerminationGround = TerminationGround.OTHER_BY_LAW

    def apply(self, case: Any) -> None:
        case.termination_ground = self.ground
        case._finish(CaseStatus.TERMINATED, self.reason, self.timestamp)


class Endings(CaseCore):
    """撤回 / 终止."""

    def withdraw(self, ctx: CommandContext, reason: str) -> None:
        """撤回 any time before the decision. After acceptance it is a termination on the
        applicant's request (SAMR 30(1)): the case is TERMINATED, with a termination notice."""
        self._require_status(*BEFORE_DECISION, action="撤回")
        reason = self._require_reason(reason)
        if self.status in BEFORE_ACCEPTANCE:
            self._record(ApplicationWithdrawn, ctx, reason=reason)
        else:
            self._record(
                CaseTerminated, ctx, reason=reason, ground=TerminationGround.APPLICANT_REQUEST
            )

    def terminate(self, ctx: CommandContext, ground: TerminationGround, reason: str) -> None:
        """终止 (SAMR 30-32; GYCP 实施办法 32): the approver ends a case that cannot go on."""
        self._require_status(*BEFORE_DECISION, action="终止")
        self._record(CaseTerminated, ctx, reason=self._require_reason(reason), ground=ground)
