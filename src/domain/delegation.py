"""委托代办: a staff member away (leave, a business trip) lets a colleague of the same
authority work the tasks they hold, for a period.

One ``Delegations`` aggregate per *delegate* (its id follows from the user id), so both
questions the system asks are one lookup: "whose tasks may this user work today?" (their
inbox, and the check before they act on a task held by someone else). A delegation gives no
new role and no other authority: the delegate still needs the stage's role at the authority
working the case (``require_staff``), and acts under their own name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from xuke.domain.case_records import CommandContext
from xuke.domain.errors import InvalidState, ValidationFailed
from xuke.domain.model import Aggregate, Immutable, local_date

MAX_DELEGATION_DAYS = 92  # a quarter at most: longer absences are reassigned by the lead


class Delegation(Immutable):
    """``delegator`` (of ``org_code``) lets the aggregate's delegate work their tasks from
    ``starts_on`` to ``ends_on``, both included, unless ended earlier."""

    delegator: str
    org_code: str
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    ended_on: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on and (
            self.ended_on is None or day < self.ended_on
        )


class Delegations(Aggregate):
    delegate: str
    delegations: tuple[Delegation, ...]

    def __init__(self) -> None:
        """Set by ``Started.apply``."""

    @staticmethod
    def id_for(delegate: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"xuke:delegations-to:{delegate}")

    class Started(Aggregate.Created):
        delegate: str

        def apply(self, agg: Any) -> None:
            agg.delegate, agg.delegations = self.delegate, ()

    class Granted(Aggregate.Event):
        delegation: Delegation

        def apply(self, agg: Any) -> None:
            kept = tuple(d for d in agg.delegations if d.delegator != self.delegation.delegator)
            agg.delegations = (*kept, self.delegation)

    class Ended(Aggregate.Event):
        delegator: str
        ended_on: dt.date

        def apply(self, agg: Any) -> None:
            agg.delegations = tuple(
                d.model_copy(update={"ended_on": self.ended_on})
                if d.delegator == self.delegator
                else d
                for d in agg.delegations
            )

    @classmethod
    def start(cls, ctx: CommandContext, delegate: str) -> Delegations:
        agg: Delegations = cls._create(
            cls.Started, id=cls.id_for(delegate), actor=ctx.actor, timestamp=ctx.at,
            idempotency_key=ctx.idempotency_key, delegate=delegate,
        )  # fmt: skip
        return agg

    def grant(self, ctx: CommandContext, starts_on: dt.date, ends_on: dt.date, reason: str) -> None:
        """The caller (``ctx.actor``) delegates to this aggregate's delegate. A new period
        replaces the delegator's earlier one."""
        today = local_date(ctx.at)
        if ctx.actor.id == self.delegate:
            raise ValidationFailed("不能委托给自己", "delegate")
        if ends_on < starts_on:
            raise ValidationFailed("委托结束日期不能早于开始日期", "until")
        if ends_on < today:
            raise ValidationFailed("委托结束日期不能早于今天", "until")
        if (ends_on - starts_on).days + 1 > MAX_DELEGATION_DAYS:
            raise ValidationFailed(
                f"委托期限不能超过 {MAX_DELEGATION_DAYS} 天；更长的离岗请由环节负责人改派任务",
                "until",
            )
        if not reason.strip():
            raise ValidationFailed("必须说明委托理由", "reason")
        delegation = Delegation(
            delegator=ctx.actor.id, org_code=ctx.actor.org_code, starts_on=starts_on,
            ends_on=ends_on, reason=reason.strip(),
        )  # fmt: skip
        self.trigger_event(
            self.Granted, actor=ctx.actor, timestamp=ctx.at,
            idempotency_key=ctx.idempotency_key, delegation=delegation,
        )  # fmt: skip

    def end(self, ctx: CommandContext) -> None:
        """The delegator is back: the delegation ends today."""
        today = local_date(ctx.at)
        if not any(d.delegator == ctx.actor.id and d.active_on(today) for d in self.delegations):
            raise InvalidState("您没有正在生效的委托")
        self.trigger_event(
            self.Ended, actor=ctx.actor, timestamp=ctx.at,
            idempotency_key=ctx.idempotency_key, delegator=ctx.actor.id, ended_on=today,
        )  # fmt: skip

    def delegators_on(self, day: dt.date, org_code: str) -> list[str]:
        """Whose tasks the delegate may work on ``day``, as staff of ``org_code``."""
        return sorted(
            d.delegator for d in self.delegations if d.active_on(day) and d.org_code == org_code
        )
