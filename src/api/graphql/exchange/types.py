"""The exchange feed's events and the webhooks, as the contract shapes them."""

from __future__ import annotations

import datetime as dt
from typing import cast

import strawberry
from strawberry.scalars import JSON

from xuke.api.graphql.common.errors import UserError
from xuke.api.graphql.common.paging import PageInfo
from xuke.application.webhooks import Webhook as WebhookRecord
from xuke.projections.exchange_queries import ExchangeRow


@strawberry.type(description="One published integration event (docs/exchange.md).")
class ExchangeEvent:
    position: int
    id: str = strawberry.field(description="Stable event id, for de-duplication.")
    type: str
    occurred_at: dt.datetime
    jurisdiction_code: str
    case_no: str | None
    certificate_no: str | None
    payload: JSON

    @classmethod
    def of(cls, row: ExchangeRow) -> ExchangeEvent:
        return cls(
            position=row.position, id=row.event_id, type=row.type,
            occurred_at=dt.datetime.fromisoformat(row.occurred_at),
            jurisdiction_code=row.jurisdiction_code, case_no=row.case_no,
            certificate_no=row.certificate_no, payload=cast(JSON, row.payload),
        )  # fmt: skip


@strawberry.type
class ExchangeEventEdge:
    node: ExchangeEvent
    cursor: str


@strawberry.type
class ExchangeEventConnection:
    edges: list[ExchangeEventEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class Webhook:
    id: strawberry.ID
    url: str
    event_types: list[str]
    active: bool
    delivered_up_to: int
    failures: int
    secret: str | None = strawberry.field(
        description="The HMAC-SHA256 key of the signature header: shown once, on registration."
    )

    @classmethod
    def of(cls, w: WebhookRecord) -> Webhook:
        return cls(
            id=strawberry.ID(w.id), url=w.url, event_types=list(w.event_types), active=w.active,
            delivered_up_to=w.delivered_up_to, failures=w.failures, secret=w.secret,
        )  # fmt: skip


@strawberry.type
class WebhookPayload:
    webhook: Webhook | None
    errors: list[UserError]
