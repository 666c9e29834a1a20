"""The published vocabulary of the exchange feed (信息交换与共享, docs/exchange.md).

Partner systems and the other levels' instances read *integration events*, not our internal
event classes: a small, versioned vocabulary (``CaseFiled``, ``DecisionMade``,
``LicenceGranted`` …) whose payloads carry public-safe facts only — no ID number, phone,
address, opinion or staff user id; a person's name masked as the public status page masks it
(张*), an enterprise's in full. Internal events may be renamed, split or upcast; this
vocabulary only ever grows (new types, new optional fields), and every payload says
``schemaVersion``. Each type's JSON Schema is in ``data/exchange_schemas.json``.

Pure: the mapping from one stored event (and the case or licence as it stands after it) to
at most one published event. The projection (``projections/exchange.py``) gives it a
position and stores it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any
from uuid import UUID

from xuke.domain.calendar import WorkingCalendar
from xuke.domain.case import LicenseCase as C
from xuke.domain.deadlines import decision_due
from xuke.domain.licence import Licence as L
from xuke.domain.model import SHANGHAI, DomainEvent, local_date

SCHEMA_VERSION = 1

# The vocabulary, version 1. Only ever added to (docs/exchange.md, "Versioning").
CASE_TYPES = (
    "CaseFiled", "CaseAccepted", "CaseNotAccepted", "CorrectionRequested", "DeadlineChanged",
    "DecisionMade", "CaseClosed",
)  # fmt: skip
LICENCE_TYPES = (
    "LicenceGranted", "LicenceChanged", "LicenceRenewed", "LicenceRevoked", "LicenceWithdrawn",
    "LicenceCancelled", "LicenceExpired",
)  # fmt: skip
EVENT_TYPES: frozenset[str] = frozenset(CASE_TYPES + LICENCE_TYPES)

SUSPENDING = (C.ClockSuspended, C.HearingNoticed)
RESUMING = (C.ClockResumed, C.HearingWaived, C.HearingRequestLapsed, C.HearingRecorded)
CLOSING = {
    C.ApplicationWithdrawn: "WITHDRAWN",
    C.CaseTerminated: "TERMINATED",
    C.ApplicationAbandoned: "ABANDONED",
    C.DecisionServed: "SERVED",
}


@dataclass(frozen=True)
class Published:
    """One integration event, before the feed gives it a position."""

    event_id: str
    type: str
    occurred_at: str
    jurisdiction_code: str
    case_no: str | None
    certificate_no: str | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class LicenceFacts:
    """What a licence's later events need to be published and carry none of themselves:
    kept by the projection from the licence's ``LicenceIssued`` onwards."""

    certificate_no: str
    item_code: str
    jurisdiction_code: str
    valid_until: dt.date | None


def event_id(originator_id: UUID | str, version: int, type_: str) -> str:
    """Stable across rebuilds: the stored event's identity and the published type."""
    return f"{originator_id}:{version}:{type_}"


def occurred_at(moment: dt.datetime) -> str:
    """ISO 8601 in Beijing time (+08:00), as partners read dates."""
    return moment.astimezone(SHANGHAI).isoformat()


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def parse_types(raw: str | list[str] | tuple[str, ...] | None) -> frozenset[str] | None:
    """``A,B`` or a list → the published types asked for; None or empty: all of them.
    An unknown type is the caller's mistake (``ValueError``, in Chinese)."""
    if raw is None:
        return None
    names = raw.split(",") if isinstance(raw, str) else list(raw)
    wanted = frozenset(n.strip() for n in names if n.strip())
    unknown = sorted(wanted - EVENT_TYPES)
    if unknown:
        raise ValueError(
            f"未知的事件类型：{'、'.join(unknown)}（可选：{'、'.join(sorted(EVENT_TYPES))}）"
        )
    return wanted or None


# ---------------------------------------------------------------- cases


def publish_case_event(event: C.Event, case: C, calendar: WorkingCalendar) -> Published | None:
    """The case event ``event`` as published, given the case as it stands after it; None
    for the events the vocabulary does not publish (claims, opinions, hearings' details …)."""
    kind, payload = _case_payload(event, case, calendar)
    if kind is None:
        return None
    return Published(
        event_id=event_id(event.originator_id, event.originator_version, kind),
        type=kind,
        occurred_at=occurred_at(event.timestamp),
        jurisdiction_code=case.jurisdiction_code,
        case_no=case.case_no,
        certificate_no=None,
        payload={"schemaVersion": SCHEMA_VERSION, "itemCode": case.item_code, **payload},
    )


def _due(case: C, calendar: WorkingCalendar, today: dt.date) -> dt.date | None:
    due = decision_due(case.clock(), calendar, today)
    return due.date if due is not None else None


def _case_payload(
    event: C.Event, case: C, calendar: WorkingCalendar
) -> tuple[str | None, dict[str, Any]]:
    today = local_date(event.timestamp)
    if isinstance(event, C.ApplicationFiled):
        return "CaseFiled", {
            "itemName": case.item_name,
            "kind": case.kind.value,
            "receivedOn": _day(local_date(case.received_at)),
            "channel": case.channel,
        }
    if isinstance(event, C.ApplicationAccepted | C.ApplicationDeemedAccepted):
        return "CaseAccepted", {
            "acceptedOn": _day(event.accepted_on),
            "deemed": isinstance(event, C.ApplicationDeemedAccepted),
            "decisionDue": _day(_due(case, calendar, today)),
        }
    if isinstance(event, C.ApplicationNotAccepted):
        return "CaseNotAccepted", {"decidedOn": _day(today)}
    if isinstance(event, C.CorrectionRequested):
        return "CorrectionRequested", {"requestedOn": _day(today)}
    reason = (
        "SUSPENDED" if isinstance(event, SUSPENDING)
        else "RESUMED" if isinstance(event, RESUMING)
        else "EXTENDED" if isinstance(event, C.DeadlineExtended)
        else None
    )  # fmt: skip
    if reason is not None:
        return "DeadlineChanged", {
            "decisionDue": _day(_due(case, calendar, today)),
            "reason": reason,
        }
    if isinstance(event, C.LicenseGranted | C.LicenseDenied):
        due = _due(case, calendar, event.decided_on)
        return "DecisionMade", {
            "decision": "GRANT" if isinstance(event, C.LicenseGranted) else "DENY",
            "decidedOn": _day(event.decided_on),
            "decisionDue": _day(due),
            "onTime": due is None or event.decided_on <= due,
        }
    closing = CLOSING.get(type(event))
    if closing is not None:
        return "CaseClosed", {"closedOn": _day(today), "reason": closing}
    return None, {}


# ---------------------------------------------------------------- licences


def licence_facts(event: L.LicenceIssued) -> LicenceFacts:
    return LicenceFacts(
        event.certificate_no, event.item_code, event.jurisdiction_code, event.valid_to
    )


def publish_licence_event(event: DomainEvent, facts: LicenceFacts | None) -> Published | None:
    """A licence's event as published. ``facts``: the licence as known before this event
    (None for its ``LicenceIssued``, which carries them itself)."""
    if isinstance(event, L.LicenceIssued):
        facts = licence_facts(event)
        kind, payload = (
            "LicenceGranted",
            {
                "itemName": event.item_name,
                "holderName": event.holder.public_name,
                "issuedOn": _day(event.valid_from),
                "validUntil": _day(event.valid_to),
            },
        )
    elif facts is None:
        return None
    else:
        found, payload = _licence_payload(event, facts)
        if found is None:
            return None
        kind = found
    assert facts is not None
    return Published(
        event_id=event_id(event.originator_id, event.originator_version, kind),
        type=kind,
        occurred_at=occurred_at(event.timestamp),
        jurisdiction_code=facts.jurisdiction_code,
        case_no=getattr(event, "case_no", None),
        certificate_no=facts.certificate_no,
        payload={"schemaVersion": SCHEMA_VERSION, "itemCode": facts.item_code, **payload},
    )


def _licence_payload(event: DomainEvent, facts: LicenceFacts) -> tuple[str | None, dict[str, Any]]:
    today = local_date(event.timestamp)
    if isinstance(event, L.LicenceChanged):
        return "LicenceChanged", {"validUntil": _day(facts.valid_until), "on": _day(today)}
    if isinstance(event, L.LicenceRenewed | L.LicenceDeemedRenewed):
        return "LicenceRenewed", {
            "validUntil": _day(event.valid_to),
            "on": _day(today),
            "deemed": isinstance(event, L.LicenceDeemedRenewed),
        }
    if isinstance(event, L.LicenceRevoked):
        return "LicenceRevoked", {"on": _day(event.revoked_on), "ground": "LAW_69"}
    if isinstance(event, L.LicenceWithdrawn):
        return "LicenceWithdrawn", {"on": _day(event.withdrawn_on), "ground": "LAW_8"}
    if isinstance(event, L.LicenceCancelled):
        return "LicenceCancelled", {"on": _day(event.cancelled_on), "ground": event.ground.value}
    if isinstance(event, L.LicenceExpired):
        return "LicenceExpired", {"on": _day(event.expired_on)}
    return None, {}


def facts_after(event: DomainEvent, facts: LicenceFacts) -> LicenceFacts:
    """The licence's facts after one of its events (a renewal moves its term)."""
    if isinstance(event, L.LicenceRenewed | L.LicenceDeemedRenewed):
        return LicenceFacts(
            facts.certificate_no, facts.item_code, facts.jurisdiction_code, event.valid_to
        )
    return facts


# ---------------------------------------------------------------- the schemas


def schemas() -> dict[str, Any]:
    """The JSON Schema of every type's payload (``data/exchange_schemas.json``)."""
    text = files("xuke.domain").joinpath("data/exchange_schemas.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded
