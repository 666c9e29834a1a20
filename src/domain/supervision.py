"""Supervision (监察) as facts: yellow and red cards, supervision orders (督办) and complaints
(投诉). Each is its own small aggregate in the same event store as the cases, so the audit
trail covers them too."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from xuke.domain.case_records import CommandContext
from xuke.domain.errors import InvalidState, ReasonRequired, ValidationFailed
from xuke.domain.model import Aggregate, local_date

COMPLAINT_TAKE_UP_DAYS = 5  # working days to take a complaint up


class CardColour(StrEnum):
    YELLOW = "YELLOW"  # 黄牌: a warning for the responsible unit
    RED = "RED"  # 红牌: the legal time limit was broken


class CardCause(StrEnum):
    COMMITTED_LIMIT_PASSED = "COMMITTED_LIMIT_PASSED"  # 超承诺时限
    STAGE_HELD_TOO_LONG = "STAGE_HELD_TOO_LONG"  # 环节滞留超时
    LATE_CORRECTION_NOTICE = "LATE_CORRECTION_NOTICE"  # 补正告知迟延
    LEGAL_LIMIT_PASSED = "LEGAL_LIMIT_PASSED"  # 超法定时限
    LATE_ENTRY = "LATE_ENTRY"  # 补录迟延: a hall entry backdated past its acceptance window
    HEARING_OVERDUE = "HEARING_OVERDUE"  # 听证逾期: not held within 20 days of the request (Law 47)
    HEARING_OFFICER_LATE = "HEARING_OFFICER_LATE"  # 主持人未在3日内指定
    # 延续提醒: a licence's last day to file a renewal is 60 / 30 days away (Law 50, SAMR 27)
    RENEWAL_REMINDER = "RENEWAL_REMINDER"
    # 撤销/撤回程序超期: open proceedings past their decide-by (SAMR 45, a legal limit)
    PROCEEDINGS_OVERDUE = "PROCEEDINGS_OVERDUE"
    # 咨询答复超时: a question on the board unanswered past the authority's committed days
    # (the card's case_no is the question's reference, ZX-<id>; docs/consultation.md)
    CONSULTATION_LATE = "CONSULTATION_LATE"

    @property
    def colour(self) -> CardColour:
        return CardColour.RED if self in _LEGAL_LIMITS else CardColour.YELLOW


_LEGAL_LIMITS = frozenset({CardCause.LEGAL_LIMIT_PASSED, CardCause.PROCEEDINGS_OVERDUE})


class SupervisionCard(Aggregate):
    """One card per case and cause (and task, for a held stage): its id follows from them, so
    however often and in however many processes the watcher runs, a card is issued once."""

    case_no: str
    item_code: str
    cause: CardCause
    colour: CardColour
    responsible_unit: str
    detail: str
    due_on: dt.date | None

    def __init__(self) -> None:
        """Set by ``Issued.apply``."""

    @staticmethod
    def id_for(case_no: str, cause: CardCause, detail: str = "") -> UUID:
        return uuid5(NAMESPACE_URL, f"xuke:card:{case_no}:{cause.value}:{detail}")

    class Issued(Aggregate.Created):
        case_no: str
        item_code: str
        cause: CardCause
        colour: CardColour
        responsible_unit: str
        detail: str
        due_on: dt.date | None

        def apply(self, card: Any) -> None:
            for name in (
                "case_no",
                "item_code",
                "cause",
                "colour",
                "responsible_unit",
                "detail",
                "due_on",
            ):
                setattr(card, name, getattr(self, name))

    @classmethod
    def issue(
        cls,
        ctx: CommandContext,
        case_no: str,
        item_code: str,
        cause: CardCause,
        unit: str,
        due_on: dt.date | None,
        detail: str = "",
    ) -> SupervisionCard:
        return cls._create(
            cls.Issued, id=cls.id_for(case_no, cause, detail), actor=ctx.actor, timestamp=ctx.at,
            case_no=case_no, item_code=item_code, cause=cause, colour=cause.colour, responsible_unit=unit,
            detail=detail, due_on=due_on,
        )  # fmt: skip


class OrderStatus(StrEnum):
    OPEN = "OPEN"  # 待整改
    ANSWERED = "ANSWERED"  # 已报送整改情况
    ESCALATED = "ESCALATED"  # 逾期未复，已提级督办


class SupervisionOrder(Aggregate):
    """督办: a supervisor orders a unit to act on a case by a date; the unit answers with a
    整改 report; unanswered past the date, it goes up to the next level."""

    case_no: str
    unit: str
    instruction: str
    respond_by: dt.date
    status: OrderStatus
    report: str | None
    escalated_to: str | None

    def __init__(self) -> None:
        """Set by ``Issued.apply``."""

    class Issued(Aggregate.Created):
        case_no: str
        unit: str
        instruction: str
        respond_by: dt.date

        def apply(self, order: Any) -> None:
            order.case_no, order.unit, order.instruction = self.case_no, self.unit, self.instruction
            order.respond_by, order.status = self.respond_by, OrderStatus.OPEN
            order.report = order.escalated_to = None

    class Answered(Aggregate.Event):
        report: str

        def apply(self, order: Any) -> None:
            order.report, order.status = self.report, OrderStatus.ANSWERED

    class Escalated(Aggregate.Event):
        to_unit: str

        def apply(self, order: Any) -> None:
            order.escalated_to, order.status = self.to_unit, OrderStatus.ESCALATED

    @classmethod
    def issue(
        cls, ctx: CommandContext, case_no: str, unit: str, instruction: str, respond_by: dt.date
    ) -> SupervisionOrder:
        if not instruction.strip():
            raise ReasonRequired("督办要求不能为空", "instruction")
        if respond_by <= local_date(ctx.at):
            raise ValidationFailed("答复期限必须晚于今天", "respondBy")
        return cls._create(
            cls.Issued, actor=ctx.actor, timestamp=ctx.at, idempotency_key=ctx.idempotency_key,
            case_no=case_no, unit=unit, instruction=instruction.strip(), respond_by=respond_by,
        )  # fmt: skip

    def answer(self, ctx: CommandContext, report: str) -> None:
        if self.status is OrderStatus.ANSWERED:
            raise InvalidState("该督办已答复")
        if not report.strip():
            raise ReasonRequired("整改报告不能为空", "report")
        self.trigger_event(
            self.Answered,
            actor=ctx.actor,
            timestamp=ctx.at,
            idempotency_key=ctx.idempotency_key,
            report=report.strip(),
        )

    def escalate(self, ctx: CommandContext, to_unit: str) -> None:
        """Past its date and unanswered: the order goes to the next level up."""
        if self.status is not OrderStatus.OPEN:
            raise InvalidState("只有未答复的督办才能提级")
        if local_date(ctx.at) <= self.respond_by:
            raise InvalidState("答复期限尚未届满")
        self.trigger_event(self.Escalated, actor=ctx.actor, timestamp=ctx.at, to_unit=to_unit)


class ComplaintStatus(StrEnum):
    FILED = "FILED"  # 已收到
    TAKEN_UP = "TAKEN_UP"  # 已受理
    ANSWERED = "ANSWERED"  # 已答复


class Complaint(Aggregate):
    """投诉: about a case, routed to the supervisors of its jurisdiction, to be taken up within
    5 working days; the reply is visible to the complainant."""

    case_no: str
    jurisdiction_code: str
    channel: str  # APPLICANT (logged in) or PUBLIC (status page, with the query code)
    text: str
    take_up_due: dt.date
    status: ComplaintStatus
    taken_up_by: str | None
    reply: str | None

    def __init__(self) -> None:
        """Set by ``Filed.apply``."""

    class Filed(Aggregate.Created):
        case_no: str
        jurisdiction_code: str
        channel: str
        text: str
        take_up_due: dt.date

        def apply(self, complaint: Any) -> None:
            for name in ("case_no", "jurisdiction_code", "channel", "text", "take_up_due"):
                setattr(complaint, name, getattr(self, name))
            complaint.status, complaint.taken_up_by, complaint.reply = (
                ComplaintStatus.FILED,
                None,
                None,
            )

    class TakenUp(Aggregate.Event):
        late: bool

        def apply(self, complaint: Any) -> None:
            complaint.status, complaint.taken_up_by = ComplaintStatus.TAKEN_UP, self.actor.id

    class Answered(Aggregate.Event):
        reply: str

        def apply(self, complaint: Any) -> None:
            complaint.status, complaint.reply = ComplaintStatus.ANSWERED, self.reply

    @classmethod
    def file(
        cls,
        ctx: CommandContext,
        case_no: str,
        jurisdiction: str,
        channel: str,
        text: str,
        take_up_due: dt.date,
    ) -> Complaint:
        if not 5 <= len(text.strip()) <= 2000:
            raise ValidationFailed("投诉内容应为 5 到 2000 个字", "text")
        return cls._create(
            cls.Filed, actor=ctx.actor, timestamp=ctx.at, idempotency_key=ctx.idempotency_key, case_no=case_no,
            jurisdiction_code=jurisdiction, channel=channel, text=text.strip(), take_up_due=take_up_due,
        )  # fmt: skip

    def take_up(self, ctx: CommandContext) -> None:
        if self.status is not ComplaintStatus.FILED:
            raise InvalidState("该投诉已受理")
        late = local_date(ctx.at) > self.take_up_due
        self.trigger_event(
            self.TakenUp,
            actor=ctx.actor,
            timestamp=ctx.at,
            idempotency_key=ctx.idempotency_key,
            late=late,
        )

    def answer(self, ctx: CommandContext, reply: str) -> None:
        if self.status is ComplaintStatus.ANSWERED:
            raise InvalidState("该投诉已答复")
        if not reply.strip():
            raise ReasonRequired("答复不能为空", "reply")
        if self.status is ComplaintStatus.FILED:
            self.take_up(ctx)
        self.trigger_event(
            self.Answered,
            actor=ctx.actor,
            timestamp=ctx.at,
            idempotency_key=ctx.idempotency_key,
            reply=reply.strip(),
        )
