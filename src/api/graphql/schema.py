"""The served schema: every feature's queries and mutations merged, with limits on depth and
request cost so no query can be made expensive enough to hurt the service, and caches of parsed
and validated documents: front-ends send the same few query texts again and again, and
validating one costs more than most resolvers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import BREAK, DocumentNode, GraphQLError, StringValueNode, Visitor, visit
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.tools import merge_types

from xuke.api.graphql.cases import CaseMutations, CaseQueries
from xuke.api.graphql.inbox import InboxQueries
from xuke.api.graphql.oversight import OversightMutations, OversightQueries
from xuke.api.graphql.public import PublicQueries
from xuke.api.graphql.supervision import SupervisionQueries
from xuke.domain.model import holds_nul

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


class NulFinder(Visitor):
    """Finds a string written in the query itself that decodes to U+0000 (``"\\u0000"``)."""

    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_string_value(self, node: StringValueNode, *_: Any) -> Any:
        self.found = "\x00" in node.value
        return BREAK if self.found else None


def literal_holds_nul(document: DocumentNode) -> bool:
    finder = NulFinder()
    visit(document, finder)
    return finder.found


class RefuseNulCharacters(SchemaExtension):
    """PostgreSQL text cannot hold U+0000 (the fuzzer sent one as a case number): such an
    argument is bad input, refused before any resolver or database sees it. Checked once per
    operation, on the variables and the query's own strings, not field by field: a hook on
    every field's resolution would slow every query down."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        escaped = "\\u" in (ctx.query or "")  # the only way to write U+0000 in a document
        if holds_nul(ctx.variables) or (escaped and ctx.graphql_document
                                        and literal_holds_nul(ctx.graphql_document)):  # fmt: skip
            raise GraphQLError(
                "输入含有不允许的字符 (U+0000)", extensions={"code": "BAD_USER_INPUT"}
            )
        yield


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Log what went wrong unexpectedly; refusals and bad input are answers, not faults."""
        for error in errors:
            if unexpected(error):
                log.error("unexpected error", exc_info=error.original_error)


# The limits' validation rules are made once: the validation cache is keyed by the rules, and
# a limiter made per request would make new rule classes and never hit it.
LIMITS = [
    *QueryDepthLimiter(max_depth=10).validation_rules,
    *MaxAliasesLimiter(max_alias_count=30).validation_rules,
]
CACHED_DOCUMENTS = 512  # distinct query texts kept parsed and validated

schema = Schema(
    query=Query,
    mutation=Mutation,
    extensions=[  # a fresh extension per request
        lambda: MaxTokensLimiter(max_token_count=3000),
        lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
        lambda: AddValidationRules(LIMITS),
        lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
        RefuseNulCharacters,
        lambda: MaskErrors(should_mask_error=unexpected),
    ],
)


def sdl() -> str:
    return schema.as_str()
