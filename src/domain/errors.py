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
    FORBIDDEN_TRANSITION = "FORBIDDEN_TRANSITION"
    TOO_LATE = "TOO_LATE"


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


class ForbiddenTransition(DomainError):
    """Law 69, 70, 8: a licence's status moves only VALID → EXPIRED / REVOKED / WITHDRAWN →
    CANCELLED (and VALID → CANCELLED); any other move (revoking a cancelled licence, renewing a
    revoked one) is refused."""

    code = ErrorCode.FORBIDDEN_TRANSITION


class TooLate(DomainError):
    """Law 50: an act the law allows only up to a date, attempted after it; unlike
    ``DeadlinePassed`` (the authority's own limit), the party must start anew."""

    code = ErrorCode.TOO_LATE


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


class RenewalTooLate(TooLate):
    """Law 50, SAMR 27 (GYCP 条例 25: 6 months): the renewal must be filed by the item's
    ``renewal_apply_by``; after it the licence cannot be renewed — the holder must apply anew."""


class CancellationGroundMismatch(ForbiddenTransition):
    """Law 70, SAMR 48-52: each ground of 注销 fits one status — 70(1) an EXPIRED licence,
    70(4) a REVOKED or WITHDRAWN one, the others a VALID one."""


class StatementWindowOpen(InvalidState):
    """SAMR 36-47: no 撤销 or 撤回 before the holder's 5 working days to state their case
    (陈述申辩) have passed, or before a hearing they asked for was held (Law 47-48)."""


class LicenceHearingWindowClosed(DeadlinePassed):
    """Law 47: the holder asks for a hearing within the statement window (5 days of the
    notice); after it the right is deemed waived."""


class ProceedingsAlreadyExtended(AlreadyExtended):
    """SAMR 45: a revocation is decided within 60 working days, extended by 20 once only."""


class LicenceNotTransferable(ValidationFailed):
    """Law 9: a licence may not be transferred (save where the law allows): a change names the
    same holder under a new name or address, never another enterprise or person."""


class HearingAlreadyOpen(InvalidState):
    """Law 46-47: one hearing at a time; a new notice only after the last is held or waived."""


class HearingRequestWindowClosed(DeadlinePassed):
    """Law 47: the applicant asks for a hearing within 5 days of the notice (working days,
    SAMR 77); after it the right is deemed waived."""


class HearingNoticeTooShort(ValidationFailed):
    """Law 48(1): the time and place are told at least 7 days before the hearing."""


class HearingTooLate(ValidationFailed):
    """Law 47: the hearing is held within 20 days of the request."""


class PresidingOfficerInvolved(ValidationFailed):
    """Law 48(3): no staff member who examined the application may preside over its hearing."""


class HearingNotHeld(InvalidState):
    """Law 48(2): the decision rests on the hearing record — none before a requested hearing
    is held."""
