"""What every request passes through: limits on depth and request cost so no query can be
made expensive enough to hurt the service; caches of parsed and validated documents (front-ends
send the same few query texts again and again, and validating one costs more than most
resolvers); the refusal of U+0000; and the masking of faults, so no internal detail reaches a
client."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
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

from xuke.api.graphql.common.errors import bad_input
from xuke.domain.model import holds_unstorable

log = logging.getLogger("xuke.graphql")


def unexpected(error: GraphQLError) -> bool:
    """Errors we raise on purpose carry a code or are GraphQL's own; anything else (a bug,
    a lost database) is masked, so no internal detail ever reaches a client."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return not (error.extensions and error.extensions.get("code"))


class UnstorableFinder(Visitor):
    """Finds a string written in the query itself that decodes to U+0000 or a lone
    surrogate (``"\\u0000"``, ``"\\ud800"``)."""

    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_string_value(self, node: StringValueNode, *_: Any) -> Any:
        self.found = holds_unstorable(node.value)
        return BREAK if self.found else None


def literal_holds_unstorable(document: DocumentNode) -> bool:
    finder = UnstorableFinder()
    visit(document, finder)
    return finder.found


class RefuseUnstorableText(SchemaExtension):
    """PostgreSQL text cannot hold U+0000 (the fuzzer sent one as a case number) and no store
    can encode a lone surrogate (``"\\ud800"``): such an argument is bad input, refused before
    any resolver or database sees it. Checked once per
    operation, on the variables and the query's own strings, not field by field: a hook on
    every field's resolution would slow every query down."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        escaped = "\\u" in (ctx.query or "")  # the only way to write them in a document
        if holds_unstorable(ctx.variables) or (escaped and ctx.graphql_document
                                               and literal_holds_unstorable(ctx.graphql_document)):  # fmt: skip
            raise bad_input("输入含有不允许的字符（U+0000 或孤立的代理码位）")
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


EXTENSIONS: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [  # fresh per request
    lambda: MaxTokensLimiter(max_token_count=3000),
    lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
    lambda: AddValidationRules(LIMITS),
    lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
    RefuseUnstorableText,
    lambda: MaskErrors(should_mask_error=unexpected),
]
