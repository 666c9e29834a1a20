"""Which step calls for which document: one table, event class → ``DocumentKind``, for the
case and for the licence, with what a builder needs from the event itself (a revocation's
reason, a cancellation's ground and note — facts the licence's state does not keep).

A hearing calls for its notice twice: when the right is told (``HearingNoticed``: 听证告知书)
and when the hearing is set (``HearingScheduled``: 听证通知书, time, place and presiding
officer) — the builder tells the two apart from the case as it stood.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from eventsourcing.utils import get_topic

from xuke.domain.case import LicenseCase as C
from xuke.domain.documents import DocumentKind as K
from xuke.domain.licence import Licence as L


def _nothing(event: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Step:
    """A step that calls for a document: its kind, and the builder's keywords the event
    supplies."""

    kind: K
    extra: Callable[[Any], dict[str, Any]] = field(default=_nothing)


CASE_STEPS: dict[type[Any], Step] = {
    C.ApplicationFiled: Step(K.RECEIPT),
    C.ApplicationAccepted: Step(K.ACCEPTANCE_NOTICE),
    C.ApplicationDeemedAccepted: Step(K.ACCEPTANCE_NOTICE),
    C.CorrectionRequested: Step(K.CORRECTION_NOTICE),
    C.ApplicationNotAccepted: Step(K.NON_ACCEPTANCE_DECISION),
    C.ClockSuspended: Step(K.SUSPENSION_NOTICE),
    C.DeadlineExtended: Step(K.EXTENSION_NOTICE),
    C.HearingNoticed: Step(K.HEARING_NOTICE),
    C.HearingScheduled: Step(K.HEARING_NOTICE),
    C.LicenseGranted: Step(K.GRANT_DECISION),
    C.LicenseDenied: Step(K.DENIAL_DECISION),
    C.CertificateIssued: Step(K.CERTIFICATE),
    C.DecisionServed: Step(K.SERVICE_RECEIPT),
    C.CaseTerminated: Step(K.TERMINATION_NOTICE),
}

LICENCE_STEPS: dict[type[Any], Step] = {
    L.ProceedingsOpened: Step(K.PROCEEDINGS_NOTICE),
    L.LicenceRevoked: Step(K.REVOCATION_DECISION, lambda e: {"reason": e.reason}),
    L.LicenceWithdrawn: Step(K.REVOCATION_DECISION, lambda e: {"reason": e.reason}),
    L.LicenceCancelled: Step(K.CANCELLATION_NOTICE, lambda e: {"ground": e.ground, "note": e.note}),
}

Owner = Literal["case", "licence"]

STEPS_BY_TOPIC: dict[str, tuple[Owner, Step]] = {
    **{get_topic(cls): ("case", step) for cls, step in CASE_STEPS.items()},
    **{get_topic(cls): ("licence", step) for cls, step in LICENCE_STEPS.items()},
}
"""The stored topics the document clerk follows, and what each calls for."""

CASE_KINDS = frozenset(step.kind for step in CASE_STEPS.values())
LICENCE_KINDS = frozenset(step.kind for step in LICENCE_STEPS.values())
