"""``nationalRegister``, ``provinceCompliance`` and ``exchangeSources``: reads of the inbound
exchange store's views (``projections/national.py``)."""

from __future__ import annotations

import re

import strawberry

from xuke.api.graphql.common.errors import bad_input
from xuke.api.graphql.common.paging import Connection, fetch_page
from xuke.api.graphql.common.types import Info
from xuke.projections.national import (
    inbound_sources,
    national_register_page,
    province_compliance,
    register_status,
)
from xuke.projections.store import Row

PROVINCE = re.compile(r"\d{2}0000")


@strawberry.type(description="A licence granted in a followed province (national register).")
class NationalLicence:
    certificate_no: str
    item_code: str
    holder_name: str
    status: str = strawberry.field(description="VALID, EXPIRED, REVOKED, WITHDRAWN or CANCELLED.")
    valid_until: str | None
    issued_on: str | None
    province: str
    jurisdiction_code: str
    case_no: str | None

    @classmethod
    def of(cls, r: Row, status: str) -> NationalLicence:
        return cls(
            certificate_no=r["certificate_no"], item_code=r["item_code"],
            holder_name=r["holder_name"], status=status, valid_until=r["valid_until"],
            issued_on=r["issued_on"], province=r["province"],
            jurisdiction_code=r["jurisdiction_code"], case_no=r["case_no"],
        )  # fmt: skip


@strawberry.type(description="National supervision: one followed province's cases.")
class ProvinceCompliance:
    province: str
    cases: int
    open_accepted: int = strawberry.field(description="Accepted, neither decided nor closed.")
    overdue: int = strawberry.field(description="Open accepted whose decisionDue is past.")
    decided_on_time: int
    decided_late: int
    compliance_rate: float | None = strawberry.field(
        description="decidedOnTime / (decidedOnTime + decidedLate); null before any decision."
    )


@strawberry.type(description="An instance this one receives integration events from.")
class ExchangeSource:
    source: str
    kind: str = strawberry.field(description="FOLLOW (over HTTP) or FERRY (imported bundles).")
    url: str | None
    last_position: int
    events: int
    last_contact: str | None
    last_error: str | None
    jurisdiction: str | None = strawberry.field(
        description="What the source may speak for; events outside it are skipped."
    )

    @classmethod
    def of(cls, r: Row) -> ExchangeSource:
        return cls(
            source=r["source"], kind=r["kind"], url=r["url"],
            last_position=int(r["last_position"]), events=int(r["events"]),
            last_contact=r["last_contact"], last_error=r["last_error"],
            jurisdiction=r["jurisdiction"],
        )  # fmt: skip


@strawberry.type
class NationalQueries:
    @strawberry.field(description="SUPERVISOR, AUDITOR, ADMIN: followed provinces' licences.")
    async def national_register(
        self,
        info: Info,
        province: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[NationalLicence]:
        ctx = info.context
        principal = ctx.require_oversight("全国许可证登记")
        if province is not None and not PROVINCE.fullmatch(province):
            raise bad_input("province 应为省级行政区划代码，如 440000")
        page = await fetch_page(
            ctx, national_register_page, ctx.services.reads, principal.jurisdiction_code,
            province, first or 20, after,
        )  # fmt: skip
        today = ctx.services.today()
        return Connection.of(page, lambda r: NationalLicence.of(r, register_status(r, today)))

    @strawberry.field(description="SUPERVISOR, AUDITOR, ADMIN: supervision by province.")
    async def province_compliance(self, info: Info) -> list[ProvinceCompliance]:
        ctx = info.context
        principal = ctx.require_oversight("全国监察")
        rows = await ctx.run(
            province_compliance, ctx.services.reads, principal.jurisdiction_code,
            ctx.services.today(),
        )  # fmt: skip
        return [ProvinceCompliance(**r) for r in rows]

    @strawberry.field(
        description="SUPERVISOR, AUDITOR, ADMIN: followed and ferried sources whose "
        "jurisdiction the caller's covers."
    )
    async def exchange_sources(self, info: Info) -> list[ExchangeSource]:
        ctx = info.context
        principal = ctx.require_oversight("信息交换来源")
        rows = await ctx.run(inbound_sources, ctx.services.reads, principal.jurisdiction_code)
        return [ExchangeSource.of(r) for r in rows]
