"""The licence case (许可案件) aggregate: one application for one licence item, from filing
to service of the decision.

Each phase keeps its commands next to their events (``filing``, ``acceptance``, ``review``,
``timing``, ``hearing``, ``decision``, ``endings``, ``attachments``, ``documents``; the state and shared
helpers in ``core``). Each command checks the rules (raising a ``DomainError`` whose class
names the rule) and only then records one event; each event's ``apply`` only moves state and never fails, so replaying history can
never be refused. The events are assigned here, so their stored topics stay
``xuke.domain.case:LicenseCase.<Event>`` wherever their code lives.
"""

from __future__ import annotations

from xuke.domain.case import (
    acceptance,
    attachments,
    decision,
    documents,
    endings,
    filing,
    hearing,
    preliminary,
    review,
    tasks,
    timing,
)
from xuke.domain.case.acceptance import Acceptance
from xuke.domain.case.attachments import Attachments
from xuke.domain.case.decision import REMEDIES_NOTICE, Decision
from xuke.domain.case.documents import Documents
from xuke.domain.case.endings import Endings
from xuke.domain.case.filing import Filing
from xuke.domain.case.hearing import Hearings
from xuke.domain.case.preliminary import PreliminaryReview
from xuke.domain.case.review import Review
from xuke.domain.case.tasks import Tasks
from xuke.domain.case.timing import Timing
from xuke.domain.model import Aggregate

__all__ = ["REMEDIES_NOTICE", "LicenseCase"]


class LicenseCase(
    Filing,
    Acceptance,
    Attachments,
    PreliminaryReview,
    Review,
    Tasks,
    Timing,
    Hearings,
    Decision,
    Endings,
    Documents,
    Aggregate,
):
    """One application for one licence item, from filing to service of the decision."""

    def __init__(self) -> None:
        """State is set by ``ApplicationFiled.apply`` (and by snapshots)."""

    ApplicationFiled = filing.ApplicationFiled
    CorrectionRequested = acceptance.CorrectionRequested
    CorrectionPeriodExtended = acceptance.CorrectionPeriodExtended
    ApplicationAbandoned = acceptance.ApplicationAbandoned
    CorrectionSubmitted = acceptance.CorrectionSubmitted
    ApplicationAccepted = acceptance.ApplicationAccepted
    ApplicationDeemedAccepted = acceptance.ApplicationDeemedAccepted
    ApplicationNotAccepted = acceptance.ApplicationNotAccepted
    PreliminaryReviewForwarded = preliminary.PreliminaryReviewForwarded
    TaskClaimed = review.TaskClaimed
    TaskReleased = tasks.TaskReleased
    TaskReassigned = tasks.TaskReassigned
    OpinionRecorded = review.OpinionRecorded
    ClockSuspended = timing.ClockSuspended
    ClockResumed = timing.ClockResumed
    DeadlineExtended = timing.DeadlineExtended
    HearingNoticed = hearing.HearingNoticed
    HearingRequested = hearing.HearingRequested
    HearingWaived = hearing.HearingWaived
    HearingRequestLapsed = hearing.HearingRequestLapsed
    HearingScheduled = hearing.HearingScheduled
    HearingRecorded = hearing.HearingRecorded
    LicenseGranted = decision.LicenseGranted
    LicenseDenied = decision.LicenseDenied
    CertificateIssued = decision.CertificateIssued
    DecisionServed = decision.DecisionServed
    ApplicationWithdrawn = endings.ApplicationWithdrawn
    CaseTerminated = endings.CaseTerminated
    AttachmentsAdded = attachments.AttachmentsAdded
    DocumentIssued = documents.DocumentIssued
