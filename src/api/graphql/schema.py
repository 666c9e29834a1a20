"""The served schema: every feature's queries and mutations merged, with limits on depth and
request cost so no query can be made expensive enough to hurt the service."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.tools import merge_types

from xuke.api.graphql.cases import CaseMutations, CaseQueries
from xuke.api.graphql.inbox import InboxQueries
from xuke.api.graphql.oversight import OversightMutations, OversightQueries
from xuke.api.graphql.public import PublicQueries
from xuke.api.graphql.supervision import SupervisionQueries

log = logging.getLogger("xuke.graphql")

Query = merge_types(
    "Query", (CaseQueries, InboxQueries, SupervisionQueries, PublicQueries, OversightQueries)
)
Mutation = merge_types("Mutation", (CaseMutations, OversightMutations))


def unexpected(error: GraphQLError) -> bool:
    """Errors we raise on purpose carry a code or are GraphQL's own; anything else (a bug,
    a lost database) is masked, so no internal detail ever reaches a client."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return not (error.extensions and error.extensions.get("code"))


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Log what went wrong unexpectedly; refusals and bad input are answers, not faults."""
        for error in errors:
            if unexpected(error):
                log.error("unexpected error", exc_info=error.original_error)


schema = Schema(
    query=Query,
    mutation=Mutation,
    extensions=[  # a fresh extension per request
        lambda: QueryDepthLimiter(max_depth=10),
        lambda: MaxAliasesLimiter(max_alias_count=30),
        lambda: MaxTokensLimiter(max_token_count=3000),
        lambda: MaskErrors(should_mask_error=unexpected),
    ],
)


def sdl() -> str:
    return schema.as_str()
