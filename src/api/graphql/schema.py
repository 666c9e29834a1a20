"""The served schema: every feature's queries and mutations merged, with limits on depth and
request cost so no query can be made expensive enough to hurt the service."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
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


def holds_nul(value: Any) -> bool:
    """Does an argument hold U+0000 anywhere (in a string, a list, an input object)?"""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(holds_nul(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(holds_nul(getattr(value, f.name)) for f in dataclasses.fields(value))
    return False


class RefuseNulCharacters(SchemaExtension):
    """PostgreSQL text cannot hold U+0000 (the fuzzer sent one as a case number): such an
    argument is bad input, refused before any resolver or database sees it."""

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs and holds_nul(kwargs):
            raise GraphQLError(
                "输入含有不允许的字符 (U+0000)", extensions={"code": "BAD_USER_INPUT"}
            )
        return _next(root, info, *args, **kwargs)


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
        RefuseNulCharacters,
        lambda: MaskErrors(should_mask_error=unexpected),
    ],
)


def sdl() -> str:
    return schema.as_str()
