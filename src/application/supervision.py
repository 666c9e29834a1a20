"""Supervision commands (监察): cards by the watcher, 督办 orders, complaints. They live in
the licensing application's event store, so the audit trail covers them."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar, cast
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.persistence import IntegrityError

from xuke.domain.case import LicenseCase
from xuke.domain.case_records import CommandContext
from xuke.domain.errors import Conflict, DomainError, NotFound
from xuke.domain.model import Aggregate, local_date
from xuke.domain.roles import STAFF_ROLES, Role
from xuke.domain.supervision import (
    COMPLAINT_TAKE_UP_DAYS,
    CardCause,
    Complaint,
    SupervisionCard,
    SupervisionOrder,
)

from . import authorization as authz
from .licensing import LicensingApplication
from .principal import SYSTEM, Principal

A = TypeVar("A", bound=Aggregate)


def _created_id(principal: Principal, key: str | None, kind: str) -> UUID | None:
    """With an idempotency key, a new order or complaint gets an id derived from it: the
    retry collides with the first and returns it."""
    return uuid5(NAMESPACE_URL, f"xuke:{kind}:{principal.user_id}\\x00{key}") if key else None


NO_CASE_OR_CODE = "未找到该案件，或查询码不正确"


class SupervisionCommands:
    def __init__(self, app: LicensingApplication) -> None:
        self.app = app
        self.guard, self.runner = app.guard, app.runner

    # ---------------------------------------------------------------- cards (by the watcher)

    def issue_card(
        self, case: LicenseCase, cause: CardCause, due_on: dt.date | None, detail: str = ""
    ) -> bool:
        """True when this call issued the card; False when it already existed."""
        return self.issue_card_for(
            case.case_no, case.item_code, case.jurisdiction_code, cause, due_on, detail
        )

    def issue_card_for(
        self,
        case_no: str,
        item_code: str,
        unit: str,
        cause: CardCause,
        due_on: dt.date | None,
        detail: str = "",
    ) -> bool:
        """A card addressed to ``unit`` under ``case_no`` — a licence's card names the case
        that began its current term (the watcher's rows carry it)."""
        ctx = CommandContext(actor=SYSTEM.acting_as(None), at=self.app.clock.now())
        card = SupervisionCard.issue(ctx, case_no, item_code, cause, unit, due_on, detail)
        try:
            self.app.save(card)
        except IntegrityError:
            return False
        return True

    # ---------------------------------------------------------------- 督办

    def issue_order(
        self,
        principal: Principal,
        case_no: str,
        instruction: str,
        respond_by: dt.date,
        key: str | None = None,
    ) -> SupervisionOrder:
        """A SUPERVISOR orders the case's competent authority to act by ``respond_by``.
        A case the caller may not see is, to them, no case at all (NOT_FOUND, recorded)."""
        case = self.app.get_case(case_no)
        if not authz.can_view(principal, case):
            self.guard.on_forbidden(
                authz.Forbidden("案件不在您的辖区内", principal, "督办", case_no)
            )
            raise NotFound(f"案件 {case_no} 不存在")
        role = self.guard.authorize(
            lambda: authz.require_staff(principal, Role.SUPERVISOR, case, "督办")
        )
        ctx = self._ctx(principal, role, key)
        order = SupervisionOrder.issue(
            ctx, case_no, case.jurisdiction_code, instruction, respond_by
        )
        return self._save_new(order, _created_id(principal, key, "order"))

    def answer_order(
        self, principal: Principal, order_id: UUID, report: str, key: str | None = None
    ) -> SupervisionOrder:
        """整改报告, by the staff of the unit the order is (now) addressed to."""
        order: SupervisionOrder = self.runner.load(order_id, "督办")
        unit = order.escalated_to or order.unit
        if principal.org_code not in (order.unit, unit) or not principal.roles & STAFF_ROLES:
            self.guard.deny(
                authz.Forbidden(
                    f"只有 {unit} 的工作人员可以答复该督办", principal, "答复督办", order.case_no
                )
            )
        order.answer(self._ctx(principal, sorted(principal.roles & STAFF_ROLES)[0], key), report)
        self.runner.save(order)
        return order

    def escalate_if_overdue(self, order_id: UUID) -> bool:
        """Unanswered past its date: up to the parent authority (system, by the watcher)."""
        order: SupervisionOrder = self.runner.load(order_id, "督办")
        parent = self.app.organisations.find(order.unit)
        if parent is None or parent.parent is None:
            return False
        system = CommandContext(actor=SYSTEM.acting_as(None), at=self.app.clock.now())
        try:  # not due, already answered, or another watcher was first: nothing to do
            order.escalate(system, parent.parent)
            self.runner.save(order)
        except DomainError:
            return False
        return True

    # ---------------------------------------------------------------- 投诉

    def file_complaint(
        self,
        principal: Principal | None,
        case_no: str,
        text: str,
        query_code: str | None = None,
        key: str | None = None,
    ) -> Complaint:
        """By the applicant (logged in), or by anyone holding the case's query code. An
        unknown number and a wrong code get one answer, so the number's existence is not
        told either (and the API counts anonymous tries against the lookup limit)."""
        try:
            case = self.app.get_case(case_no)
        except NotFound:
            raise NotFound(NO_CASE_OR_CODE) from None
        if principal is not None and authz.is_own_case(principal, case):
            channel, actor = "APPLICANT", principal.acting_as(Role.APPLICANT)
        elif query_code and self.app.check_query_code(case, query_code):
            channel, actor = "PUBLIC", SYSTEM.acting_as(None).model_copy(update={"id": "public"})
        else:
            raise NotFound(NO_CASE_OR_CODE)  # the same answer as the status page
        now = self.app.clock.now()
        due = (
            self.app.working_calendar()
            .add_working_days(local_date(now), COMPLAINT_TAKE_UP_DAYS)
            .date
        )
        ctx = CommandContext(actor=actor, at=now, idempotency_key=key)
        complaint = Complaint.file(ctx, case_no, case.jurisdiction_code, channel, text, due)
        who = principal or SYSTEM
        return self._save_new(
            complaint, _created_id(who, f"{case_no}:{key}" if key else None, "complaint")
        )

    def take_up_complaint(
        self, principal: Principal, complaint_id: UUID, key: str | None = None
    ) -> Complaint:
        complaint = self._complaint_for_supervisor(principal, complaint_id, "受理投诉")
        complaint.take_up(self._ctx(principal, Role.SUPERVISOR, key))
        self.runner.save(complaint)
        return complaint

    def answer_complaint(
        self, principal: Principal, complaint_id: UUID, reply: str, key: str | None = None
    ) -> Complaint:
        complaint = self._complaint_for_supervisor(principal, complaint_id, "答复投诉")
        complaint.answer(self._ctx(principal, Role.SUPERVISOR, key), reply)
        self.runner.save(complaint)
        return complaint

    # ---------------------------------------------------------------- machinery

    def _complaint_for_supervisor(
        self, principal: Principal, complaint_id: UUID, action: str
    ) -> Complaint:
        complaint: Complaint = self.runner.load(complaint_id, "投诉")
        if not principal.has(Role.SUPERVISOR) or not principal.covers(complaint.jurisdiction_code):
            self.guard.deny(
                authz.Forbidden(
                    "只有本辖区的监察人员可以处理该投诉", principal, action, complaint.case_no
                )
            )
        return complaint

    def _ctx(self, principal: Principal, role: Role, key: str | None) -> CommandContext:
        return CommandContext(
            actor=principal.acting_as(role), at=self.app.clock.now(), idempotency_key=key
        )

    def _save_new(self, aggregate: A, derived_id: UUID | None) -> A:
        if derived_id is not None:  # an idempotent creation: the id is the key's
            aggregate = _with_id(aggregate, derived_id)
        try:
            self.app.save(aggregate)
        except IntegrityError:
            if derived_id is None:
                raise Conflict("保存冲突，请重试") from None
            existing: A = self.app.repository.get(derived_id)
            return existing
        return aggregate


def _with_id(aggregate: A, new_id: UUID) -> A:
    """Re-issue a freshly created aggregate's creation event under another id."""
    (created,) = aggregate.collect_events()
    event: Any = cast(Any, created).model_copy(update={"originator_id": new_id})
    fresh: A = event.mutate(None)
    fresh.pending_events.append(event)
    return fresh
