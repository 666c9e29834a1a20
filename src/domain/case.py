"""The licence case (许可案件) aggregate: the whole lifecycle of DESIGN §5.

Each public method is a command: it checks the rules (raising a ``DomainError`` whose class
names the rule) and only then records one event. Each event's ``apply`` only moves state and
never fails, so replaying history can never be refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xuke.domain.calendar import WorkingCalendar
from xuke.domain.case_numbers import case_id_for
from xuke.domain.case_records import (
    ApplicantRecord,
    CommandContext,
    CorrectionNotice,
    ServiceRecord,
    StageOpinion,
    Suspension,
    Task,
)
from xuke.domain.catalogue import LicenseItem
from xuke.domain.deadlines import (
    ARTICLE_DECISION,
    DEFAULT_CORRECTION_PERIOD_DAYS,
    DEFAULT_EXTENSION_DAYS,
    SERVICE_PERIOD_DAYS,
    CaseClock,
    SuspensionPeriod,
    acceptance_due,
    correction_due,
    decision_due,
    deemed_acceptance_date,
    public_notice_served_on,
    surely_passed,
    validity_end,
)
from xuke.domain.errors import (
    AcceptanceWindowClosed,
    AlreadyExtended,
    CorrectionAlreadyRequested,
    CorrectionPeriodPassed,
    CorrectionWindowClosed,
    ExpiredClockNotSuspended,
    ExtensionWindowClosed,
    InvalidState,
    NoExtensionForItem,
    ReasonRequired,
    ServiceMethodNotAllowed,
    ValidationFailed,
)
from xuke.domain.free_form import require_json_object
from xuke.domain.model import Actor, Aggregate, local_date
from xuke.domain.organisations import candidate_group
from xuke.domain.stages import (
    BEFORE_ACCEPTANCE,
    BEFORE_DECISION,
    CLOCK_RUNNING,
    CaseStatus,
    Opinion,
    ServiceMethod,
    Stage,
    SuspensionReason,
    TerminationGround,
)

REMEDIES_NOTICE = (
    "申请人如对本决定不服，可以自收到本决定书之日起六十日内依法申请行政复议，"
    "或者六个月内依法向人民法院提起行政诉讼。"
)
_NEXT_STAGE = {Stage.HANDLING: Stage.REVIEW, Stage.REVIEW: Stage.APPROVAL}
_PREVIOUS_STAGE = {Stage.REVIEW: Stage.HANDLING, Stage.APPROVAL: Stage.REVIEW}


class LicenseCase(Aggregate):
    """One application for one licence item, from filing to service of the decision."""

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

    def __init__(self) -> None:
        """State is set by ``ApplicationFiled.apply`` (and by snapshots)."""

    # ------------------------------------------------------------------ events

    class ApplicationFiled(Aggregate.Created):
        """申请: an application was received, online or at the service hall."""

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
        extension_days: int | None = DEFAULT_EXTENSION_DAYS
        decision_article: str = ARTICLE_DECISION

        def apply(self, case: Any) -> None:
            for name in type(self).model_fields:
                if name in LicenseCase.__annotations__:
                    setattr(case, name, getattr(self, name))
            case.filed_by = self.actor
            case.status = CaseStatus.SUBMITTED
            case.stage, case.task, case.tasks_opened = Stage.ACCEPTANCE, None, 0
            case.correction = case.correction_received_on = None
            case.accepted_on = case.acceptance_decided_on = None
            case.deemed_accepted = case.extended = False
            case.opinions, case.suspensions = (), ()
            case.status_before_suspension = case.extension_reason = None
            case.decision = case.decided_on = case.decision_reason = None
            case.certificate_no = case.valid_from = case.valid_to = None
            case.service = case.closed_on = case.closing_reason = None
            case.correction_extended_by, case.termination_ground = 0, None
            case.extension_added, case.service_limit_days = (
                DEFAULT_EXTENSION_DAYS,
                SERVICE_PERIOD_DAYS,
            )
            case._open_task(Stage.ACCEPTANCE, self.timestamp)

    class CorrectionRequested(Aggregate.Event):
        """补正告知: one notice listing all missing materials (Art. 32)."""

        notice: CorrectionNotice

        def apply(self, case: Any) -> None:
            case.correction = self.notice
            case.status = CaseStatus.AWAITING_CORRECTION
            case._close_task()

    class CorrectionPeriodExtended(Aggregate.Event):
        """补正期限延长: once, for good reason shown by the applicant (SAMR 15(4))."""

        extra_working_days: int
        reason: str

        def apply(self, case: Any) -> None:
            case.correction_extended_by = self.extra_working_days

    class ApplicationAbandoned(Aggregate.Event):
        """视为放弃: the correction period passed without the materials (SAMR 15(4)); no
        non-acceptance decision is made."""

        correction_due: dt.date

        def apply(self, case: Any) -> None:
            case._finish(CaseStatus.ABANDONED, "补正期限届满，视为放弃申请", self.timestamp)

    class CorrectionSubmitted(Aggregate.Event):
        """补正: the applicant supplied the missing materials."""

        materials: tuple[str, ...]
        received_on: dt.date

        def apply(self, case: Any) -> None:
            case.materials = tuple(sorted(set(case.materials) | set(self.materials)))
            case.correction_received_on = self.received_on
            case.status = CaseStatus.SUBMITTED
            case._open_task(Stage.ACCEPTANCE, self.timestamp)

    class ApplicationAccepted(Aggregate.Event):
        """受理: with a sealed, dated acceptance notice (Art. 32). ``late`` means the 5 days
        had passed, so by law the acceptance dates from receipt."""

        notice_no: str
        accepted_on: dt.date
        late: bool = False

        def apply(self, case: Any) -> None:
            case._accept(self.accepted_on, local_date(self.timestamp), self.timestamp)

    class ApplicationDeemedAccepted(Aggregate.Event):
        """视为受理: no decision within 5 working days ⇒ accepted as of receipt (Art. 32)."""

        accepted_on: dt.date

        def apply(self, case: Any) -> None:
            case.deemed_accepted = True
            case._accept(self.accepted_on, local_date(self.timestamp), self.timestamp)

    class ApplicationNotAccepted(Aggregate.Event):
        """不予受理: refused with reasons and a sealed, dated notice (Art. 32)."""

        notice_no: str
        reason: str

        def apply(self, case: Any) -> None:
            case.acceptance_decided_on = local_date(self.timestamp)
            case._finish(CaseStatus.NOT_ACCEPTED, self.reason, self.timestamp)

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

    class ClockSuspended(Aggregate.Event):
        """中止计时: hearing, testing, expert review … do not count (Art. 45)."""

        suspension: Suspension

        def apply(self, case: Any) -> None:
            case.suspensions = (*case.suspensions, self.suspension)
            case.status_before_suspension = case.status
            case.status = CaseStatus.SUSPENDED

    class ClockResumed(Aggregate.Event):
        """恢复计时."""

        resumed_on: dt.date

        def apply(self, case: Any) -> None:
            last = case.suspensions[-1].model_copy(update={"end": self.resumed_on})
            case.suspensions = (*case.suspensions[:-1], last)
            case.status = case.status_before_suspension
            case.status_before_suspension = None

    class DeadlineExtended(Aggregate.Event):
        """延期: +10 working days, once, approved by the head, reasons told (Art. 42)."""

        reason: str
        extra_working_days: int

        def apply(self, case: Any) -> None:
            case.extended = True
            case.extension_reason = self.reason
            case.extension_added = self.extra_working_days

    class LicenseGranted(Aggregate.Event):
        """准予许可 (Art. 38); public under Art. 40."""

        notice_no: str
        decided_on: dt.date
        reason: str

        def apply(self, case: Any) -> None:
            case._decide(
                "GRANTED", self.decided_on, self.reason, Stage.CERTIFICATION, self.timestamp
            )

    class LicenseDenied(Aggregate.Event):
        """不予许可: in writing, with reasons and the remedies (复议/诉讼) (Art. 38)."""

        notice_no: str
        decided_on: dt.date
        reason: str
        remedies: str
        service_limit_days: int | None = None  # Law 44 is for grants: only an own limit

        def apply(self, case: Any) -> None:
            case.service_limit_days = self.service_limit_days
            case._decide("DENIED", self.decided_on, self.reason, Stage.SERVICE, self.timestamp)

    class CertificateIssued(Aggregate.Event):
        """制证: the licence certificate (Art. 39, 44)."""

        certificate_no: str
        valid_from: dt.date
        valid_to: dt.date | None

        def apply(self, case: Any) -> None:
            case.certificate_no = self.certificate_no
            case.valid_from, case.valid_to = self.valid_from, self.valid_to
            case._close_task()
            case._open_task(Stage.SERVICE, self.timestamp)

    class DecisionServed(Aggregate.Event):
        """送达 (民事诉讼法 Arts. 87-95)."""

        service: ServiceRecord

        def apply(self, case: Any) -> None:
            case.service = self.service
            case._finish(CaseStatus.CLOSED, None, self.timestamp)

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

    # ------------------------------------------------------------------ state helpers

    def _open_task(self, stage: Stage, at: dt.datetime) -> None:
        self.stage = stage
        self.tasks_opened += 1
        # Built from already-validated facts while replaying: no need to validate again.
        self.task = Task.model_construct(
            no=self.tasks_opened,
            stage=stage,
            candidate_group=candidate_group(self.jurisdiction_code, stage),
            arrived_at=at,
            assignee=None,
        )

    def _close_task(self) -> None:
        self.task = None

    def _accept(self, accepted_on: dt.date, decided_on: dt.date, at: dt.datetime) -> None:
        self.accepted_on, self.acceptance_decided_on = accepted_on, decided_on
        self.status = CaseStatus.ACCEPTED
        self._close_task()
        self._open_task(Stage.HANDLING, at)

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
        self.trigger_event(
            event_class,
            actor=ctx.actor,
            timestamp=ctx.at,
            idempotency_key=ctx.idempotency_key,
            **fields,
        )

    # ------------------------------------------------------------------ queries

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
        )

    def notice_no(self, kind: str) -> str:
        """Numbers of the written notices (受理/不予受理/补正/决定书): case number + kind."""
        return f"{self.case_no}-{kind}"

    def task_id(self, task: Task | None = None) -> str | None:
        task = task or self.task
        return f"{self.case_no}#{task.no}" if task else None

    # ------------------------------------------------------------------ guards

    def _require_status(self, *allowed: CaseStatus, action: str) -> None:
        if self.status not in allowed:
            raise InvalidState(f"案件状态为 {self.status.value}，不能{action}")

    def _require_stage(self, stage: Stage, action: str) -> None:
        if self.stage is not stage:
            raise InvalidState(f"案件当前环节为 {self.stage.value}，不能{action}")

    @staticmethod
    def _require_reason(reason: str, field: str = "reason") -> str:
        if not reason.strip():
            raise ReasonRequired("必须说明理由", field)
        return reason.strip()

    def check_acceptance_window(
        self, calendar: WorkingCalendar, today: dt.date, action: str
    ) -> None:
        """Law 32: correction notices and non-acceptance only within 5 working days (on an
        estimated year, unless even its latest plausible reading has passed)."""
        clock = self.clock()
        due = surely_passed(lambda c: acceptance_due(clock, c), calendar, today)
        if due is not None:
            error = CorrectionWindowClosed if action == "correction" else AcceptanceWindowClosed
            raise error(f"受理期限 {due.date.isoformat()} 已过，视为受理")

    # ------------------------------------------------------------------ commands

    @classmethod
    def file(
        cls,
        ctx: CommandContext,
        *,
        case_no: str,
        item: LicenseItem,
        applicant: ApplicantRecord,
        applicant_division: str,
        jurisdiction_code: str,
        channel: str,
        materials: tuple[str, ...],
        form: dict[str, Any],
        received_at: dt.datetime,
        query_code_hash: str,
    ) -> LicenseCase:
        """在线申报 / 窗口收件. Materials must be ones the item knows of; missing required
        ones are what the correction notice is for, so they do not block filing."""
        if channel not in ("ONLINE", "HALL"):
            raise ValidationFailed("渠道必须是 ONLINE 或 HALL", "channel")
        if received_at > ctx.at:
            raise ValidationFailed("收件时间不能晚于当前时间", "receivedAt")
        unknown = set(materials) - item.material_codes
        if unknown:
            raise ValidationFailed(f"未知的申请材料: {', '.join(sorted(unknown))}", "materials")
        require_json_object(form, "form")
        return cls._create(
            cls.ApplicationFiled,
            id=case_id_for(case_no),
            actor=ctx.actor,
            timestamp=ctx.at,
            idempotency_key=ctx.idempotency_key,
            case_no=case_no,
            item_code=item.code,
            item_name=item.name,
            item_abbreviation=item.abbreviation,
            legal_time_limit_days=item.legal_time_limit_days,
            committed_time_limit_days=item.committed_time_limit_days,
            certificate_validity_years=item.certificate_validity_years,
            required_materials=tuple(sorted(item.required_material_codes)),
            applicant=applicant,
            applicant_division=applicant_division,
            jurisdiction_code=jurisdiction_code,
            channel=channel,
            materials=tuple(sorted(set(materials))),
            form=form,
            received_at=received_at,
            query_code_hash=query_code_hash,
            extension_days=item.extension_days,
            decision_article=item.legal_time_limit_article,
        )

    def request_correction(
        self,
        ctx: CommandContext,
        calendar: WorkingCalendar,
        missing: list[str],
        note: str,
        period_days: int = DEFAULT_CORRECTION_PERIOD_DAYS,
    ) -> None:
        """Law 32: once, listing all missing materials, within 5 working days of receipt;
        SAMR 15(4): setting a reasonable period for the corrections."""
        self._require_status(CaseStatus.SUBMITTED, action="告知补正")
        if not 1 <= period_days <= 60:
            raise ValidationFailed("补正期限必须在 1 到 60 个工作日之间", "correctionWorkingDays")
        if self.correction is not None:
            raise CorrectionAlreadyRequested("补正告知只能一次性发出")
        self.check_acceptance_window(calendar, local_date(ctx.at), "correction")
        if not missing:
            raise ValidationFailed("必须列明需要补正的全部材料", "missingMaterials")
        unknown = set(missing) - set(self.required_materials)
        if unknown:
            raise ValidationFailed(
                f"不是本事项的必需材料: {', '.join(sorted(unknown))}", "missingMaterials"
            )
        still_missing = set(self.required_materials) - set(self.materials)
        if not still_missing <= set(missing):
            absent = ", ".join(sorted(still_missing - set(missing)))
            raise ValidationFailed(
                f"补正告知必须一次列明全部缺少的材料，还缺: {absent}", "missingMaterials"
            )
        notice = CorrectionNotice(
            notice_no=self.notice_no("BZ"),
            missing_materials=tuple(sorted(set(missing))),
            note=self._require_reason(note, "note"),
            requested_on=local_date(ctx.at),
            period_days=period_days,
        )
        self._record(self.CorrectionRequested, ctx, notice=notice)

    def _correction_passed(self, calendar: WorkingCalendar, today: dt.date) -> dt.date | None:
        clock = self.clock()
        due = surely_passed(lambda c: correction_due(clock, c), calendar, today)
        return due.date if due else None

    def extend_correction_period(
        self, ctx: CommandContext, extra_working_days: int, reason: str
    ) -> None:
        """SAMR 15(4): the period may be extended once for good reason — even after it
        passed, as long as the abandonment is not recorded yet."""
        self._require_status(CaseStatus.AWAITING_CORRECTION, action="延长补正期限")
        if self.correction_extended_by:
            raise AlreadyExtended("补正期限只能延长一次")
        if not 1 <= extra_working_days <= 60:
            raise ValidationFailed("延长的工作日必须在 1 到 60 之间", "extraWorkingDays")
        self._record(
            self.CorrectionPeriodExtended,
            ctx,
            extra_working_days=extra_working_days,
            reason=self._require_reason(reason),
        )

    def abandon(self, ctx: CommandContext, calendar: WorkingCalendar) -> None:
        """SAMR 15(4): recorded by the system once the correction period has surely passed."""
        self._require_status(CaseStatus.AWAITING_CORRECTION, action="视为放弃")
        due = self._correction_passed(calendar, local_date(ctx.at))
        if due is None:
            raise InvalidState("补正期限尚未届满")
        self._record(self.ApplicationAbandoned, ctx, correction_due=due)

    def submit_correction(
        self, ctx: CommandContext, calendar: WorkingCalendar, materials: list[str]
    ) -> None:
        """补正: all the listed materials, within the period the notice set (SAMR 15(4))."""
        self._require_status(CaseStatus.AWAITING_CORRECTION, action="提交补正材料")
        assert self.correction is not None
        due = self._correction_passed(calendar, local_date(ctx.at))
        if due is not None:
            raise CorrectionPeriodPassed(f"补正期限 {due.isoformat()} 已过，视为放弃申请")
        missing = set(self.correction.missing_materials) - set(materials)
        if missing:
            raise ValidationFailed(f"补正材料不全，还缺: {', '.join(sorted(missing))}", "materials")
        self._record(
            self.CorrectionSubmitted,
            ctx,
            materials=tuple(sorted(set(materials))),
            received_on=local_date(ctx.at),
        )

    def accept(self, ctx: CommandContext, calendar: WorkingCalendar) -> None:
        """Law 32: accept. After the 5-day window the law has already deemed the
        application accepted as of receipt, so that date is the acceptance date."""
        self._require_status(CaseStatus.SUBMITTED, action="受理")
        today, clock = local_date(ctx.at), self.clock()
        late = surely_passed(lambda c: acceptance_due(clock, c), calendar, today) is not None
        accepted_on = deemed_acceptance_date(clock) if late else today
        self._record(
            self.ApplicationAccepted,
            ctx,
            notice_no=self.notice_no("SL"),
            accepted_on=accepted_on,
            late=late,
        )

    def deem_accepted(self, ctx: CommandContext, calendar: WorkingCalendar) -> None:
        """Law 32: past the acceptance deadline with no decision ⇒ accepted as of receipt
        (never on an estimate that may still be running)."""
        self._require_status(CaseStatus.SUBMITTED, action="视为受理")
        clock = self.clock()
        if surely_passed(lambda c: acceptance_due(clock, c), calendar, local_date(ctx.at)) is None:
            due = acceptance_due(clock, calendar).date
            raise InvalidState(f"受理期限 {due.isoformat()} 尚未确定届满")
        accepted_on = deemed_acceptance_date(clock)
        self._record(self.ApplicationDeemedAccepted, ctx, accepted_on=accepted_on)

    def reject(self, ctx: CommandContext, calendar: WorkingCalendar, reason: str) -> None:
        """Art. 32: 不予受理 with reasons, within the acceptance window."""
        self._require_status(CaseStatus.SUBMITTED, action="不予受理")
        reason = self._require_reason(reason)
        self.check_acceptance_window(calendar, local_date(ctx.at), "rejection")
        self._record(
            self.ApplicationNotAccepted, ctx, notice_no=self.notice_no("BSL"), reason=reason
        )

    def claim(self, ctx: CommandContext, task_no: int) -> None:
        if self.task is None or self.task.no != task_no:
            raise InvalidState("该任务已办结或不存在")
        if self.task.assignee == ctx.actor.id:
            raise InvalidState("该任务已由您签收")
        if self.task.assignee is not None:
            raise InvalidState(f"该任务已由 {self.task.assignee} 签收")
        self._record(self.TaskClaimed, ctx, task_no=task_no, assignee=ctx.actor.id)

    def record_opinion(
        self, ctx: CommandContext, opinion: Opinion, comment: str, fields: dict[str, Any] | None
    ) -> None:
        """承办 → 审核 → 审批: AGREE/DISAGREE send the case on (the approver's opinion stays
        at APPROVAL for the decision); RETURN sends it back one stage."""
        self._require_status(*CLOCK_RUNNING, action="签署意见")
        if self.stage not in (Stage.HANDLING, Stage.REVIEW, Stage.APPROVAL):
            raise InvalidState(f"环节 {self.stage.value} 不签署审查意见")
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
        self._record(self.OpinionRecorded, ctx, opinion=record, next_stage=next_stage)

    def suspend_clock(
        self,
        ctx: CommandContext,
        calendar: WorkingCalendar,
        reason: SuspensionReason,
        expected_working_days: int,
        note: str,
    ) -> None:
        """Law 45: the applicant is told in writing how long the procedure takes. A period
        that has already run out is not revived by a suspension."""
        self._require_status(*CLOCK_RUNNING, action="中止计时")
        self._require_decision_period_running(
            calendar, local_date(ctx.at), ExpiredClockNotSuspended, "中止计时"
        )
        if not 0 < expected_working_days <= 250:
            raise ValidationFailed("预计所需工作日必须在 1 到 250 之间", "expectedWorkingDays")
        suspension = Suspension(
            reason=reason,
            expected_working_days=expected_working_days,
            note=self._require_reason(note, "note"),
            start=local_date(ctx.at),
        )
        self._record(self.ClockSuspended, ctx, suspension=suspension)

    def resume_clock(self, ctx: CommandContext) -> None:
        self._require_status(CaseStatus.SUSPENDED, action="恢复计时")
        self._record(self.ClockResumed, ctx, resumed_on=local_date(ctx.at))

    def _require_decision_period_running(
        self, calendar: WorkingCalendar, today: dt.date, error: type[Exception], action: str
    ) -> None:
        clock = self.clock()
        due = surely_passed(lambda c: decision_due(clock, c, today), calendar, today)
        if due is not None:
            raise error(f"决定期限 {due.date.isoformat()} 已过，不能{action}")

    def extend_deadline(self, ctx: CommandContext, calendar: WorkingCalendar, reason: str) -> None:
        """Law 42: one extension — the item's (10 working days unless its own law says
        otherwise, possibly none) — before the limit runs out."""
        self._require_status(*CLOCK_RUNNING, CaseStatus.SUSPENDED, action="延期")
        if not self.extension_days:
            raise NoExtensionForItem(f"{self.item_name}的法定期限依法不得延长")
        if self.extended:
            raise AlreadyExtended("法定期限只能延长一次")
        reason = self._require_reason(reason)
        self._require_decision_period_running(
            calendar, local_date(ctx.at), ExtensionWindowClosed, "再延期"
        )
        self._record(
            self.DeadlineExtended, ctx, reason=reason, extra_working_days=self.extension_days
        )

    def decide(
        self,
        ctx: CommandContext,
        grant: bool,
        reason: str,
        denial_service_days: int | None = None,
    ) -> None:
        """Law 38: a refusal needs reasons and states the remedies. Law 44's service limit
        is for grants; a denial gets the authority's own limit, if it set one."""
        self._require_status(*CLOCK_RUNNING, action="作出决定")
        self._require_stage(Stage.APPROVAL, "作出决定")
        today = local_date(ctx.at)
        if grant:
            self._record(
                self.LicenseGranted,
                ctx,
                notice_no=self.notice_no("ZY"),
                decided_on=today,
                reason=reason.strip(),
            )
        else:
            self._record(
                self.LicenseDenied,
                ctx,
                notice_no=self.notice_no("BY"),
                decided_on=today,
                reason=self._require_reason(reason),
                remedies=REMEDIES_NOTICE,
                service_limit_days=denial_service_days,
            )

    def issue_certificate(self, ctx: CommandContext) -> None:
        """Art. 44: the certificate, valid for the item's term from the day of issue."""
        self._require_status(CaseStatus.GRANTED, action="制证")
        self._require_stage(Stage.CERTIFICATION, "制证")
        valid_from = local_date(ctx.at)
        valid_to = None
        if self.certificate_validity_years:
            valid_to = validity_end(valid_from, self.certificate_validity_years)
        authority, year, abbreviation, seq = self.case_no.split("-")
        self._record(
            self.CertificateIssued,
            ctx,
            certificate_no=f"XK{authority}-{abbreviation}-{year}-{seq}",
            valid_from=valid_from,
            valid_to=valid_to,
        )

    def record_service(
        self,
        ctx: CommandContext,
        method: ServiceMethod,
        served_at: dt.datetime,
        proof: str | None = None,
        reason: str | None = None,
    ) -> None:
        """送达 (SAMR 62 → penalty procedure rules 82-83). The authority meets Law 44 on the
        day it serves — for a public notice, the day of the notice; the applicant is deemed
        served 30 days later, which starts their remedy periods."""
        self._require_status(CaseStatus.GRANTED, CaseStatus.DENIED, action="送达")
        self._require_stage(Stage.SERVICE, "送达")
        if served_at > ctx.at:
            raise ValidationFailed("送达时间不能晚于当前时间", "servedAt")
        if self.decided_on and local_date(served_at) < self.decided_on:
            raise ValidationFailed("送达时间不能早于决定日期", "servedAt")
        reason = self._check_service_method(method, reason)
        served_on = local_date(served_at)
        if method is ServiceMethod.PUBLIC_NOTICE:
            served_on = public_notice_served_on(served_on)
        record = ServiceRecord(
            method=method, served_at=served_at, deemed_served_on=served_on, proof=proof,
            reason=reason,
        )  # fmt: skip
        self._record(self.DecisionServed, ctx, service=record)

    def _check_service_method(self, method: ServiceMethod, reason: str | None) -> str | None:
        """Electronic service needs the applicant's consent and a confirmed address on the
        case; public notice and leaving at the address need the reason recorded."""
        if method is ServiceMethod.ELECTRONIC and not (
            self.form.get("electronicServiceConsent")
            and str(self.form.get("electronicServiceAddress") or "").strip()
        ):
            raise ServiceMethodNotAllowed(
                "电子送达须申请人同意并确认送达地址（electronicServiceConsent、electronicServiceAddress）",
                "method",
            )
        if method in (ServiceMethod.PUBLIC_NOTICE, ServiceMethod.LEFT_AT_ADDRESS):
            why = "公告送达须说明受送达人下落不明或者其他方式无法送达的理由"
            if method is ServiceMethod.LEFT_AT_ADDRESS:
                why = "留置送达须记明拒收事由"
            if not (reason or "").strip():
                raise ReasonRequired(why, "reason")
        return reason.strip() if reason and reason.strip() else None

    def withdraw(self, ctx: CommandContext, reason: str) -> None:
        """撤回 any time before the decision. After acceptance it is a termination on the
        applicant's request (SAMR 30(1)): the case is TERMINATED, with a termination notice."""
        self._require_status(*BEFORE_DECISION, action="撤回")
        reason = self._require_reason(reason)
        if self.status in BEFORE_ACCEPTANCE:
            self._record(self.ApplicationWithdrawn, ctx, reason=reason)
        else:
            self._record(
                self.CaseTerminated, ctx, reason=reason, ground=TerminationGround.APPLICANT_REQUEST
            )

    def terminate(self, ctx: CommandContext, ground: TerminationGround, reason: str) -> None:
        """终止 (SAMR 30-32; GYCP 实施办法 32): the approver ends a case that cannot go on."""
        self._require_status(*BEFORE_DECISION, action="终止")
        self._record(self.CaseTerminated, ctx, reason=self._require_reason(reason), ground=ground)
