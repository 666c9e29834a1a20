"""Online consultation (网上咨询): service guides (办事指南) and the question board.

- ``ServiceGuide``: one aggregate per licence item, versioned — every change is an event. The
  packaged guide (``data/service_guides.json``) is version 1 and is not stored; the first
  update stores it (``Seeded``) together with the change (``Updated``), so the history of a
  guide always starts from what the public saw first.
- ``Consultation``: a question, asked by anyone (``PUBLIC``) or a signed-in applicant
  (``APPLICANT``), routed to the item's authority and answered by its staff within the
  authority's committed number of working days (``answer_due``). The asker's contact is kept
  for the authority's staff only; the public board shows published answers without it.
"""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from xuke.domain.calendar import DueDate, WorkingCalendar
from xuke.domain.case_records import CommandContext
from xuke.domain.catalogue import LicenseItem, Material
from xuke.domain.deadlines import surely_passed
from xuke.domain.errors import InvalidState, ValidationFailed
from xuke.domain.model import Aggregate, Immutable, local_date

QUESTION_MAX = 2000  # characters (a question is a message, not a filing)
ANSWER_MAX = 5000  # characters
CONTACT_MAX = 100
DEFAULT_ANSWER_DAYS = 5  # working days, unless the authority commits to another number
# What a guide's parts may hold (a guide is a page, not a book).
GUIDE_LINES_MAX, GUIDE_LINE_MAX, WINDOWS_MAX = 30, 500, 20


# ---------------------------------------------------------------------------- guides


class GuideWindow(Immutable):
    """办理窗口: where to go, when, and whom to call."""

    org_code: str
    name: str
    address: str
    hours: str
    phone: str


class MaterialDetail(Immutable):
    """What the guide adds to the catalogue's material: copies, original or copy, a note, and
    a template to download (a file packaged under ``api/guide_templates``)."""

    code: str
    copies: int = 1
    original: bool = False
    note: str | None = None
    template: str | None = None  # file name


class GuideContent(Immutable):
    conditions: tuple[str, ...]
    process: tuple[str, ...]
    fee: str
    windows: tuple[GuideWindow, ...]
    materials: tuple[MaterialDetail, ...] = ()


def check_content(content: GuideContent) -> None:
    """Typed refusals for a guide an applicant could not use; raised before any event."""
    for field, lines in (("conditions", content.conditions), ("process", content.process)):
        if not lines or not all(line.strip() for line in lines):
            raise ValidationFailed(f"{_LABELS[field]}不能为空，且每一项都要有内容", field)
        if len(lines) > GUIDE_LINES_MAX or any(len(line) > GUIDE_LINE_MAX for line in lines):
            raise ValidationFailed(
                f"{_LABELS[field]}最多 {GUIDE_LINES_MAX} 项，每项最多 {GUIDE_LINE_MAX} 字", field
            )
    if not content.fee.strip() or len(content.fee) > GUIDE_LINE_MAX:
        raise ValidationFailed(f"收费标准不能为空，最多 {GUIDE_LINE_MAX} 字", "fee")
    if not content.windows or len(content.windows) > WINDOWS_MAX:
        raise ValidationFailed(f"办理窗口应有 1 到 {WINDOWS_MAX} 个", "windows")
    for w in content.windows:
        values = (w.org_code, w.name, w.address, w.hours, w.phone)
        if not all(v.strip() for v in values) or any(len(v) > GUIDE_LINE_MAX for v in values):
            raise ValidationFailed("办理窗口的机关、名称、地址、时间和电话都必须填写", "windows")


_LABELS = {"conditions": "办理条件", "process": "办理流程"}


class ServiceGuide(Aggregate):
    item_code: str
    content: GuideContent
    updated_on: dt.date

    def __init__(self) -> None:
        """Set by ``Seeded.apply``."""

    @staticmethod
    def id_for(item_code: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"xuke:service-guide:{item_code}")

    class Seeded(Aggregate.Created):
        """The packaged guide, as the public saw it before the first change."""

        item_code: str
        content: GuideContent
        effective_on: dt.date

        def apply(self, guide: Any) -> None:
            guide.item_code, guide.content = self.item_code, self.content
            guide.updated_on = self.effective_on

    class Updated(Aggregate.Event):
        conditions: tuple[str, ...]
        process: tuple[str, ...]
        fee: str
        windows: tuple[GuideWindow, ...]

        def apply(self, guide: Any) -> None:
            guide.content = guide.content.model_copy(
                update={
                    "conditions": self.conditions,
                    "process": self.process,
                    "fee": self.fee,
                    "windows": self.windows,
                }
            )
            guide.updated_on = local_date(self.timestamp)

    @classmethod
    def seed(cls, ctx: CommandContext, item_code: str, packaged: PackagedGuide) -> ServiceGuide:
        return cls._create(
            cls.Seeded,
            id=cls.id_for(item_code),
            actor=ctx.actor,
            timestamp=ctx.at,
            item_code=item_code,
            content=packaged.content,
            effective_on=packaged.effective_on,
        )

    def update(self, ctx: CommandContext, content: GuideContent) -> None:
        check_content(content)
        self.trigger_event(
            self.Updated,
            actor=ctx.actor,
            timestamp=ctx.at,
            idempotency_key=ctx.idempotency_key,
            conditions=tuple(c.strip() for c in content.conditions),
            process=tuple(p.strip() for p in content.process),
            fee=content.fee.strip(),
            windows=content.windows,
        )


class GuideMaterial(Immutable):
    """A material as a guide shows it: the catalogue's name and whether it is required, and
    the copies, original-or-copy and note in force (see ``guide_materials``)."""

    code: str
    name: str
    required: bool
    copies: int
    original: bool
    note: str | None
    template: str | None


def guide_materials(
    item: LicenseItem, content: GuideContent, admin_defined: bool
) -> tuple[GuideMaterial, ...]:
    """The one reading of a guide's materials, shared by GraphQL and the pages.

    The item version lists the materials. When an ADMIN defined that version
    (``defineLicenseItem``), its copies, original-or-copy and note are the ones in force —
    all three, defaults included, so an ADMIN can turn ``original`` off or drop a note. The
    packaged seed states none of them, so for a seeded version the packaged guide's details
    apply. The template file is always the guide's (a packaged file, not an item fact)."""
    found = []
    for m in item.materials:
        detail = next(
            (d for d in content.materials if d.code == m.code), MaterialDetail(code=m.code)
        )
        source: Material | MaterialDetail = m if admin_defined else detail
        found.append(
            GuideMaterial(
                code=m.code, name=m.name, required=m.required, copies=source.copies,
                original=source.original, note=source.note, template=detail.template,
            )
        )  # fmt: skip
    return tuple(found)


class PackagedGuide(Immutable):
    item_code: str
    effective_on: dt.date
    content: GuideContent


@cache
def packaged_guides() -> dict[str, PackagedGuide]:
    """The guides shipped with the package, by item code (version 1 of each)."""
    raw = json.loads(files("xuke.domain.data").joinpath("service_guides.json").read_text("utf-8"))
    effective = dt.date.fromisoformat(raw["effective_on"])
    return {
        g["item_code"]: PackagedGuide(
            item_code=g["item_code"],
            effective_on=effective,
            content=GuideContent(
                conditions=tuple(g["conditions"]),
                process=tuple(g["process"]),
                fee=g["fee"],
                windows=tuple(GuideWindow(**w) for w in g["windows"]),
                materials=tuple(MaterialDetail(**m) for m in g["materials"]),
            ),
        )
        for g in raw["guides"]
    }


# ---------------------------------------------------------------------------- questions


class ConsultationStatus(StrEnum):
    OPEN = "OPEN"  # 待答复
    ANSWERED = "ANSWERED"  # 已答复
    CLOSED = "CLOSED"  # 已关闭 (kept for the contract; nothing closes a question yet)


class Channel(StrEnum):
    PUBLIC = "PUBLIC"  # without signing in (rate-limited per client)
    APPLICANT = "APPLICANT"  # a signed-in applicant


def check_question(question: str, contact: str) -> tuple[str, str]:
    q, c = question.strip(), contact.strip()
    if not q:
        raise ValidationFailed("咨询内容不能为空", "question")
    if len(q) > QUESTION_MAX:
        raise ValidationFailed(f"咨询内容最多 {QUESTION_MAX} 字（现为 {len(q)} 字）", "question")
    if not c:
        raise ValidationFailed("请留下联系方式（电话或电子邮箱），以便答复", "contact")
    if len(c) > CONTACT_MAX:
        raise ValidationFailed(f"联系方式最多 {CONTACT_MAX} 字", "contact")
    return q, c


class Consultation(Aggregate):
    item_code: str | None
    question: str
    contact: str
    channel: Channel
    authority: str  # the org the question is routed to
    answer_due: dt.date  # as computed when asked (or answered); ``due_on`` recomputes it
    asked_at: dt.datetime
    status: ConsultationStatus
    answer: str | None
    answered_at: dt.datetime | None
    answered_by_org: str | None
    published: bool
    late: bool
    # (defaulted, so last: a snapshot taken before they existed restores)
    answer_days: int | None = None  # the working days committed when asked (None: older events)
    due_provisional: bool = False  # did ``answer_due`` rest on an estimated calendar year?

    def __init__(self) -> None:
        """Set by ``Asked.apply``."""

    class Asked(Aggregate.Created):
        item_code: str | None
        question: str
        contact: str
        channel: Channel
        authority: str
        answer_due: dt.date
        answer_days: int | None = None
        due_provisional: bool = False

        def apply(self, c: Any) -> None:
            names = ("item_code", "question", "contact", "channel", "authority", "answer_due",
                     "answer_days", "due_provisional")  # fmt: skip
            for name in names:
                setattr(c, name, getattr(self, name))
            c.asked_at, c.status = self.timestamp, ConsultationStatus.OPEN
            c.answer = c.answered_at = c.answered_by_org = None
            c.published = c.late = False

    class Answered(Aggregate.Event):
        answer: str
        published: bool
        org_code: str
        late: bool  # surely answered after its due date (a supervision card follows)
        # The due date in force when answered (the calendar may have moved it since asking).
        answer_due: dt.date | None = None
        due_provisional: bool = False

        def apply(self, c: Any) -> None:
            c.answer, c.published, c.answered_by_org = self.answer, self.published, self.org_code
            c.answered_at, c.status, c.late = self.timestamp, ConsultationStatus.ANSWERED, self.late
            if self.answer_due is not None:
                c.answer_due, c.due_provisional = self.answer_due, self.due_provisional

    class ContactRead(Aggregate.Event):
        """The asker's contact was shown to ``actor`` (staff of the authority), as a case's
        ``ContactDisclosed``: who read whose contact, and when, is in the audit trail."""

        def apply(self, c: Any) -> None:
            pass

    @classmethod
    def ask(
        cls,
        ctx: CommandContext,
        item_code: str | None,
        question: str,
        contact: str,
        channel: Channel,
        authority: str,
        answer_days: int,
        calendar: WorkingCalendar,
        id: UUID | None = None,
    ) -> Consultation:
        q, c = check_question(question, contact)
        extra = {"id": id} if id else {}
        due = calendar.add_working_days(local_date(ctx.at), answer_days)
        return cls._create(
            cls.Asked, actor=ctx.actor, timestamp=ctx.at, idempotency_key=ctx.idempotency_key,
            item_code=item_code, question=q, contact=c, channel=channel, authority=authority,
            answer_due=due.date, answer_days=answer_days, due_provisional=due.provisional,
            **extra,
        )  # fmt: skip

    def due_on(self, calendar: WorkingCalendar) -> DueDate:
        """The answer date under ``calendar``: the committed working days counted from the day
        asked (that day not counted), so loading a year moves it like a case's deadline."""
        if self.answer_days is None:  # asked before the days were stored: the date as stored
            return DueDate(self.answer_due, self.due_provisional)
        return calendar.add_working_days(local_date(self.asked_at), self.answer_days)

    def surely_late(self, calendar: WorkingCalendar, today: dt.date) -> DueDate | None:
        """The due date if ``today`` is past it for certain (Law 82 as docs/legal-rules.md reads it:
        nothing is decided on an estimate — on an estimated year, only once even the latest
        plausible reading of it has passed); else None."""
        return surely_passed(self.due_on, calendar, today)

    def record_contact_read(self, ctx: CommandContext) -> None:
        self.trigger_event(self.ContactRead, actor=ctx.actor, timestamp=ctx.at)

    def give_answer(
        self,
        ctx: CommandContext,
        answer: str,
        publish: bool,
        org_code: str,
        calendar: WorkingCalendar,
    ) -> None:
        text = answer.strip()
        if self.status is not ConsultationStatus.OPEN:
            raise InvalidState("该咨询已答复")
        if not text:
            raise ValidationFailed("答复内容不能为空", "answer")
        if len(text) > ANSWER_MAX:
            raise ValidationFailed(f"答复内容最多 {ANSWER_MAX} 字（现为 {len(text)} 字）", "answer")
        due = self.due_on(calendar)
        self.trigger_event(
            self.Answered, actor=ctx.actor, timestamp=ctx.at, idempotency_key=ctx.idempotency_key,
            answer=text, published=publish, org_code=org_code,
            late=self.surely_late(calendar, local_date(ctx.at)) is not None,
            answer_due=due.date, due_provisional=due.provisional,
        )  # fmt: skip

    @property
    def reference(self) -> str:
        """How a card names the question (cards are filed under a case number's column)."""
        return f"ZX-{self.id}"
