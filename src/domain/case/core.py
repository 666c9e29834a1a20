"""The licence case's state and the helpers every phase uses: tasks, decisions, endings,
guards, and the facts its deadlines depend on (``clock``).

The state is declared here once: snapshots dump and validate exactly these fields
(``Aggregate.state_model``), and a default serves events and snapshots recorded before a
field existed.
"""

from __future__ import annotations

import datetime as dt
import inspect
from typing import TYPE_CHECKING, Any
from uuid import UUID

from xuke.domain.case_records import (
    ApplicantRecord,
    AttachmentRecord,
    CommandContext,
    CorrectionNotice,
    HearingRecord,
    PreliminaryReviewRecord,
    ServiceRecord,
    StageOpinion,
    Suspension,
    Task,
)
from xuke.domain.deadlines import (
    ARTICLE_DECISION,
    DEFAULT_EXTENSION_DAYS,
    SERVICE_PERIOD_DAYS,
    CaseClock,
    SuspensionPeriod,
)
from xuke.domain.documents import DocumentRecord
from xuke.domain.errors import (
    InvalidState,
    ReasonRequired,
)
from xuke.domain.model import Actor, Aggregate, local_date
from xuke.domain.organisations import candidate_group
from xuke.domain.stages import (
    ApplicationKind,
    CaseStatus,
    Stage,
    TerminationGround,
    named,
)


class CaseCore:
    """Mixed into ``LicenseCase`` (an eventsourcing aggregate); not an aggregate itself."""

    case_no: str
    item_code: str
    item_name: str
    item_abbreviation: str
    legal_time_limit_days: int
    committed_time_limit_days: int | None
    certificate_validity_years: int | None
    required_materials: tuple[str, ...]
    applicant: ApplicantRecord
    applicant_division: str
    jurisdiction_code: str
    channel: str
    materials: tuple[str, ...]
    form: dict[str, Any]
    received_at: dt.datetime
    query_code_hash: str
    filed_by: Actor
    status: CaseStatus
    stage: Stage
    task: Task | None
    tasks_opened: int
    correction: CorrectionNotice | None
    correction_received_on: dt.date | None
    accepted_on: dt.date | None
    acceptance_decided_on: dt.date | None
    deemed_accepted: bool
    opinions: tuple[StageOpinion, ...]
    suspensions: tuple[Suspension, ...]
    status_before_suspension: CaseStatus | None
    extended: bool
    extension_reason: str | None
    decision: str | None
    decided_on: dt.date | None
    decision_reason: str | None
    certificate_no: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    service: ServiceRecord | None
    closed_on: dt.date | None
    closing_reason: str | None
    # Added later: class defaults serve events and snapshots recorded before them.
    extension_days: int | None = DEFAULT_EXTENSION_DAYS  # the item's, at filing (Law 42)
    decision_article: str = ARTICLE_DECISION
    extension_added: int = DEFAULT_EXTENSION_DAYS  # what the recorded extension added
    correction_extended_by: int = 0  # SAMR 15(4): the correction period's one extension
    service_limit_days: int | None = SERVICE_PERIOD_DAYS  # Law 44; a denial: own limit or None
    termination_ground: TerminationGround | None = None
    hearing: HearingRecord | None = None  # the latest hearing (Law 46-48; ``hearing.py``)
    kind: ApplicationKind = ApplicationKind.NEW  # a holder's later application (v2)
    licence_no: str | None = None  # the licence a holder's application concerns
    # Law 43: the lower authority that accepts and reviews first, and what it sent up.
    preliminary_org: str | None = None
    preliminary: PreliminaryReviewRecord | None = None
    item_version: int = 1  # the catalogue's version of the item it was filed under
    # Materials as files (``attachments.py``): which uploaded file stands for which material.
    attachments: tuple[AttachmentRecord, ...] = ()
    # Legal documents issued (``documents.py``): number, kind, date and the PDF's SHA-256.
    documents: tuple[DocumentRecord, ...] = ()

    if TYPE_CHECKING:  # provided by the aggregate base class
        id: UUID
        version: int

        def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None: ...

        @classmethod
        def _create(cls, event_class: type[Any], **kwargs: Any) -> Any: ...

    def _open_task(self, stage: Stage, at: dt.datetime) -> None:
        self.stage = stage
        self.tasks_opened += 1
        # Built from already-validated facts while replaying: no need to validate again.
        self.task = Task.model_construct(
            no=self.tasks_opened,
            stage=stage,
            candidate_group=candidate_group(self.acting_org(stage), stage),
            arrived_at=at,
            assignee=None,
        )

    def _close_task(self) -> None:
        self.task = None

    def _accept(self, accepted_on: dt.date, decided_on: dt.date, at: dt.datetime) -> None:
        self.accepted_on, self.acceptance_decided_on = accepted_on, decided_on
        self.status = CaseStatus.ACCEPTED
        self._close_task()
        first = Stage.PRELIMINARY_REVIEW if self.preliminary_org else Stage.HANDLING
        self._open_task(first, at)

    def acting_org(self, stage: Stage | None = None) -> str:
        """Who works the case at ``stage`` (default: now): the lower authority accepts and
        reviews first where the item requires it (Law 43); the competent authority does the
        rest."""
        stage = stage or self.stage
        lower = stage in (Stage.ACCEPTANCE, Stage.PRELIMINARY_REVIEW)
        return self.preliminary_org if lower and self.preliminary_org else self.jurisdiction_code

    def _decide(
        self, decision: str, on: dt.date, reason: str, next_stage: Stage, at: dt.datetime
    ) -> None:
        self.decision, self.decided_on, self.decision_reason = decision, on, reason
        self.status = CaseStatus.GRANTED if decision == "GRANTED" else CaseStatus.DENIED
        self._close_task()
        self._open_task(next_stage, at)

    def _finish(self, status: CaseStatus, reason: str | None, at: dt.datetime) -> None:
        self.status, self.stage = status, Stage.DONE
        self.closed_on, self.closing_reason = local_date(at), reason
        self._close_task()

    def _record(
        self, event_class: type[Aggregate.Event], ctx: CommandContext, **fields: Any
    ) -> None:
        """Trigger the aggregate's own class of that name: the one eventsourcing defined on
        ``LicenseCase``, whose topic the store records."""
        self.trigger_event(
            getattr(type(self), event_class.__name__),
            actor=ctx.actor,
            timestamp=ctx.at,
            idempotency_key=ctx.idempotency_key,
            **fields,
        )

    def clock(self) -> CaseClock:
        """The facts its deadlines depend on (see ``domain.deadlines``)."""
        ended_without_decision = self.closed_on if self.decided_on is None else None
        correction = self.correction
        correction_days = None
        if correction is not None and correction.period_days is not None:
            correction_days = correction.period_days + self.correction_extended_by
        return CaseClock(
            received_on=local_date(self.received_at),
            legal_days=self.legal_time_limit_days,
            committed_days=self.committed_time_limit_days,
            correction_received_on=self.correction_received_on,
            accepted_on=self.accepted_on,
            suspensions=tuple(
                SuspensionPeriod(s.start, s.end, s.reason.value) for s in self.suspensions
            ),
            extended=self.extended,
            extension_days=self.extension_added,
            decided_on=self.decided_on,
            # Law 44 is met by the authority's act: a public notice's own day.
            served_on=local_date(self.service.served_at) if self.service else None,
            closed_on=ended_without_decision,
            acceptance_decided_on=self.acceptance_decided_on,
            service_days=self.service_limit_days if self.decided_on else SERVICE_PERIOD_DAYS,
            correction_requested_on=correction.requested_on if correction else None,
            correction_days=correction_days,
            ended_on=self.closed_on,
            decision_article=self.decision_article,
            granted=self.decision == "GRANTED",
            hearing_request_from=self.hearing.request_window_from if self.hearing else None,
            hearing_hold_from=self.hearing.hold_from if self.hearing else None,
            preliminary=self.preliminary_org is not None,
            forwarded_on=self.preliminary.forwarded_on if self.preliminary else None,
        )

    def notice_no(self, kind: str) -> str:
        """Numbers of the written notices (受理/不予受理/补正/决定书): case number + kind."""
        return f"{self.case_no}-{kind}"

    def task_id(self, task: Task | None = None) -> str | None:
        task = task or self.task
        return f"{self.case_no}#{task.no}" if task else None

    def _require_status(self, *allowed: CaseStatus, action: str) -> None:
        if self.status not in allowed:
            raise InvalidState(f"案件状态为{named(self.status)}，不能{action}")

    def _require_stage(self, stage: Stage, action: str) -> None:
        if self.stage is not stage:
            raise InvalidState(f"案件当前环节为{named(self.stage)}，不能{action}")

    @staticmethod
    def _require_reason(reason: str, field: str = "reason") -> str:
        if not reason.strip():
            raise ReasonRequired("必须说明理由", field)
        return reason.strip()


STATE_FIELDS = frozenset(inspect.get_annotations(CaseCore)) - {"id", "version"}
