"""The served schema: every feature's queries and mutations merged, in the contract's order.
What each request passes through (limits, caches, masking) is in ``guards``."""

from __future__ import annotations

from strawberry.tools import merge_types

from xuke.api.graphql.administration import AdministrationMutations, AdministrationQueries
from xuke.api.graphql.cases import (
    CaseMutations,
    CaseQueries,
    CaseSearchQueries,
    ContactQueries,
    HearingMutations,
    PreliminaryReviewMutations,
    TaskMutations,
)
from xuke.api.graphql.consultation import ConsultationMutations, ConsultationQueries
from xuke.api.graphql.exchange import ExchangeMutations, ExchangeQueries
from xuke.api.graphql.guards import EXTENSIONS, Schema
from xuke.api.graphql.inbox import InboxQueries
from xuke.api.graphql.licences import LicenceMutations, LicenceQueries
from xuke.api.graphql.live.subscriptions import LiveSubscriptions
from xuke.api.graphql.national import NationalQueries
from xuke.api.graphql.public import PublicQueries
from xuke.api.graphql.supervision import (
    ComplaintMutations,
    OrderMutations,
    SupervisionQueries,
    UnitCardQueries,
)

Query = merge_types(
    "Query",
    (
        CaseQueries,
        CaseSearchQueries,
        ContactQueries,
        InboxQueries,
        SupervisionQueries,
        PublicQueries,
        UnitCardQueries,
        LicenceQueries,
        ExchangeQueries,
        NationalQueries,
        ConsultationQueries,
        AdministrationQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        CaseMutations,
        HearingMutations,
        PreliminaryReviewMutations,
        TaskMutations,
        OrderMutations,
        ComplaintMutations,
        LicenceMutations,
        ExchangeMutations,
        ConsultationMutations,
        AdministrationMutations,
    ),
)

Subscription = merge_types("Subscription", (LiveSubscriptions,))  # 实时监控 (graphql/live)

schema = Schema(query=Query, mutation=Mutation, subscription=Subscription, extensions=EXTENSIONS)


def sdl() -> str:
    return schema.as_str()
