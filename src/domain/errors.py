"""Domain errors, one family per ``ErrorCode`` of the GraphQL contract.

Commands raise these *before* any event is triggered, so a failed command stores nothing.
The specific subclasses name the rule that was broken; ``code`` is what clients see.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class ErrorCode(StrEnum):
    VALIDATION = "VALIDATION"
    INVALID_STATE = "INVALID_STATE"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    DEADLINE_PASSED = "DEADLINE_PASSED"
    ALREADY_EXTENDED = "ALREADY_EXTENDED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


class DomainError(Exception):
    code: ClassVar[ErrorCode]

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    code = ErrorCode.VALIDATION


class InvalidState(DomainError):
    code = ErrorCode.INVALID_STATE


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class Conflict(DomainError):
    code = ErrorCode.CONFLICT


class DeadlinePassed(DomainError):
    code = ErrorCode.DEADLINE_PASSED


class AlreadyExtended(DomainError):
    code = ErrorCode.ALREADY_EXTENDED


class IdempotencyKeyReused(DomainError):
    code = ErrorCode.IDEMPOTENCY_KEY_REUSED


# Named rules (a newcomer finds the rule by its name) ------------------------------------


class CorrectionWindowClosed(DeadlinePassed):
    """Art. 32: the correction notice must go out within 5 working days of receipt."""


class AcceptanceWindowClosed(DeadlinePassed):
    """Art. 32: non-acceptance must be decided within 5 working days of receipt."""


class CorrectionAlreadyRequested(InvalidState):
    """Art. 32: one single correction notice listing every missing material."""


class ExtensionWindowClosed(DeadlinePassed):
    """Art. 42: the extension must be approved before the decision deadline passes."""


class CorrectionPeriodPassed(DeadlinePassed):
    """SAMR 15(4): the correction period has run out: the application is deemed abandoned."""


class ExpiredClockNotSuspended(DeadlinePassed):
    """Law 45: a period that has run out cannot be suspended (an expired period is not revived)."""


class NoExtensionForItem(InvalidState):
    """Law 42: "法律、法规另有规定的，依照其规定" — the item's own law allows no extension."""


class ServiceMethodNotAllowed(ValidationFailed):
    """SAMR 62 → penalty procedure rules 82-83: electronic service needs consent and a confirmed
    address; public notice only when other methods failed."""


class ReasonRequired(ValidationFailed):
    """Arts. 32, 38, 42: refusals and extensions state their reasons."""
