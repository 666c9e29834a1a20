"""The licence (许可证) aggregate: what a grant leaves behind, from the certificate's issue to
its cancellation. Pure domain: dates and the working calendar come in as arguments.

Law = 《行政许可法》; SAMR = 《市场监督管理行政许可程序暂行规定》; 条例 = 《工业产品生产许可证管理条例》.
Statuses (docs/legal-rules.md, licences after grant): VALID → EXPIRED / REVOKED (撤销, Law 69) / WITHDRAWN (撤回, Law 8) →
CANCELLED (注销, Law 70), and VALID → CANCELLED; every other move is ``ForbiddenTransition``.
Each command checks its rule (raising the ``DomainError`` that names it) and only then records
one past-tense event; each event's ``apply`` only moves state, so replay is never refused.
The events are nested here: their topics are ``xuke.domain.licence:Licence.<Event>``.
"""

from __future__ import annotations

import calendar as months
import datetime as dt
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from xuke.domain.calendar import WorkingCalendar
from xuke.domain.case_records import ApplicantRecord, CommandContext
from xuke.domain.deadlines import validity_end
from xuke.domain.documents import DocumentKind, DocumentRecord, check_new_document
from xuke.domain.errors import (
    CancellationGroundMismatch,
    ForbiddenTransition,
    InvalidState,
    LicenceHearingWindowClosed,
    LicenceNotTransferable,
    ProceedingsAlreadyExtended,
    ReasonRequired,
    RenewalTooLate,
    StatementWindowOpen,
    ValidationFailed,
)
from xuke.domain.model import Aggregate, Immutable, local_date
from xuke.domain.stages import ApplicationKind, named

STATEMENT_DAYS = 5  # 陈述申辩: working days after the notice (SAMR 36-47, counted per SAMR 77)
PROCEEDINGS_DECISION_DAYS = 60  # SAMR 45: from discovery (here: the opening)
PROCEEDINGS_EXTENSION_DAYS = 20  # SAMR 45: once
ONE_DAY = dt.timedelta(days=1)


class LicenceStatus(StrEnum):
    VALID = "VALID"
    EXPIRED = "EXPIRED"  # validTo passed, not renewed (Law 70(1) cancellation follows)
    REVOKED = "REVOKED"  # 撤销, Law 69
    WITHDRAWN = "WITHDRAWN"  # 撤回, Law 8
    CANCELLED = "CANCELLED"  # 注销, Law 70


class ProceedingKind(StrEnum):
    REVOCATION = "REVOCATION"  # 撤销 (SAMR 40-47)
    WITHDRAWAL_CIRCUMSTANCES = "WITHDRAWAL_CIRCUMSTANCES"  # 撤回 (SAMR 36-39): facts changed
    WITHDRAWAL_LAW_CHANGE = "WITHDRAWAL_LAW_CHANGE"  # 撤回 (SAMR 36-39): the law changed


class CancellationGround(StrEnum):
    """注销 (Law 70(1)-(6))."""

    EXPIRED_NOT_RENEWED = "EXPIRED_NOT_RENEWED"  # 70(1)
    PERSON_DECEASED_OR_INCAPABLE = "PERSON_DECEASED_OR_INCAPABLE"  # 70(2)
    ORGANISATION_TERMINATED = "ORGANISATION_TERMINATED"  # 70(3)
    REVOKED_OR_WITHDRAWN = "REVOKED_OR_WITHDRAWN"  # 70(4)
    FORCE_MAJEURE = "FORCE_MAJEURE"  # 70(5)
    OTHER_BY_LAW = "OTHER_BY_LAW"  # 70(6)


_AFTER_STATUS = {CancellationGround.EXPIRED_NOT_RENEWED, CancellationGround.REVOKED_OR_WITHDRAWN}
CANCELLATION_GROUNDS: dict[LicenceStatus, frozenset[CancellationGround]] = {
    LicenceStatus.VALID: frozenset(CancellationGround) - _AFTER_STATUS,
    LicenceStatus.EXPIRED: frozenset({CancellationGround.EXPIRED_NOT_RENEWED}),
    LicenceStatus.REVOKED: frozenset({CancellationGround.REVOKED_OR_WITHDRAWN}),
    LicenceStatus.WITHDRAWN: frozenset({CancellationGround.REVOKED_OR_WITHDRAWN}),
}
"""Law 70: which ground of 注销 fits which status (none fits a CANCELLED licence)."""

WITHDRAWALS = frozenset(
    {ProceedingKind.WITHDRAWAL_CIRCUMSTANCES, ProceedingKind.WITHDRAWAL_LAW_CHANGE}
)


def months_before(day: dt.date, n: int) -> dt.date:
    """The same day ``n`` calendar months earlier; a day that month lacks becomes its last day
    (民法典 202: no corresponding day ⇒ the month's end): 31 Aug − 6 months = 28 Feb."""
    year, month = divmod(day.year * 12 + day.month - 1 - n, 12)
    return dt.date(year, month + 1, min(day.day, months.monthrange(year, month + 1)[1]))


def renewal_apply_by(
    valid_to: dt.date | None,
    renewal_months_before: int | None,
    renewal_working_days_before: int,
    calendar: WorkingCalendar,
) -> dt.date | None:
    """The last day to file a renewal (None: no term). The item's own rule where it has
    one — GYCP: ``valid_to`` − 6 months (条例 25); otherwise Law 50's "届满三十日前" in
    working days (SAMR 77): the day D with 30 working days in (D, valid_to]. (A function, so
    that the licence register computes it as the licence does.)"""
    if valid_to is None:
        return None
    if renewal_months_before is not None:
        return months_before(valid_to, renewal_months_before)
    return calendar.nth_working_day_back(valid_to, renewal_working_days_before + 1)


class Proceedings(Immutable):
    """An open (or the last) 撤销 / 撤回 procedure: notice, 5 working days to state one's
    case, a hearing on request, then a decision by ``decide_by``."""

    kind: ProceedingKind
    grounds: str
    opened_by: str  # the granting authority or its superior (SAMR 40)
    noticed_on: dt.date
    statement_by: dt.date
    decide_by: dt.date
    hearing_requested_on: dt.date | None = None
    hearing_held_on: dt.date | None = None
    hearing_record: str | None = None
    extended: bool = False
    extension_reason: str | None = None
    compensation: str | None = None  # 补偿 (撤回, Law 8) / 赔偿 (撤销, Law 69)
    closed: bool = False

    def may_decide(self, today: dt.date) -> bool:
        """A hearing asked for must be held first; otherwise the statement window must be over."""
        if self.hearing_requested_on is not None:
            return self.hearing_held_on is not None
        return today > self.statement_by


class Licence(Aggregate):
    """许可证: one licence, keyed by its certificate number, with every case concerning it."""

    certificate_no: str
    item_code: str
    item_name: str
    holder: ApplicantRecord
    jurisdiction_code: str  # the granting authority
    status: LicenceStatus
    valid_from: dt.date
    valid_to: dt.date | None  # None: no term
    scope: dict[str, Any]
    case_nos: tuple[str, ...]  # the grant and every later case, oldest first
    status_changed_on: dt.date | None
    deemed_renewed: bool
    pending_renewal_case: str | None
    pending_renewal_filed_on: dt.date | None
    proceedings: Proceedings | None
    reissues: int
    corrections: int
    validity_years: int | None  # the item's term, for renewals
    renewal_months_before: int | None  # the item's own rule (GYCP: 6, 条例 25)
    renewal_working_days_before: int  # Law 50's 30 days, in working days (SAMR 77)
    # Added later (a class default serves events and snapshots recorded before it):
    documents: tuple[DocumentRecord, ...] = ()  # legal documents issued on the licence

    def __init__(self) -> None:
        """Set by ``LicenceIssued.apply`` (and by snapshots)."""

    @staticmethod
    def id_for(certificate_no: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"xuke:licence:{certificate_no}")

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

    def _require_valid(self, action: str) -> None:
        if self.status is not LicenceStatus.VALID:
            raise ForbiddenTransition(f"许可证状态为{named(self.status)}，不能{action}")

    @staticmethod
    def _require_text(text: str, field: str) -> str:
        if not text.strip():
            raise ReasonRequired("必须说明理由", field)
        return text.strip()

    def _add_case(self, case_no: str) -> None:
        if case_no not in self.case_nos:
            self.case_nos = (*self.case_nos, case_no)

    # ------------------------------------------------------------ issue (Law 44)

    class LicenceIssued(Aggregate.Created):
        certificate_no: str
        case_no: str
        item_code: str
        item_name: str
        holder: ApplicantRecord
        jurisdiction_code: str
        valid_from: dt.date
        valid_to: dt.date | None
        validity_years: int | None
        scope: dict[str, Any]
        renewal_months_before: int | None
        renewal_working_days_before: int

        def apply(self, licence: Any) -> None:
            for name in (
                "certificate_no", "item_code", "item_name", "holder", "jurisdiction_code",
                "valid_from", "valid_to", "validity_years", "scope", "renewal_months_before",
                "renewal_working_days_before",
            ):  # fmt: skip
                setattr(licence, name, getattr(self, name))
            licence.status, licence.case_nos = LicenceStatus.VALID, (self.case_no,)
            licence.status_changed_on = licence.proceedings = None
            licence.pending_renewal_case = licence.pending_renewal_filed_on = None
            licence.deemed_renewed, licence.reissues, licence.corrections = False, 0, 0
            licence.documents = ()

    @classmethod
    def issue(
        cls,
        ctx: CommandContext,
        certificate_no: str,
        case_no: str,
        item_code: str,
        item_name: str,
        holder: ApplicantRecord,
        jurisdiction_code: str,
        valid_from: dt.date,
        valid_to: dt.date | None,
        validity_years: int | None,
        scope: dict[str, Any] | None = None,
        renewal_months_before: int | None = None,
        renewal_working_days_before: int = 30,
    ) -> Licence:
        """Law 44: the certificate of a granted case; the licence starts VALID."""
        if not certificate_no.strip():
            raise ValidationFailed("证书编号不能为空", "certificateNo")
        if valid_to is not None and valid_to < valid_from:
            raise ValidationFailed("有效期截止日不能早于起始日", "validTo")
        return cls._create(
            cls.LicenceIssued, id=cls.id_for(certificate_no), actor=ctx.actor, timestamp=ctx.at,
            idempotency_key=ctx.idempotency_key, certificate_no=certificate_no, case_no=case_no,
            item_code=item_code, item_name=item_name, holder=holder,
            jurisdiction_code=jurisdiction_code, valid_from=valid_from, valid_to=valid_to,
            validity_years=validity_years, scope=scope or {},
            renewal_months_before=renewal_months_before,
            renewal_working_days_before=renewal_working_days_before,
        )  # fmt: skip

    # ------------------------------------------------------------ later cases, renewal (Law 50)

    class CaseLinked(Aggregate.Event):
        """A holder's later application (change, renewal, …) concerns this licence."""

        case_no: str
        kind: ApplicationKind
        filed_on: dt.date

        def apply(self, licence: Any) -> None:
            licence._add_case(self.case_no)
            if self.kind is ApplicationKind.RENEWAL:
                licence.pending_renewal_case = self.case_no
                licence.pending_renewal_filed_on = self.filed_on

    def link_case(
        self,
        ctx: CommandContext,
        case_no: str,
        kind: ApplicationKind,
        calendar: WorkingCalendar,
        filed_on: dt.date | None = None,
    ) -> None:
        """A holder's CHANGE / RENEWAL / CANCELLATION / REISSUE / CORRECTION case, filed on
        ``filed_on`` (default: today), on a VALID licence; a renewal by ``renewal_apply_by``."""
        self._require_valid("受理关联申请")
        if kind is ApplicationKind.NEW:
            raise ValidationFailed("新申请不关联已有许可证", "kind")
        if case_no in self.case_nos:
            raise InvalidState(f"案件 {case_no} 已关联该许可证")
        filed = filed_on or local_date(ctx.at)
        if kind is ApplicationKind.RENEWAL:
            self._check_renewal_filing(filed, calendar)
        self._record(self.CaseLinked, ctx, case_no=case_no, kind=kind, filed_on=filed)

    def _check_renewal_filing(self, filed: dt.date, calendar: WorkingCalendar) -> None:
        """Law 50, SAMR 27: one renewal at a time, for a licence with a term, in time."""
        if self.pending_renewal_case is not None:
            raise InvalidState(f"已有待决的延续申请 {self.pending_renewal_case}")
        apply_by = self.renewal_apply_by(calendar)
        if apply_by is None or self.validity_years is None:
            raise InvalidState("该许可证没有有效期，无需延续")
        if filed > self._latest_renewal_day(apply_by, calendar):
            raise RenewalTooLate(
                f"延续申请应当在 {apply_by.isoformat()} 前提出；逾期的，应当重新申请许可",
                "certificateNo",
            )

    def renewal_apply_by(self, calendar: WorkingCalendar) -> dt.date | None:
        """The last day to file a renewal (None: no term): ``renewal_apply_by``."""
        return renewal_apply_by(
            self.valid_to, self.renewal_months_before, self.renewal_working_days_before, calendar
        )

    def _latest_renewal_day(self, apply_by: dt.date, calendar: WorkingCalendar) -> dt.date:
        """Nothing irreversible on an estimate: while the window touches a year without a
        loaded schedule, a filing is refused only after the latest day any calendar could give —
        ``valid_to`` − 30 calendar days (30 working days take at least 30 days)."""
        assert self.valid_to is not None
        if self.renewal_months_before is None and calendar.touches_unscheduled_year(
            apply_by, self.valid_to
        ):
            return self.valid_to - dt.timedelta(days=self.renewal_working_days_before)
        return apply_by

    def _next_term(self) -> tuple[dt.date, dt.date]:
        """Law 50: the renewed term runs from ``valid_to`` + 1 for the item's term (民法典 202)."""
        if self.valid_to is None or self.validity_years is None:
            raise InvalidState("该许可证没有有效期，无需延续")
        valid_from = self.valid_to + ONE_DAY
        return valid_from, validity_end(valid_from, self.validity_years)

    class LicenceRenewed(Aggregate.Event):
        """延续 granted: the same certificate number (条例 25), a new term."""

        case_no: str
        decided_on: dt.date
        valid_from: dt.date
        valid_to: dt.date

        def apply(self, licence: Any) -> None:
            licence.valid_from, licence.valid_to = self.valid_from, self.valid_to
            licence.pending_renewal_case = licence.pending_renewal_filed_on = None
            licence.deemed_renewed = False

    def renew(self, ctx: CommandContext, case_no: str, decided_on: dt.date) -> None:
        """Law 50: the renewal case ``case_no`` was granted on ``decided_on``."""
        self._require_valid("延续")
        if self.pending_renewal_case != case_no:
            raise InvalidState(f"没有待决的延续申请 {case_no}")
        valid_from, valid_to = self._next_term()
        self._record(
            self.LicenceRenewed, ctx, case_no=case_no, decided_on=decided_on,
            valid_from=valid_from, valid_to=valid_to,
        )  # fmt: skip

    class RenewalClosed(Aggregate.Event):
        """The pending renewal ended without a grant (refused, withdrawn, terminated …): no
        deemed renewal follows, and the term may expire."""

        case_no: str
        outcome: str

        def apply(self, licence: Any) -> None:
            licence.pending_renewal_case = licence.pending_renewal_filed_on = None

    def close_renewal(self, ctx: CommandContext, case_no: str, outcome: str) -> None:
        """The renewal case ``case_no`` ended with ``outcome`` (a case status) and no grant."""
        if self.pending_renewal_case != case_no:
            raise InvalidState(f"没有待决的延续申请 {case_no}")
        self._record(self.RenewalClosed, ctx, case_no=case_no, outcome=outcome)

    class LicenceDeemedRenewed(Aggregate.Event):
        """Law 50: "逾期未作决定的，视为准予延续" — recorded by the system the day after."""

        case_no: str
        valid_from: dt.date
        valid_to: dt.date

        def apply(self, licence: Any) -> None:
            licence.valid_from, licence.valid_to = self.valid_from, self.valid_to
            licence.pending_renewal_case = licence.pending_renewal_filed_on = None
            licence.deemed_renewed = True

    def deem_renewed(self, ctx: CommandContext, today: dt.date) -> None:
        """Law 50, SAMR 27: a renewal filed in time and undecided when ``valid_to`` passed is
        deemed granted. Refused (INVALID_STATE) when not due, so the watcher may call it daily."""
        self._require_valid("视为准予延续")
        if self.pending_renewal_case is None:
            raise InvalidState("没有待决的延续申请")
        if self.valid_to is None or today <= self.valid_to:
            raise InvalidState("有效期尚未届满")
        valid_from, valid_to = self._next_term()
        self._record(
            self.LicenceDeemedRenewed, ctx, case_no=self.pending_renewal_case,
            valid_from=valid_from, valid_to=valid_to,
        )  # fmt: skip

    class LicenceExpired(Aggregate.Event):
        """The term ran out without a renewal (Law 70(1) cancellation then follows)."""

        expired_on: dt.date

        def apply(self, licence: Any) -> None:
            licence.status, licence.status_changed_on = LicenceStatus.EXPIRED, self.expired_on
            licence._close_proceedings()

    def expire(self, ctx: CommandContext, today: dt.date) -> None:
        """The day after ``valid_to`` with no renewal pending: EXPIRED as of that day. Open
        proceedings close with it (nothing is left to revoke or withdraw)."""
        self._require_valid("注明有效期届满")
        if self.valid_to is None or today <= self.valid_to:
            raise InvalidState("有效期尚未届满")
        if self.pending_renewal_case is not None:
            raise InvalidState("延续申请待决：有效期届满视为准予延续（《行政许可法》第五十条）")
        self._record(self.LicenceExpired, ctx, expired_on=self.valid_to + ONE_DAY)

    # ------------------------------------------------------------ change, reissue, correction

    class LicenceChanged(Aggregate.Event):
        """变更 granted (Law 49, SAMR 25; GYCP 实施办法 29-30)."""

        case_no: str
        holder: ApplicantRecord | None
        scope: dict[str, Any] | None
        keeps_validity: bool

        def apply(self, licence: Any) -> None:
            licence._add_case(self.case_no)
            if self.holder is not None:
                licence.holder = self.holder
            if self.scope is not None:
                licence.scope = self.scope

    def change(
        self,
        ctx: CommandContext,
        case_no: str,
        holder: ApplicantRecord | None = None,
        scope: dict[str, Any] | None = None,
        keeps_validity: bool = True,
    ) -> None:
        """Law 49: the granted CHANGE case's new holder name/address or scope. The holder stays
        the same person (Law 9). ``keeps_validity`` is recorded (实施办法 30: name/address keep
        it; a production change is re-inspected by the case, 29); the term is not changed here."""
        self._require_valid("变更")
        if holder is None and scope is None:
            raise ValidationFailed("变更须载明新的持证人信息或许可范围", "holder")
        if holder is not None and holder.identity != self.holder.identity:
            raise LicenceNotTransferable("许可证不得转让：变更后的持证人须为同一主体", "holder")
        self._record(
            self.LicenceChanged, ctx, case_no=case_no, holder=holder, scope=scope,
            keeps_validity=keeps_validity,
        )  # fmt: skip

    class CertificateReissued(Aggregate.Event):
        """补办 a lost or damaged certificate (SAMR 28)."""

        case_no: str

        def apply(self, licence: Any) -> None:
            licence._add_case(self.case_no)
            licence.reissues += 1

    def reissue(self, ctx: CommandContext, case_no: str) -> None:
        """SAMR 28: the certificate reissued, the licence itself unchanged."""
        self._require_valid("补办证书")
        self._record(self.CertificateReissued, ctx, case_no=case_no)

    class CertificateCorrected(Aggregate.Event):
        """更正 a clerical error on the certificate (SAMR 29)."""

        case_no: str
        fields: dict[str, Any]

        def apply(self, licence: Any) -> None:
            licence._add_case(self.case_no)
            licence.corrections += 1

    def correct_certificate(
        self, ctx: CommandContext, case_no: str, fields: dict[str, Any]
    ) -> None:
        """SAMR 29: the certificate did not match the decision; the fields as corrected are
        recorded (the licence's facts, from the decision, were right and stay)."""
        self._require_valid("更正证书")
        if not fields:
            raise ValidationFailed("须载明更正的内容", "fields")
        self._record(self.CertificateCorrected, ctx, case_no=case_no, fields=fields)

    # ------------------------------------------------------------ proceedings (SAMR 36-47)

    def _open_proceedings(self) -> Proceedings:
        if self.proceedings is None or self.proceedings.closed:
            raise InvalidState("没有进行中的撤销或撤回程序")
        return self.proceedings

    def _update_proceedings(self, **changes: Any) -> None:
        """For the events' ``apply``: the proceedings with ``changes`` (none: nothing to do)."""
        if self.proceedings is not None:
            self.proceedings = self.proceedings.model_copy(update=changes)

    def _close_proceedings(self, **changes: Any) -> None:
        self._update_proceedings(closed=True, **changes)

    class ProceedingsOpened(Aggregate.Event):
        proceedings: Proceedings

        def apply(self, licence: Any) -> None:
            licence.proceedings = self.proceedings

    def open_proceedings(
        self,
        ctx: CommandContext,
        kind: ProceedingKind,
        grounds: str,
        opened_by: str,
        calendar: WorkingCalendar,
    ) -> None:
        """撤销 / 撤回 start with a written notice today: 5 working days to state one's case —
        on the latest plausible calendar, so an estimate never shortens it — and a decision
        within 60 working days (SAMR 45)."""
        self._require_valid("启动撤销或撤回程序")
        if self.proceedings is not None and not self.proceedings.closed:
            raise InvalidState("已有进行中的撤销或撤回程序")
        today = local_date(ctx.at)
        proceedings = Proceedings(
            kind=kind, grounds=self._require_text(grounds, "grounds"), opened_by=opened_by,
            noticed_on=today,
            statement_by=calendar.latest_plausible.add_working_days(today, STATEMENT_DAYS).date,
            decide_by=calendar.add_working_days(today, PROCEEDINGS_DECISION_DAYS).date,
        )  # fmt: skip
        self._record(self.ProceedingsOpened, ctx, proceedings=proceedings)

    class LicenceHearingRequested(Aggregate.Event):
        requested_on: dt.date

        def apply(self, licence: Any) -> None:
            licence._update_proceedings(hearing_requested_on=self.requested_on)

    def request_hearing(self, ctx: CommandContext, today: dt.date) -> None:
        """Law 47: the holder asks for a hearing within the statement window (else waived)."""
        proceedings = self._open_proceedings()
        if proceedings.hearing_requested_on is not None:
            raise InvalidState("已申请听证")
        if today > proceedings.statement_by:
            raise LicenceHearingWindowClosed(
                f"听证申请期限已于 {proceedings.statement_by.isoformat()} 届满"
            )
        self._record(self.LicenceHearingRequested, ctx, requested_on=today)

    class LicenceHearingHeld(Aggregate.Event):
        held_on: dt.date
        record: str
        decide_by: dt.date  # moved on by the hearing's working days (Law 45)

        def apply(self, licence: Any) -> None:
            licence._update_proceedings(
                hearing_held_on=self.held_on, hearing_record=self.record, decide_by=self.decide_by
            )

    def record_licence_hearing(
        self, ctx: CommandContext, record: str, calendar: WorkingCalendar
    ) -> None:
        """Law 48: the hearing is held today and its record (笔录) kept. Law 45, SAMR 34: its
        time does not count — ``decide_by`` moves on by the working days from the request
        (excluded) to today (included), as a suspension would."""
        proceedings = self._open_proceedings()
        requested_on = proceedings.hearing_requested_on
        if requested_on is None or proceedings.hearing_held_on is not None:
            raise InvalidState("没有待举行的听证")
        record = self._require_text(record, "record")
        held_on = local_date(ctx.at)
        excluded = calendar.working_days_between(requested_on, held_on)
        decide_by = calendar.add_working_days(proceedings.decide_by, excluded).date
        self._record(
            self.LicenceHearingHeld, ctx, held_on=held_on, record=record, decide_by=decide_by
        )

    class ProceedingsExtended(Aggregate.Event):
        reason: str
        decide_by: dt.date

        def apply(self, licence: Any) -> None:
            licence._update_proceedings(
                extended=True, extension_reason=self.reason, decide_by=self.decide_by
            )

    def extend_proceedings(
        self, ctx: CommandContext, reason: str, calendar: WorkingCalendar
    ) -> None:
        """SAMR 45: the decision limit extended by 20 working days, once, with reasons."""
        proceedings = self._open_proceedings()
        if proceedings.extended:
            raise ProceedingsAlreadyExtended("撤销程序的办理期限只能延长一次")
        reason = self._require_text(reason, "reason")
        decide_by = calendar.add_working_days(proceedings.decide_by, PROCEEDINGS_EXTENSION_DAYS)
        self._record(self.ProceedingsExtended, ctx, reason=reason, decide_by=decide_by.date)

    class ProceedingsDiscontinued(Aggregate.Event):
        """The authority decided not to revoke or withdraw: the licence stays VALID."""

        reason: str

        def apply(self, licence: Any) -> None:
            licence._close_proceedings()

    def discontinue_proceedings(self, ctx: CommandContext, reason: str) -> None:
        """不予撤销 / 不予撤回 (e.g. SAMR 40-47: revoking would seriously harm the public
        interest): the proceedings close, the licence stays VALID."""
        self._require_valid("终结撤销或撤回程序")
        self._open_proceedings()
        self._record(self.ProceedingsDiscontinued, ctx, reason=self._require_text(reason, "reason"))

    def _check_decision(
        self, kinds: frozenset[ProceedingKind], today: dt.date, action: str
    ) -> None:
        """Only a VALID licence, in proceedings of that kind, after the statement window (or
        the hearing the holder asked for)."""
        self._require_valid(action)
        proceedings = self._open_proceedings()
        if proceedings.kind not in kinds:
            raise InvalidState(f"进行中的程序为 {proceedings.kind.value}，不能{action}")
        if not proceedings.may_decide(today):
            raise StatementWindowOpen("陈述申辩期限未满或者听证尚未举行，不能作出决定")

    class LicenceRevoked(Aggregate.Event):
        """撤销 (Law 69)."""

        reason: str
        revoked_on: dt.date
        compensation: str | None  # 赔偿, where the authority was at fault (none for fraud)

        def apply(self, licence: Any) -> None:
            licence.status, licence.status_changed_on = LicenceStatus.REVOKED, self.revoked_on
            licence._close_proceedings(compensation=self.compensation)

    def revoke(
        self, ctx: CommandContext, reason: str, today: dt.date, compensation: str | None = None
    ) -> None:
        """撤销 (Law 69, SAMR 40-47) at the end of REVOCATION proceedings."""
        self._check_decision(frozenset({ProceedingKind.REVOCATION}), today, "撤销")
        self._record(
            self.LicenceRevoked, ctx, reason=self._require_text(reason, "reason"),
            revoked_on=today, compensation=compensation,
        )  # fmt: skip

    class LicenceWithdrawn(Aggregate.Event):
        """撤回 (Law 8)."""

        reason: str
        withdrawn_on: dt.date
        compensation: str | None  # 补偿 (Law 8)

        def apply(self, licence: Any) -> None:
            licence.status, licence.status_changed_on = LicenceStatus.WITHDRAWN, self.withdrawn_on
            licence._close_proceedings(compensation=self.compensation)

    def withdraw(
        self, ctx: CommandContext, reason: str, today: dt.date, compensation: str | None = None
    ) -> None:
        """撤回 (Law 8, SAMR 36-39) at the end of WITHDRAWAL_* proceedings."""
        self._check_decision(WITHDRAWALS, today, "撤回")
        self._record(
            self.LicenceWithdrawn, ctx, reason=self._require_text(reason, "reason"),
            withdrawn_on=today, compensation=compensation,
        )  # fmt: skip

    # ------------------------------------------------------------ cancellation (Law 70)

    class LicenceCancelled(Aggregate.Event):
        """注销 (Law 70, SAMR 48-52)."""

        ground: CancellationGround
        note: str
        cancelled_on: dt.date

        def apply(self, licence: Any) -> None:
            licence.status, licence.status_changed_on = LicenceStatus.CANCELLED, self.cancelled_on
            licence._close_proceedings()

    def cancel(
        self, ctx: CommandContext, ground: CancellationGround, note: str, today: dt.date
    ) -> None:
        """注销 (Law 70): 70(1) an EXPIRED licence, 70(4) a REVOKED or WITHDRAWN one, the other
        grounds a VALID one (open proceedings close with it); never twice."""
        if self.status is LicenceStatus.CANCELLED:
            raise ForbiddenTransition("许可证已注销")
        if ground not in CANCELLATION_GROUNDS[self.status]:
            raise CancellationGroundMismatch(
                f"许可证状态为{named(self.status)}，不能以 {ground.value} 注销", "ground"
            )
        note = self._require_text(note, "note")
        self._record(self.LicenceCancelled, ctx, ground=ground, note=note, cancelled_on=today)

    # ------------------------------------------------------------ legal documents (文书)

    class DocumentIssued(Aggregate.Event):
        """出具文书: a notice, decision or announcement on the licence was generated."""

        kind: DocumentKind
        number: str
        title: str
        issued_on: dt.date
        sha256: str
        trigger_version: int

        def apply(self, licence: Any) -> None:
            licence.documents = (
                *licence.documents,
                DocumentRecord(
                    kind=self.kind, number=self.number, title=self.title,
                    issued_on=self.issued_on, sha256=self.sha256,
                    trigger_version=self.trigger_version,
                ),
            )  # fmt: skip

    def record_document(self, ctx: CommandContext, record: DocumentRecord) -> None:
        """One document per (kind, triggering event): a second is ``DocumentAlreadyIssued``."""
        check_new_document(self.documents, record, self.version)
        self._record(self.DocumentIssued, ctx, **record.model_dump())

    def document(self, number: str) -> DocumentRecord | None:
        return next((d for d in self.documents if d.number == number), None)
