"""The licensing application: one method per mutation of the GraphQL contract.

Each method reads like a procedure — load, authorize, call the aggregate, save — and the
shared machinery (idempotency, optimistic concurrency, snapshots) lives in ``_execute``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from xuke.domain.calendar import (
    CALENDAR_ID,
    DueDate,
    HolidayCalendar,
    WorkingCalendar,
    YearSchedule,
)
from xuke.domain.case import LicenseCase
from xuke.domain.case_numbers import CaseNumberSequence, case_id_for, format_case_no
from xuke.domain.case_records import ApplicantRecord, CommandContext
from xuke.domain.catalogue import Catalogue, default_catalogue
from xuke.domain.deadlines import (
    AuthorityLimits,
    Deadlines,
    Explanation,
    LightThresholds,
    compute_deadlines,
    explain_deadlines,
)
from xuke.domain.errors import (
    Conflict,
    DomainError,
    IdempotencyKeyReused,
    NotFound,
    ValidationFailed,
)
from xuke.domain.model import Aggregate, AggregateSnapshot, DomainEvent, local_date
from xuke.domain.organisations import OrganisationTree, default_organisations
from xuke.domain.roles import OVERSIGHT_ROLES, Role
from xuke.domain.stages import Opinion, ServiceMethod, SuspensionReason, TerminationGround

from . import authorization as authz
from .calendar_seed import chinesecalendar_schedules
from .clock import Clock, SystemClock
from .group_commit import GroupCommitRecorder
from .histories import CaseHistories
from .idempotency import IdempotencyRecord, fingerprint
from .persistence import OrjsonTranscoder, PydanticMapper
from .principal import SYSTEM, Principal

log = logging.getLogger("xuke.application")

_QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
FILING_RETRIES = 50  # numbering races at one authority are retried, not reported


@dataclass(frozen=True)
class CommandResult:
    case: LicenseCase
    notification_id: int | None  # the last position written; None for a replay
    query_code: str | None = None  # fileApplication only: shown once to the applicant
    replayed: bool = False


Authorize = Callable[[Principal, LicenseCase, str], Role]
Change = Callable[[LicenseCase, CommandContext], None]
Act = Callable[[dt.datetime], tuple[LicenseCase, Sequence[Aggregate]]]


class LicensingApplication(Application[UUID]):
    name = "xuke"
    env: ClassVar[dict[str, str]] = {
        "MAPPER_TOPIC": get_topic(PydanticMapper),
        "TRANSCODER_TOPIC": get_topic(OrjsonTranscoder),
    }
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        LicenseCase: 10,
        CaseNumberSequence: 50,
        HolidayCalendar: 5,
    }
    snapshot_class = AggregateSnapshot

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Clock | None = None,
        secret: bytes = b"xuke-development-secret",
        thresholds: LightThresholds | None = None,
        catalogue: Catalogue | None = None,
        organisations: OrganisationTree | None = None,
        on_forbidden: Callable[[authz.Forbidden], None] | None = None,
        group_commit: bool = True,
        limits: AuthorityLimits | None = None,
    ) -> None:
        super().__init__(env)
        if group_commit:  # concurrent commands share transactions (application/group_commit.py)
            self.events.recorder = GroupCommitRecorder(self.recorder)  # type: ignore[assignment]
        self.clock: Clock = clock or SystemClock()
        self.secret = secret
        self.thresholds = thresholds or LightThresholds()
        self.limits = limits or AuthorityLimits()
        self.catalogue = catalogue or default_catalogue()
        self.organisations = organisations or default_organisations()
        self.on_forbidden = on_forbidden or _log_forbidden
        self._calendar: HolidayCalendar | None = None
        self._working: WorkingCalendar | None = None
        self._calendar_lock = threading.Lock()
        self.histories = CaseHistories(self.events, self.repository)
        self._numbering_locks: dict[str, threading.Lock] = {}  # by authority (_numbering)
        self._numbering_guard = threading.Lock()

    def discard_broken(self) -> None:
        """After an outage: test the store's pooled connections once and replace those the
        server dropped, instead of pinging before every use."""
        pool = getattr(getattr(self.recorder, "datastore", None), "pool", None)
        if pool is not None:
            pool.check()

    # ------------------------------------------------------------------ set-up

    def seed_calendar(self) -> bool:
        """Create the calendar from chinesecalendar's official years, once (``xuke migrate``)."""
        if self._exists(CALENDAR_ID):
            return False
        calendar = HolidayCalendar.open(
            chinesecalendar_schedules(), SYSTEM.acting_as(None), self.clock.now()
        )
        try:
            self.save(calendar)
        except IntegrityError:
            return False  # another process seeded it first
        return True

    # ------------------------------------------------------------------ queries

    def get_case(self, case_no: str, version: int | None = None) -> LicenseCase:
        try:
            case: LicenseCase = self.repository.get(case_id_for(case_no), version=version)
        except AggregateNotFoundError:
            raise NotFound(f"案件 {case_no} 不存在") from None
        return case

    def case_for(self, principal: Principal, case_no: str) -> LicenseCase | None:
        """The case, or None when it is absent or not visible to the caller."""
        try:
            case = self.get_case(case_no)
        except NotFound:
            return None
        return case if authz.can_view(principal, case) else None

    def case_as_of(self, principal: Principal, case_no: str, version: int | None) -> LicenseCase:
        """Auditors' replay: the case exactly as it stood after ``version``."""
        return self.case_history(principal, case_no, version)[0]

    def case_history(
        self, principal: Principal, case_no: str, version: int | None
    ) -> tuple[LicenseCase, list[DomainEvent]]:
        """The case as it stood after ``version`` and the events that made it so, from one
        look at the store: histories and past states are kept decoded (``CaseHistories``),
        since neither can ever change."""
        if not principal.roles & OVERSIGHT_ROLES:
            raise authz.Forbidden(
                "回溯案件历史需要 AUDITOR、SUPERVISOR 或 ADMIN 角色", principal, "回溯"
            )
        case_id = case_id_for(case_no)
        events = self.histories.events(case_id)
        if not events:
            raise NotFound(f"案件 {case_no} 不存在")
        case = self.histories.state(case_id, len(events))
        if not principal.covers(case.jurisdiction_code):
            self._deny(authz.Forbidden("案件不在您的辖区内", principal, "回溯", case_no))
        if version is not None:
            if not 1 <= version <= case.version:
                raise ValidationFailed(f"版本必须在 1 到 {case.version} 之间", "asOfVersion")
            case = self.histories.state(case_id, version)
        return case, [e for e in events[: case.version] if isinstance(e, DomainEvent)]

    def history(self, case: LicenseCase, up_to: int | None = None) -> list[DomainEvent]:
        events = self.histories.events(case.id)[:up_to]
        return [e for e in events if isinstance(e, DomainEvent)]

    def calendar_history(self) -> list[DomainEvent]:
        """Which calendar applied when: the seed and every year an ADMIN loaded."""
        return [e for e in self.events.get(CALENDAR_ID) if isinstance(e, DomainEvent)]

    def working_calendar(self) -> WorkingCalendar:
        """The calendar in force; one cheap look for newer events per call, so a year loaded
        by another process counts at once."""
        with self._calendar_lock:
            if self._calendar is None or any(
                True for _ in self.events.get(CALENDAR_ID, gt=self._calendar.version, limit=1)
            ):
                try:
                    self._calendar = self.repository.get(CALENDAR_ID)
                except AggregateNotFoundError:
                    raise RuntimeError(
                        "the working-day calendar is missing: run `xuke migrate`"
                    ) from None
            if self._working is None or self._working.version != self._calendar.version:
                self._working = self._calendar.working_calendar()  # indexed once per version
            return self._working

    def deadlines(
        self,
        case: LicenseCase,
        today: dt.date | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> Deadlines:
        today = today or local_date(self.clock.now())
        return compute_deadlines(
            case.clock(), calendar or self.working_calendar(), today, self.thresholds
        )

    def explain_deadlines(
        self,
        case: LicenseCase,
        today: dt.date | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> list[Explanation]:
        """Every limit of the case, day by day, counted by the functions that give its dates."""
        today = today or local_date(self.clock.now())
        return explain_deadlines(case.clock(), calendar or self.working_calendar(), today)

    def add_working_days(self, start: dt.date, days: int) -> DueDate:
        if not 0 <= days <= 3650:
            raise ValidationFailed("天数必须在 0 到 3650 之间", "days")
        return self.working_calendar().add_working_days(start, days)

    def query_code(self, case_id: UUID) -> str:
        """查询码: derived by HMAC from the case id, so it is never stored (only its hash is)
        and a retried filing can show it again."""
        digest = hmac.new(self.secret, case_id.bytes, hashlib.sha256).digest()
        return "".join(_QUERY_CODE_ALPHABET[b % 32] for b in digest[:10])

    @staticmethod
    def hash_query_code(code: str) -> str:
        return hashlib.sha256(code.strip().upper().encode()).hexdigest()

    def check_query_code(self, case: LicenseCase, code: str) -> bool:
        return hmac.compare_digest(case.query_code_hash, self.hash_query_code(code))

    # ------------------------------------------------------------------ commands

    def file_application(
        self,
        principal: Principal,
        *,
        item_code: str,
        applicant: dict[str, Any],
        jurisdiction_code: str,
        materials: Sequence[str],
        form: dict[str, Any] | None = None,
        channel: str = "ONLINE",
        received_at: dt.datetime | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """在线申报 (applicant) or 窗口收件 (clerk, ``channel="HALL"``)."""
        inputs = {
            "item_code": item_code, "applicant": applicant, "jurisdiction_code": jurisdiction_code,
            "materials": sorted(materials), "form": form, "channel": channel, "received_at": received_at,
        }  # fmt: skip

        def act(at: dt.datetime) -> tuple[LicenseCase, Sequence[Aggregate]]:
            item = self.catalogue.get(item_code)
            record = ApplicantRecord.from_input(**applicant)
            authority = self.organisations.competent_authority(item.level, jurisdiction_code)
            role = self._authorize(
                lambda: authz.require_filer(principal, record.identity, channel, authority.code)
            )
            if received_at is not None and (channel != "HALL" or received_at.tzinfo is None):
                raise ValidationFailed("receivedAt 只用于窗口收件，且须带时区", "receivedAt")
            ctx = CommandContext(
                actor=principal.acting_as(role), at=at, idempotency_key=idempotency_key
            )
            sequence = self._sequence(authority.code, local_date(at).year, ctx)
            case_no = format_case_no(
                authority.code, sequence.year, item.abbreviation, sequence.issue(ctx.actor, at)
            )
            case = LicenseCase.file(
                ctx, case_no=case_no, item=item, applicant=record, applicant_division=jurisdiction_code,
                jurisdiction_code=authority.code, channel=channel, materials=tuple(materials),
                form=form or {}, received_at=received_at or at,
                query_code_hash=self.hash_query_code(self.query_code(case_id_for(case_no))),
            )  # fmt: skip
            return case, [sequence]

        with self._numbering(item_code, jurisdiction_code):
            result = self._execute(
                principal, "fileApplication", inputs, idempotency_key, act, FILING_RETRIES
            )
        return CommandResult(
            case=result.case,
            notification_id=result.notification_id,
            query_code=self.query_code(result.case.id),
            replayed=result.replayed,
        )

    def request_correction(
        self,
        principal: Principal,
        case_no: str,
        missing_materials: list[str],
        note: str,
        idempotency_key: str | None = None,
        period_days: int | None = None,
    ) -> CommandResult:
        """补正告知 (Law 32) with its period (SAMR 15(4); the authority's default)."""
        days = period_days or self.limits.correction_period_days
        return self._case_command(
            principal, "requestCorrection", case_no,
            {"missing": sorted(missing_materials), "note": note, "days": period_days},
            idempotency_key, self._clerk,
            lambda case, ctx: case.request_correction(ctx, self.working_calendar(), missing_materials, note, days),
        )  # fmt: skip

    def extend_correction_period(
        self,
        principal: Principal,
        case_no: str,
        extra_working_days: int,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """补正期限延长 (SAMR 15(4)): once, for good reason, by the accepting clerk."""
        return self._case_command(
            principal, "extendCorrectionPeriod", case_no, {"days": extra_working_days, "reason": reason},
            idempotency_key, self._clerk,
            lambda case, ctx: case.extend_correction_period(ctx, extra_working_days, reason),
        )  # fmt: skip

    def submit_correction(
        self,
        principal: Principal,
        case_no: str,
        materials: list[str],
        idempotency_key: str | None = None,
    ) -> CommandResult:
        return self._case_command(
            principal, "submitCorrection", case_no, {"materials": sorted(materials)}, idempotency_key,
            authz.require_applicant_or_clerk,
            lambda case, ctx: case.submit_correction(ctx, self.working_calendar(), materials),
        )  # fmt: skip

    def accept_application(
        self, principal: Principal, case_no: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """受理 (Art. 32)."""
        return self._case_command(
            principal, "acceptApplication", case_no, {}, idempotency_key, self._clerk,
            lambda case, ctx: case.accept(ctx, self.working_calendar()),
        )  # fmt: skip

    def reject_application(
        self, principal: Principal, case_no: str, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """不予受理 (Art. 32)."""
        return self._case_command(
            principal, "rejectApplication", case_no, {"reason": reason}, idempotency_key, self._clerk,
            lambda case, ctx: case.reject(ctx, self.working_calendar(), reason),
        )  # fmt: skip

    def claim_task(
        self, principal: Principal, task_id: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """签收: ``task_id`` is ``CASENO#N``, the N-th stage visit of the case."""
        case_no, _, number = task_id.rpartition("#")
        if not case_no or not number.isdigit():
            raise NotFound(f"任务 {task_id} 不存在")
        return self._case_command(
            principal, "claimTask", case_no, {"task": task_id}, idempotency_key,
            authz.require_group_member, lambda case, ctx: case.claim(ctx, int(number)),
        )  # fmt: skip

    def record_opinion(
        self,
        principal: Principal,
        case_no: str,
        opinion: Opinion,
        comment: str,
        fields: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """承办/审核/审批意见."""
        return self._case_command(
            principal, "recordOpinion", case_no, {"opinion": opinion, "comment": comment, "fields": fields},
            idempotency_key, authz.require_stage_owner,
            lambda case, ctx: case.record_opinion(ctx, opinion, comment, fields),
        )  # fmt: skip

    def suspend_clock(
        self,
        principal: Principal,
        case_no: str,
        reason: SuspensionReason,
        expected_working_days: int,
        note: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """中止计时 (Art. 45)."""
        return self._case_command(
            principal, "suspendClock", case_no,
            {"reason": reason, "days": expected_working_days, "note": note}, idempotency_key,
            authz.require_stage_owner,
            lambda case, ctx: case.suspend_clock(ctx, self.working_calendar(), reason, expected_working_days, note),
        )  # fmt: skip

    def resume_clock(
        self, principal: Principal, case_no: str, idempotency_key: str | None = None
    ) -> CommandResult:
        return self._case_command(
            principal, "resumeClock", case_no, {}, idempotency_key, authz.require_stage_owner,
            lambda case, ctx: case.resume_clock(ctx),
        )  # fmt: skip

    def extend_deadline(
        self, principal: Principal, case_no: str, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """延期 (Art. 42): approved by the head of the authority."""
        return self._case_command(
            principal, "extendDeadline", case_no, {"reason": reason}, idempotency_key, self._approver,
            lambda case, ctx: case.extend_deadline(ctx, self.working_calendar(), reason),
        )  # fmt: skip

    def decide(
        self,
        principal: Principal,
        case_no: str,
        grant: bool,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """准予 / 不予许可 (Law 38); a denial gets the authority's own service limit, if any."""
        return self._case_command(
            principal, "decide", case_no, {"grant": grant, "reason": reason}, idempotency_key,
            self._approver,
            lambda case, ctx: case.decide(
                ctx, grant, reason, self.limits.denial_service_days_for(case.jurisdiction_code)
            ),
        )  # fmt: skip

    def issue_certificate(
        self, principal: Principal, case_no: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """制证 (Art. 44)."""
        return self._case_command(
            principal, "issueCertificate", case_no, {}, idempotency_key, self._approver,
            lambda case, ctx: case.issue_certificate(ctx),
        )  # fmt: skip

    def record_service(
        self,
        principal: Principal,
        case_no: str,
        method: ServiceMethod,
        served_at: dt.datetime,
        idempotency_key: str | None = None,
        proof: str | None = None,
        reason: str | None = None,
    ) -> CommandResult:
        """送达, with its proof and, for public notice or leaving it at the address, why."""
        if served_at.tzinfo is None:
            raise ValidationFailed("送达时间须带时区", "servedAt")
        return self._case_command(
            principal, "recordService", case_no,
            {"method": method, "served_at": served_at, "proof": proof, "reason": reason}, idempotency_key,
            self._approver, lambda case, ctx: case.record_service(ctx, method, served_at, proof, reason),
        )  # fmt: skip

    def withdraw_application(
        self, principal: Principal, case_no: str, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """撤回."""
        return self._case_command(
            principal, "withdrawApplication", case_no, {"reason": reason}, idempotency_key,
            authz.require_applicant_or_clerk, lambda case, ctx: case.withdraw(ctx, reason),
        )  # fmt: skip

    def terminate_case(
        self,
        principal: Principal,
        case_no: str,
        ground: TerminationGround,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """终止 (SAMR 30), by the approver, on a legal ground."""
        return self._case_command(
            principal, "terminateCase", case_no, {"ground": ground, "reason": reason}, idempotency_key,
            self._approver, lambda case, ctx: case.terminate(ctx, ground, reason),
        )  # fmt: skip

    def deem_accepted_if_due(self, case_no: str) -> CommandResult | None:
        """视为受理 (Law 32), by the system: None when not due or already decided."""
        return self._system_command(
            "deemAccepted",
            case_no,
            lambda case, ctx: case.deem_accepted(ctx, self.working_calendar()),
        )

    def abandon_if_due(self, case_no: str) -> CommandResult | None:
        """视为放弃 (SAMR 15(4)), by the system: None when not due or already settled."""
        return self._system_command(
            "abandonApplication",
            case_no,
            lambda case, ctx: case.abandon(ctx, self.working_calendar()),
        )

    def _system_command(self, command: str, case_no: str, change: Change) -> CommandResult | None:
        """What the law does by itself once a period has passed: idempotent, so several
        watchers may try it; a case not (or no longer) due is simply left alone."""
        try:
            return self._case_command(
                SYSTEM, command, case_no, {}, None, lambda *_: None,  # type: ignore[arg-type]
                change,
            )  # fmt: skip
        except (Conflict, DomainError) as e:
            if isinstance(e, NotFound):
                raise
            return None

    def load_calendar_year(self, principal: Principal, schedule: YearSchedule) -> int:
        """An ADMIN loads a year's State Council schedule; returns the calendar's new version.
        Deadlines are functions of the calendar, so every open case is recomputed from it."""
        role = self._authorize(lambda: authz.require_admin(principal, "加载节假日安排"))
        calendar: HolidayCalendar = self.repository.get(CALENDAR_ID)
        calendar.load_year(schedule, principal.acting_as(role), self.clock.now())
        try:
            self.save(calendar)
        except IntegrityError:
            raise Conflict("节假日安排正被他人修改，请重试") from None
        return calendar.version

    # ------------------------------------------------------------------ machinery

    def _clerk(self, principal: Principal, case: LicenseCase, action: str) -> Role:
        return authz.require_task_holder(principal, Role.CLERK, case, action)

    def _approver(self, principal: Principal, case: LicenseCase, action: str) -> Role:
        return authz.require_task_holder(principal, Role.APPROVER, case, action)

    def _deny(self, error: authz.Forbidden) -> None:
        self.on_forbidden(error)
        raise error

    def _authorize(self, check: Callable[[], Role]) -> Role:
        try:
            return check()
        except authz.Forbidden as e:
            self._deny(e)
            raise

    def _case_command(
        self,
        principal: Principal,
        command: str,
        case_no: str,
        inputs: dict[str, Any],
        idempotency_key: str | None,
        authorize: Authorize,
        change: Change,
    ) -> CommandResult:
        def act(at: dt.datetime) -> tuple[LicenseCase, Sequence[Aggregate]]:
            case = self.get_case(case_no)
            role = self._authorize(lambda: authorize(principal, case, command))
            change(
                case,
                CommandContext(
                    actor=principal.acting_as(role), at=at, idempotency_key=idempotency_key
                ),
            )
            return case, []

        return self._execute(
            principal, command, {"case_no": case_no, **inputs}, idempotency_key, act
        )

    def _execute(
        self,
        principal: Principal,
        command: str,
        inputs: dict[str, Any],
        key: str | None,
        act: Act,
        retries: int = 0,
    ) -> CommandResult:
        """Idempotency first, then the change, then one atomic save. A version clash is a
        ``Conflict`` (or, for numbering, a silent retry); nothing partial is ever stored."""
        print_ = fingerprint(command, inputs)
        for attempt in range(retries + 1):
            if key and (replay := self._replay(principal, key, print_)):
                return replay
            at = self.clock.now()
            case, others = act(at)
            record = None
            if key:
                actor = principal.acting_as(None)
                record = IdempotencyRecord.record(
                    actor, key, command, print_, case.id, case.version, at
                )
            try:
                recordings = self.save(case, *others, record)
            except IntegrityError:
                if key and (replay := self._replay(principal, key, print_)):
                    return replay
                if attempt < retries:
                    time.sleep(
                        random.uniform(0, 0.002 * (attempt + 1))
                    )  # jitter: let the winner finish
                    continue
                raise Conflict("案件已被他人同时修改，请刷新后重试") from None
            return CommandResult(case=case, notification_id=recordings[-1].notification.id)
        raise AssertionError("unreachable")  # pragma: no cover

    def _replay(self, principal: Principal, key: str, print_: str) -> CommandResult | None:
        try:
            record: IdempotencyRecord = self.repository.get(
                IdempotencyRecord.id_for(principal.user_id, key)
            )
        except AggregateNotFoundError:
            return None
        if not hmac.compare_digest(record.fingerprint, print_):
            raise IdempotencyKeyReused(f"幂等键 {key!r} 已用于另一个请求 ({record.command})")
        case: LicenseCase = self.repository.get(record.case_id, version=record.case_version)
        return CommandResult(case=case, notification_id=None, replayed=True)

    def _sequence(self, authority: str, year: int, ctx: CommandContext) -> CaseNumberSequence:
        try:
            sequence: CaseNumberSequence = self.repository.get(
                CaseNumberSequence.id_for(authority, year)
            )
        except AggregateNotFoundError:
            sequence = CaseNumberSequence.start(authority, year, ctx.actor, ctx.at)
        return sequence

    def _numbering(self, item_code: str, jurisdiction_code: str) -> AbstractContextManager[Any]:
        """Filings at one authority take their numbers one after another in this process.
        Optimistically they clash on the authority's sequence and all but one start again:
        fifty filings at once cost some 1,200 attempts; queued, they cost fifty. Other
        processes still clash and retry (FILING_RETRIES), which stays correct."""
        try:
            item = self.catalogue.get(item_code)
            authority = self.organisations.competent_authority(item.level, jurisdiction_code)
        except DomainError:
            return nullcontext()  # bad input: the command itself says what is wrong
        with self._numbering_guard:
            return self._numbering_locks.setdefault(authority.code, threading.Lock())

    def _exists(self, aggregate_id: UUID) -> bool:
        return any(True for _ in self.events.get(aggregate_id, limit=1))


def _log_forbidden(error: authz.Forbidden) -> None:
    log.warning(
        "forbidden",
        extra={
            "user": error.principal.user_id,
            "action": error.action,
            "case_no": error.case_no,
            "reason": error.message,
        },
    )
