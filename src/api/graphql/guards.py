"""What every request passes through: limits on depth and request cost so no query can be
made expensive enough to hurt the service; caches of parsed and validated documents (front-ends
send the same few query texts again and again, and validating one costs more than most
resolvers); the refusal of U+0000; the masking of faults, so no internal detail reaches a
client; and a count of each operation by a label from a bounded set (its root field)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import strawberry
from graphql import (
    BREAK,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    StringValueNode,
    Visitor,
    visit,
)
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
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.types.base_scalars import wrap_parser

from xuke.api.graphql.common.errors import bad_input
from xuke.domain.model import SHANGHAI, holds_unstorable

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


@functools.cache
def root_fields(schema: GraphQLSchema) -> dict[str, frozenset[str]]:
    """The names an operation's label may take, by operation type: the served schema's root
    fields and the introspection fields."""
    meta = {"__typename", "__schema", "__type"}
    return {
        kind: frozenset(root.fields) | meta
        for kind, root in (("query", schema.query_type), ("mutation", schema.mutation_type),
                           ("subscription", schema.subscription_type))
        if root is not None
    }  # fmt: skip


def selected_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def root_field_names(document: DocumentNode, operation: OperationDefinitionNode) -> set[str]:
    """The distinct root fields an operation selects, through fragments at the root too."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    names: set[str] = set()
    seen: set[str] = set()
    pending = [operation.selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                if fragment := fragments.get(selection.name.value):
                    pending.append(fragment.selection_set)
    return names


def operation_label(schema: GraphQLSchema, document: DocumentNode | None,
                    name: str | None) -> tuple[str, str]:  # fmt: skip
    """(type, operation) for the metrics, both from sets the schema fixes: the operation is
    the one root field it selects (``__typename`` aside), ``multiple`` if several, ``other``
    if none known (an unparsable document, an unknown field or operation name). The client's
    own operation name is only used to pick the operation, never as a label."""
    operation = selected_operation(document, name) if document else None
    if operation is None:
        return "unknown", "other"
    kind = operation.operation.value
    known = root_fields(schema).get(kind, frozenset())
    fields = root_field_names(document, operation) if document else set()
    if len(fields) > 1:
        fields.discard("__typename")
    if not fields or not fields <= known:
        return kind, "other"
    return kind, fields.pop() if len(fields) == 1 else "multiple"


class CountOperations(SchemaExtension):
    """Counts each operation in ``xuke_graphql_operations`` (api/metrics.py) by type, root
    field and outcome (``ok``, ``error``, ``invalid`` when refused before execution)."""

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except Exception:  # refused on the way (a parse error, U+0000): an answer, not a fault
            self.count("invalid")
            raise
        ctx = self.execution_context
        if ctx.pre_execution_errors or ctx.result is None:
            self.count("invalid")
        else:
            self.count("error" if ctx.result.errors else "ok")

    def count(self, outcome: str) -> None:
        ctx = self.execution_context
        metrics = getattr(getattr(ctx.context, "services", None), "metrics", None)
        if metrics is None:  # executed outside the service (tests, the schema command)
            return
        kind, operation = operation_label(
            ctx.schema._schema, ctx.graphql_document, ctx.operation_name
        )
        metrics.operations.labels(kind, operation, outcome).inc()


def introspects(document: DocumentNode) -> bool:
    """Does the document ask about the schema itself (``__schema``, ``__type``) anywhere?"""
    found = False

    class Finder(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> Any:
            nonlocal found
            found = node.name.value in ("__schema", "__type")
            return BREAK if found else None

    visit(document, Finder())
    return found


SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class ClosedSchema(SchemaExtension):
    """Outside demo mode (or as XUKE_GRAPHQL_INTROSPECTION says) the endpoint does not describe
    itself to strangers: no introspection, and no "Did you mean …?" in validation errors,
    which would spell the schema out field by field. Front-ends are built from the published
    SDL (``xuke schema``), not from the live endpoint."""

    def on_validate(self) -> Iterator[None]:
        yield
        ctx = self.execution_context
        if self.open():
            return
        for error in ctx.pre_execution_errors or ():
            error.message = SUGGESTION.sub("", error.message)
        if ctx.graphql_document is not None and introspects(ctx.graphql_document):
            raise bad_input("此服务未开放内省查询（introspection）；请使用发布的接口定义")

    def open(self) -> bool:
        settings = getattr(getattr(self.execution_context.context, "services", None),
                           "settings", None)  # fmt: skip
        return settings is None or settings.introspection_open


def china_time(value: dt.datetime) -> str:
    """Every moment leaves in Beijing time (+08:00), the offset officials read it in; a client
    may still send any offset (or Z), which is the same moment."""
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(SHANGHAI).isoformat()


def any_offset(value: str) -> dt.datetime:
    """Any offset in, one moment out (in Beijing time); a naive time or a year outside
    1970-2199 is not one we keep (the far edges overflow the conversion)."""
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("时间必须带时区，例如 2026-11-30T09:00:00+08:00")
    if not 1970 <= moment.year < 2200:
        raise ValueError("时间的年份须在 1970 至 2199 之间")
    return moment.astimezone(SHANGHAI)


# Strawberry's own wrapper: anything but a well-formed string is a clean coercion error
# (BAD_USER_INPUT), never a masked fault.
parse_moment = wrap_parser(any_offset, "DateTime")


CHINA_DATETIME = strawberry.scalar(
    name="DateTime", serialize=china_time, parse_value=parse_moment,
    description="An ISO 8601 moment with its offset; answered in Beijing time (+08:00).",
)  # fmt: skip


# What GraphQL's own refusals mean, in the officials' language; the original follows, for
# the developer who reads it. First match wins.
FRAMEWORK_MESSAGES = [
    (re.compile(r"more than \d+ tokens"), "查询过长"),  # before "Syntax Error", which it also is
    (re.compile(r"^Syntax Error"), "查询语法错误"),
    (re.compile(r"exceeds maximum operation depth"), "查询嵌套过深"),
    (re.compile(r"[Aa]liases"), "查询别名过多"),
    (re.compile(r"^Cannot query field"), "没有这个字段"),
    (re.compile(r"^Unknown argument"), "没有这个参数"),
    (re.compile(r"is required, but it was not provided"), "缺少必填参数"),
    (
        re.compile(r"^Variable .* (got invalid value|has invalid value|of required type)"),
        "变量值无效",
    ),
    (re.compile(r"cannot represent|Expected value of type|Enum .* has no value"), "参数值无效"),
    (re.compile(r"^Unknown (type|fragment|directive)"), "查询引用了不存在的类型或片段"),
    (re.compile(r"operation"), "查询操作无效"),
]


def in_chinese(message: str) -> str:
    if "：" in message[:20]:  # already ours (a cached validation error is met again)
        return message
    for pattern, chinese in FRAMEWORK_MESSAGES:
        if pattern.search(message):
            return f"{chinese}：{message}"
    return message


class ChineseMessages(SchemaExtension):
    """GraphQL's own refusals (syntax, validation, coercion, the limits) are English; every
    message a client sees starts in Chinese (issue L, consistency)."""

    def on_operation(self) -> Iterator[None]:
        yield
        ctx = self.execution_context
        errors = [
            *(ctx.pre_execution_errors or ()),
            *(ctx.result.errors or () if ctx.result else ()),
        ]
        for error in errors:
            if not (error.extensions and error.extensions.get("code")):
                error.message = in_chinese(error.message)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Over a websocket (graphql-transport-ws) each result is sent as it comes, before
        the operation ends: its refusals are put in Chinese here, before it is sent."""
        for error in getattr(result, "errors", None) or ():
            if not (error.extensions and error.extensions.get("code")):
                error.message = in_chinese(error.message)
        yield


class Schema(strawberry.Schema):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("config", StrawberryConfig(scalar_map={dt.datetime: CHINA_DATETIME}))
        super().__init__(*args, **kwargs)

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


class CachedParse(ParserCache):
    """``ParserCache``, but a text that does not parse is left to Strawberry's own parse,
    which answers it as a refusal. (Raised from the cache's hook, the error escapes a
    subscription's stream as a fault: over a websocket the client got a bare ``complete``
    and the log a traceback.)"""

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        with contextlib.suppress(GraphQLError):  # parsed again by Strawberry: a refusal
            ctx.graphql_document = self.cached_parse_document(ctx.query, **ctx.parse_options)
        yield


EXTENSIONS: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [  # fresh per request
    lambda: MaxTokensLimiter(max_token_count=3000),
    lambda: CachedParse(maxsize=CACHED_DOCUMENTS),
    lambda: AddValidationRules(LIMITS),
    lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
    RefuseUnstorableText,
    ClosedSchema,
    lambda: MaskErrors(should_mask_error=unexpected),
    CountOperations,
    ChineseMessages,
]
