"""Consultation commands (网上咨询): service guides and the question board, in the licensing
application's event store (so the audit trail covers them).

- ``guide(item)``: the item's guide as it stands — the stored aggregate, or the packaged one
  (version 1) until an ADMIN first changes it.
- ``update_guide``: ADMIN only; stores the packaged guide and the change in one save.
- ``ask``: anyone (the API rate-limits anonymous askers per client) or a signed-in APPLICANT;
  routed by ``authority_for`` (the home authority, ``XUKE_HOME_AUTHORITY``, for provincial
  items and for items decided below it; the national administration for national items; the
  competent unit of an optional ``jurisdictionCode``); due in the authority's committed
  working days (``XUKE_CONSULTATION_ANSWER_DAYS``, default 5), recomputed when a calendar
  year is loaded, and provisional while it rests on an estimated year.
- ``answer``: staff of the authority the question was routed to; to anyone else the question
  does not exist (NOT_FOUND, and the attempt is reported like any refusal). An answer after
  the due date raises a CONSULTATION_LATE card (as the watcher does for one still open).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from xuke.domain.calendar import DueDate
from xuke.domain.case_records import CommandContext
from xuke.domain.catalogue import AuthorityLevel, LicenseItem, packaged_items
from xuke.domain.consultation import (
    DEFAULT_ANSWER_DAYS,
    Channel,
    Consultation,
    ConsultationStatus,
    GuideContent,
    GuideMaterial,
    GuideWindow,
    MaterialDetail,
    PackagedGuide,
    ServiceGuide,
    check_content,
    guide_materials,
    packaged_guides,
)
from xuke.domain.errors import Conflict, NotFound, ValidationFailed
from xuke.domain.model import local_date
from xuke.domain.organisations import Organisation, OrganisationTree
from xuke.domain.roles import STAFF_ROLES, Role
from xuke.domain.supervision import CardCause

from . import authorization as authz
from .commands import CommandResult
from .licensing import LicensingApplication
from .principal import SYSTEM, Principal
from .supervision import SupervisionCommands

FEE_NONE = "不收费（《行政许可法》第五十八条）"
NOT_FOUND = "咨询不存在，或不由您所在的机关答复"
# The province whose authority answers the board (the packaged tree's: 广东省, 440000).
DEFAULT_HOME_AUTHORITY = "440000"


@cache
def _seed_versions() -> dict[str, int]:
    """Each packaged item's version: the catalogue as ``xuke migrate`` seeds it."""
    return {item.code: item.version for item in packaged_items()}


def admin_defined(item: LicenseItem) -> bool:
    """Did an ADMIN define this item version (``defineLicenseItem``), rather than the seed?"""
    return _seed_versions().get(item.code) != item.version


@dataclass(frozen=True)
class GuideView:
    """A guide as served: the item (name, basis, limits, materials) and the guide's content."""

    item: LicenseItem
    content: GuideContent
    version: int
    updated_on: dt.date

    def material(self, code: str) -> MaterialDetail:
        return next(
            (m for m in self.content.materials if m.code == code), MaterialDetail(code=code)
        )

    def materials(self) -> tuple[GuideMaterial, ...]:
        """What GraphQL and the page both show (``domain.consultation.guide_materials``)."""
        return guide_materials(self.item, self.content, admin_defined(self.item))


class ConsultationCommands:
    def __init__(
        self,
        app: LicensingApplication,
        answer_days: Mapping[str, int] | None = None,
        home_authority: str = DEFAULT_HOME_AUTHORITY,
    ) -> None:
        """``answer_days``: working days each authority commits to ({"440000": 3}); default 5.
        ``home_authority``: the provincial authority that answers the board
        (``XUKE_HOME_AUTHORITY``)."""
        self.app = app
        self.answer_days = dict(answer_days or {})
        self.home_authority = home_authority.strip() or DEFAULT_HOME_AUTHORITY

    # ------------------------------------------------------------------ guides

    def item(self, item_code: str) -> LicenseItem:
        """The catalogue's item; an unknown code is a typed VALIDATION error (itemCode)."""
        return self.app.catalogue.get(item_code.strip())

    def guide(self, item_code: str) -> GuideView:
        item = self.item(item_code)
        stored = self._stored_guide(item.code)
        if stored is not None:
            return GuideView(item, stored.content, stored.version, stored.updated_on)
        packaged = self._packaged(item)
        return GuideView(item, packaged.content, 1, packaged.effective_on)

    def update_guide(
        self,
        principal: Principal,
        item_code: str,
        conditions: list[str],
        process: list[str],
        fee: str,
        windows: list[GuideWindow],
        key: str | None = None,
    ) -> CommandResult[ServiceGuide]:
        """ADMIN only. The first change stores the packaged guide with it (versions 1 and 2)."""
        role = self.app.guard.authorize(lambda: authz.require_admin(principal, "修改办事指南"))
        item = self.item(item_code)
        for w in windows:
            if self.app.organisations.find(w.org_code) is None:
                raise ValidationFailed(f"未知的机关代码: {w.org_code!r}", "windows")
        inputs = {
            "itemCode": item.code, "conditions": conditions, "process": process, "fee": fee,
            "windows": [w.model_dump() for w in windows],
        }  # fmt: skip

        def act(at: dt.datetime) -> tuple[ServiceGuide, list[ServiceGuide]]:
            ctx = CommandContext(actor=principal.acting_as(role), at=at, idempotency_key=key)
            guide = self._stored_guide(item.code)
            if guide is None:
                seed_ctx = CommandContext(actor=SYSTEM.acting_as(None), at=at)
                guide = ServiceGuide.seed(seed_ctx, item.code, self._packaged(item))
            content = guide.content.model_copy(
                update={
                    "conditions": tuple(conditions),
                    "process": tuple(process),
                    "fee": fee,
                    "windows": tuple(windows),
                }
            )
            check_content(content)
            guide.update(ctx, content)
            return guide, []

        return self.app.runner.execute(principal, "updateServiceGuide", inputs, key, act)

    def _stored_guide(self, item_code: str) -> ServiceGuide | None:
        try:
            guide: ServiceGuide = self.app.repository.get(ServiceGuide.id_for(item_code))
        except AggregateNotFoundError:
            return None
        return guide

    def _packaged(self, item: LicenseItem) -> PackagedGuide:
        """The packaged guide; an item defined later (without one) gets a plain default."""
        packaged = packaged_guides().get(item.code)
        if packaged is not None:
            return packaged
        org = self.app.organisations.find(self.authority_for(item))
        window = GuideWindow(
            org_code=org.code if org else "",
            name=f"{org.name if org else '许可机关'} 政务服务窗口",
            address="请以许可机关公布的地址为准",
            hours="工作日（法定节假日除外）",
            phone="12345 政务服务便民热线",
        )
        return PackagedGuide(
            item_code=item.code,
            effective_on=local_date(self.app.clock.now()),
            content=GuideContent(
                conditions=(f"符合{item.legal_basis}规定的条件",),
                process=("申请", "受理", "审查", "决定", "送达"),
                fee=FEE_NONE,
                windows=(window,),
            ),
        )

    # ------------------------------------------------------------------ questions

    def home(self, tree: OrganisationTree | None = None) -> Organisation:
        """The home authority (``XUKE_HOME_AUTHORITY``). Should it be missing from the tree
        or inactive, the first active provincial unit, then the root: the board never stops
        taking questions over a setting."""
        tree = tree or self.app.organisations
        org = tree.find(self.home_authority)
        if org is not None and org.active:
            return org
        active = [o for o in tree.organisations if o.active]
        provinces = sorted(
            (o for o in active if o.level is AuthorityLevel.PROVINCIAL), key=lambda o: o.code
        )
        return (provinces or sorted(active, key=lambda o: o.code))[0]

    def authority_for(
        self,
        item: LicenseItem | None,
        jurisdiction: str | None = None,
        tree: OrganisationTree | None = None,
    ) -> str:
        """The org a question goes to.

        - ``jurisdiction`` given (the asker's division, ``askQuestion(jurisdictionCode:)``):
          the active unit at the item's level competent there (an unknown division, or one
          with no such unit, is a VALIDATION error on ``jurisdictionCode``);
        - otherwise a national item goes to the national administration, every other item
          (provincial, or decided by a city or county of the home province's tree) and a
          question without an item to the home authority, which answers for its tree."""
        tree = tree or self.app.organisations
        home = self.home(tree)
        if item is None:
            return home.code
        if jurisdiction is not None:
            return tree.competent_authority(item.level, jurisdiction).code
        if item.level is AuthorityLevel.NATIONAL:
            nation = next(
                (o for o in tree.organisations
                 if o.level is AuthorityLevel.NATIONAL and o.active),
                None,
            )  # fmt: skip
            return (nation or home).code
        return home.code

    def days_for(self, authority: str) -> int:
        return self.answer_days.get(authority, DEFAULT_ANSWER_DAYS)

    def ask(
        self,
        principal: Principal | None,
        item_code: str | None,
        question: str,
        contact: str,
        key: str | None = None,
        jurisdiction: str | None = None,
    ) -> CommandResult[Consultation]:
        """Anyone, or a signed-in APPLICANT (staff ask through their own channels)."""
        code = item_code.strip() if item_code and item_code.strip() else None
        item = self.app.current_catalogue().get(code) if code is not None else None
        code = item.code if item is not None else None
        where = jurisdiction.strip() if jurisdiction and jurisdiction.strip() else None
        authority = self.authority_for(item, where, self.app.current_organisations())
        if principal is not None and not principal.has(Role.APPLICANT):
            self.app.guard.deny(authz.Forbidden("网上咨询面向公众和申请人", principal, "网上咨询"))
        channel = Channel.APPLICANT if principal is not None else Channel.PUBLIC
        actor_principal = principal or SYSTEM
        inputs = {"itemCode": code, "question": question, "contact": contact}
        if where is not None:
            inputs["jurisdictionCode"] = where

        def act(at: dt.datetime) -> tuple[Consultation, list[Consultation]]:
            if principal is None:
                actor = SYSTEM.acting_as(None).model_copy(update={"id": "public"})
            else:
                actor = principal.acting_as(Role.APPLICANT)
            ctx = CommandContext(actor=actor, at=at, idempotency_key=key)
            asked = Consultation.ask(
                ctx, code, question, contact, channel, authority, self.days_for(authority),
                self.app.working_calendar(),
                id=_public_id(key, inputs) if principal is None else None,
            )  # fmt: skip
            return asked, []

        if principal is not None:
            return self.app.runner.execute(actor_principal, "askQuestion", inputs, key, act)
        # Anonymous: no user to keep an idempotency record for. With a key, the question's
        # id follows from the key and the question, so a retry finds the first.
        consultation, _ = act(self.app.clock.now())
        try:
            recordings = self.app.save(consultation)
        except IntegrityError:
            if key is None:
                raise Conflict("保存冲突，请重试") from None
            existing: Consultation = self.app.repository.get(consultation.id)
            return CommandResult(case=existing, notification_id=None, replayed=True)
        return CommandResult(case=consultation, notification_id=recordings[-1].notification.id)

    def answer(
        self,
        principal: Principal,
        consultation_id: UUID,
        answer: str,
        publish: bool = True,
        key: str | None = None,
    ) -> CommandResult[Consultation]:
        inputs = {"id": str(consultation_id), "answer": answer, "publish": publish}

        def act(at: dt.datetime) -> tuple[Consultation, list[Consultation]]:
            consultation = self.for_staff(principal, consultation_id, "答复咨询")
            role = sorted(principal.roles & STAFF_ROLES)[0]
            ctx = CommandContext(actor=principal.acting_as(role), at=at, idempotency_key=key)
            consultation.give_answer(
                ctx, answer, publish, principal.org_code, self.app.working_calendar()
            )
            return consultation, []

        result = self.app.runner.execute(principal, "answerQuestion", inputs, key, act)
        if not result.replayed and result.case.late:
            self.late_card(result.case, result.case.answer_due)
        return result

    def read_contact(self, principal: Principal, consultation_id: UUID) -> str:
        """The asker's contact, for the staff of the authority the question went to; the
        read is stored first (``Consultation.ContactRead``: who, when), like a case's
        ``applicantContact``. To anyone else the question does not exist (NOT_FOUND)."""

        def act(at: dt.datetime) -> tuple[Consultation, list[Consultation]]:
            consultation = self.for_staff(principal, consultation_id, "查阅咨询人联系方式")
            role = sorted(principal.roles & STAFF_ROLES)[0]
            ctx = CommandContext(actor=principal.acting_as(role), at=at)
            consultation.record_contact_read(ctx)
            return consultation, []

        inputs = {"id": str(consultation_id)}
        result = self.app.runner.execute(principal, "readConsultationContact", inputs, None, act, 3)
        return result.case.contact

    def surely_late(self, consultation: Consultation, today: dt.date) -> DueDate | None:
        """Its due date, if an OPEN question is past it for certain under the calendar in
        force (on an estimated year: past even the latest plausible date); else None."""
        if consultation.status is not ConsultationStatus.OPEN:
            return None
        return consultation.surely_late(self.app.working_calendar(), today)

    def for_staff(self, principal: Principal, consultation_id: UUID, action: str) -> Consultation:
        """The question, if the caller is staff of the authority it was routed to; else it
        does not exist for them (NOT_FOUND), and the attempt is reported."""
        try:
            consultation: Consultation = self.app.repository.get(consultation_id)
        except AggregateNotFoundError:
            raise NotFound(NOT_FOUND, "id") from None
        if not isinstance(consultation, Consultation):
            raise NotFound(NOT_FOUND, "id")
        if not (principal.roles & STAFF_ROLES) or principal.org_code != consultation.authority:
            self.app.on_forbidden(
                authz.Forbidden(
                    f"只有 {consultation.authority} 的工作人员可以答复该咨询", principal, action
                )
            )
            raise NotFound(NOT_FOUND, "id")
        return consultation

    def late_card(self, consultation: Consultation, due: dt.date) -> bool:
        """YELLOW, to the authority: the question was (or still is) unanswered past ``due``.
        One card per question, whoever notices first (the watcher or the late answer)."""
        return SupervisionCommands(self.app).issue_card_for(
            consultation.reference, consultation.item_code or "", consultation.authority,
            CardCause.CONSULTATION_LATE, due, "CONSULTATION",
        )  # fmt: skip

    def get(self, consultation_id: UUID) -> Consultation | None:
        try:
            found = self.app.repository.get(consultation_id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, Consultation) else None


def _public_id(key: str | None, inputs: Mapping[str, object]) -> UUID | None:
    if not key:
        return None
    digest = hashlib.sha256(repr(sorted(inputs.items())).encode()).hexdigest()
    return uuid5(NAMESPACE_URL, f"xuke:consultation:public:{key}:{digest}")
