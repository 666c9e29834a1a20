"""The served schema: every feature's queries and mutations merged, in the contract's order.
What each request passes through (limits, caches, masking) is in ``guards``."""

from __future__ import annotations

from strawberry.tools import merge_types

from xuke.api.graphql.cases import (
    CaseMutations,
    CaseQueries,
    HearingMutations,
    PreliminaryReviewMutations,
)
from xuke.api.graphql.guards import EXTENSIONS, Schema
from xuke.api.graphql.inbox import InboxQueries
from xuke.api.graphql.licences import LicenceMutations, LicenceQueries
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
        InboxQueries,
        SupervisionQueries,
        PublicQueries,
        UnitCardQueries,
        LicenceQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        CaseMutations,
        HearingMutations,
        PreliminaryReviewMutations,
        OrderMutations,
        ComplaintMutations,
        LicenceMutations,
    ),
)

schema = Schema(query=Query, mutation=Mutation, extensions=EXTENSIONS)


def sdl() -> str:
    return schema.as_str()
