"""``supervision``: one jurisdiction, the caller's, as 监察 sees it. The ``Supervision`` type
is composed of each feature's fields, in the contract's order; the caller's roles are checked
once, here, for all of them."""

from __future__ import annotations

import strawberry

from xuke.api.graphql.common.types import Info
from xuke.api.graphql.supervision.audit import AuditFields
from xuke.api.graphql.supervision.cards import CardFields
from xuke.api.graphql.supervision.complaints import ComplaintFields
from xuke.api.graphql.supervision.compliance import ComplianceFields
from xuke.api.graphql.supervision.late_cases import LateCases
from xuke.api.graphql.supervision.late_counts import LateCountFields
from xuke.api.graphql.supervision.orders import OrderFields


@strawberry.type
class Supervision(
    LateCases,
    ComplianceFields,
    CardFields,
    OrderFields,
    ComplaintFields,
    AuditFields,
    LateCountFields,  # the dashboard's tables (an addition to the contract)
):
    """Its fields stand in the schema in the order of these bases."""


@strawberry.type
class SupervisionQueries:
    @strawberry.field
    def supervision(self, info: Info) -> Supervision:
        principal = info.context.require_oversight("监察")
        return Supervision(jurisdiction=principal.jurisdiction_code)
