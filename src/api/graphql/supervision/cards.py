"""Cards (黄牌 / 红牌): issued by the deadline watcher to the unit responsible for a late case.
Supervision lists those of its jurisdiction; a unit's staff see their own beside the inbox."""

from __future__ import annotations

import datetime as dt

import strawberry

from xuke.api.context import forbidden
from xuke.api.graphql.common.paging import Connection, fetch_page
from xuke.api.graphql.common.rows import day
from xuke.api.graphql.common.types import Info
from xuke.api.graphql.supervision.scope import InJurisdiction
from xuke.domain.roles import STAFF_ROLES
from xuke.projections.store import Row
from xuke.projections.supervision import unit_cards


@strawberry.type(description="黄牌 / 红牌: issued by the deadline watcher to the responsible unit.")
class SupervisionCard:
    id: strawberry.ID
    case_no: str
    item_code: str
    colour: str
    cause: str
    responsible_unit: str
    due_on: dt.date | None
    issued_at: dt.datetime

    @classmethod
    def of(cls, r: Row) -> SupervisionCard:
        return cls(
            id=strawberry.ID(r["card_id"]), case_no=r["case_no"], item_code=r["item_code"], colour=r["colour"],
            cause=r["cause"], responsible_unit=r["responsible_unit"], due_on=day(r["due_on"]),
            issued_at=dt.datetime.fromisoformat(r["issued_at"]),
        )  # fmt: skip


SupervisionCardConnection = Connection[SupervisionCard]


@strawberry.type
class CardFields(InJurisdiction):
    @strawberry.field(description="黄牌/红牌 issued to units of this jurisdiction, newest first.")
    async def cards(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> SupervisionCardConnection:
        return await self._listed(info, "supervision_cards", SupervisionCard.of, first, after)


@strawberry.type
class UnitCardQueries:
    @strawberry.field(description="黄牌/红牌 the caller's own unit received (beside its inbox).")
    async def unit_cards(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> SupervisionCardConnection:
        ctx = info.context
        principal = ctx.require_principal()
        if not principal.roles & STAFF_ROLES:
            raise forbidden("只有许可机关的工作人员有本单位的监察卡")
        page = await fetch_page(
            ctx, unit_cards, ctx.services.views, principal.org_code, first or 20, after
        )
        return SupervisionCardConnection.of(page, SupervisionCard.of)
