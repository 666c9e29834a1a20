"""Compliance (按时办结率 and the rest) per department, item or month, from the deadlines view,
with the renewals granted and deemed granted (Law 50, from the licence register) and the
cards issued in the period beside it."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry

from xuke.api.graphql.common.errors import bad_input
from xuke.api.graphql.common.types import Info
from xuke.api.graphql.supervision.scope import InJurisdiction
from xuke.projections.deadlines_queries import compliance
from xuke.projections.store import Row
from xuke.projections.supervision import card_counts

MAX_PERIOD_DAYS = 3660  # ten years

# A key with cards but nothing closed or open in the period: all its counts are naught.
BLANK = {
    "closed": 0,
    "closed_on_time": 0,
    "closed_early": 0,
    "overdue_open": 0,
    "average_working_days": 0,
    "renewals_granted": 0,
    "renewals_deemed": 0,
}


@strawberry.enum
class ComplianceGroup(Enum):
    DEPARTMENT = "DEPARTMENT"
    ITEM = "ITEM"
    MONTH = "MONTH"


@strawberry.type
class Compliance:
    key: str
    closed: int
    closed_on_time: int
    closed_early: int
    overdue_open: int
    on_time_rate: float
    average_working_days: float
    yellow_cards: int = 0  # additions to v1: cards issued in the period
    red_cards: int = 0
    # additions to v1: renewals decided by the authority in the period, and those deemed
    # granted by law because it did not decide before validTo (Law 50) — its failure
    renewals_granted: int = 0
    renewals_deemed: int = 0

    @classmethod
    def of(cls, r: Row, cards: dict[str, Any]) -> Compliance:
        """``r``: the key's deadline counts; ``cards``: its card counts, if any."""
        closed, on_time = int(r["closed"]), int(r["closed_on_time"] or 0)
        return cls(
            key=str(r["key"]),
            closed=closed,
            closed_on_time=on_time,
            closed_early=int(r["closed_early"] or 0),
            overdue_open=int(r["overdue_open"]),
            on_time_rate=on_time / closed if closed else 0.0,
            average_working_days=float(r["average_working_days"] or 0),
            yellow_cards=int(cards.get("yellow") or 0),
            red_cards=int(cards.get("red") or 0),
            renewals_granted=int(r.get("renewals_granted") or 0),
            renewals_deemed=int(r.get("renewals_deemed") or 0),
        )


@strawberry.type
class ComplianceFields(InJurisdiction):
    @strawberry.field
    async def compliance(
        self,
        info: Info,
        from_: Annotated[dt.date, strawberry.argument(name="from")],
        to: dt.date,
        group_by: ComplianceGroup,
    ) -> list[Compliance]:
        """按时办结率 etc. per department, item or month, from the deadlines view; renewals
        granted and deemed granted (Law 50) from the licence register."""
        if to < from_ or (to - from_).days > MAX_PERIOD_DAYS:
            raise bad_input("the period must run forward and span at most ten years")
        ctx, views, group = info.context, info.context.services.reads, group_by.value
        today = ctx.services.today()
        rows = await ctx.run(compliance, views, self.jurisdiction, from_, to, group, today)
        cards = await ctx.run(card_counts, views, self.jurisdiction, from_, to, group)
        by_key = {str(r["key"]): r for r in rows}
        return [
            Compliance.of({"key": k, **by_key.get(k, BLANK)}, cards.get(k, {}))
            for k in sorted(set(by_key) | set(cards))
        ]
