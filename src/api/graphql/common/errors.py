"""What goes wrong, as the API says it. A broken business rule is data: a ``UserError`` in the
mutation's payload, its ``ErrorCode`` the contract's. Refusals and bad input are top-level
errors with a ``code`` extension. A ``DomainError`` becomes either here, and only here."""

from __future__ import annotations

from enum import Enum

import strawberry
from graphql import GraphQLError

from xuke.domain.errors import DomainError
from xuke.domain.errors import ErrorCode as DomainCode


@strawberry.enum
class ErrorCode(Enum):
    """The contract's codes for business failures; the domain's own codes map onto them."""

    VALIDATION = "VALIDATION"
    INVALID_STATE = "INVALID_STATE"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    DEADLINE_PASSED = "DEADLINE_PASSED"
    ALREADY_EXTENDED = "ALREADY_EXTENDED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    FORBIDDEN_TRANSITION = "FORBIDDEN_TRANSITION"  # e.g. revoking a cancelled licence
    TOO_LATE = "TOO_LATE"  # e.g. a renewal filed after renewalApplyBy (Law 50)


# Every domain code has its API code: one added to the domain alone fails at import, not in
# a request.
CODES: dict[DomainCode, ErrorCode] = {code: ErrorCode[code.name] for code in DomainCode}


@strawberry.type
class UserError:
    code: ErrorCode
    message: str
    field: str | None = None


def user_error(error: DomainError) -> UserError:
    """A broken business rule, as a mutation's payload carries it."""
    return UserError(code=CODES[error.code], message=error.message, field=error.field)


def invalid(message: str, field: str) -> UserError:
    """Input the API itself refuses before any command runs."""
    return UserError(code=ErrorCode.VALIDATION, message=message, field=field)


def top_level(error: DomainError) -> GraphQLError:
    """A broken business rule where a query has no payload to carry it."""
    return GraphQLError(error.message, extensions={"code": CODES[error.code].value})


def bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


def unauthenticated(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "UNAUTHENTICATED"})
